"""Whatever the bytes, every input is read or refused cleanly: never a traceback, always a
message naming the file (and the line, for a row), and importers account for every row
(loaded + rejected + duplicates = rows read, each rejection with file, line and reason).

Inputs are generated from valid files of each format, as JSON lines, arrays (pretty-printed
or on one line) or API pages, plain or compressed, and then broken the ways real exports
break: truncated, wrong types, huge and negative numbers, invalid UTF-8, empty files, random
bytes, cut compressed data; a 10 MB line is tested once per importer (too slow to generate ten
thousand times), and an array mutated record by record (a record cut, a brace or a comma lost
or doubled) keeps every record it did not touch.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplosim.errors import DiplosimError, ScenarioError
from diplosim.ingest.formats import load_map
from diplosim.ingest.importer import import_files, load_registry
from diplosim.scenario import Scenario, parse_scenario
from tests.conftest import EXAMPLE
from tests.fuzz.conftest import COUNTS, EXAMPLES

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                suppress_health_check=list(HealthCheck), database=None)

# -- valid items of each format, the seeds every broken input grows from ---------------------
VIDEO = {"id": 7001, "username": "amb_fr", "create_time": 1_700_000_000, "region_code": "FR",
         "video_description": "Bonjour #culture https://x.org", "hashtag_names": ["culture"],
         "like_count": 10, "comment_count": 1, "share_count": 2, "view_count": 900,
         "favorites_count": 1, "music_id": 55}
USER = {"username": "amb_fr", "data": {"display_name": "Embassy", "bio_description": "hi",
                                       "is_verified": True, "follower_count": 100,
                                       "following_count": 3, "likes_count": 9,
                                       "video_count": 4}}
COMMENT = {"id": 1, "video_id": 7001, "username": "viewer", "create_time": 1_700_000_100,
           "text": "merci", "like_count": 2, "parent_comment_id": None}
ZEE = {"item_id": "9", "source_platform": "tiktok.com", "data": {
    "id": "9", "createTime": 1_700_000_000, "author": {"uniqueId": "emb_fr"},
    "desc": "Bonjour #culture", "challenges": [{"title": "culture"}],
    "stats": {"diggCount": 5, "shareCount": 1, "commentCount": 0, "playCount": 90}}}
CSV_MAP = "columns: {post: id, account: who, time: when, text: body, likes: likes}\n" \
          "time_format: iso\n"
CSV_ROWS = ["id,who,when,body,likes", "1,a,2024-01-01T00:00:00Z,hello,3",
            "2,b,2024-01-02T10:00:00Z,\"a, b\",0"]

json_values = st.recursive(
    st.none() | st.booleans() | st.text(max_size=20)
    | st.integers(-(10**30), 10**30) | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([-1, 0, 2**63, -(2**63) - 1, 10**400, 1e308, "NaN", "", "9" * 40]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                   max_size=3),
    max_leaves=6)


def _mutated(obj, data) -> object:
    """``obj`` with a few fields given wrong types or extreme values, or dropped."""
    if not isinstance(obj, dict):
        return obj
    out = dict(obj)
    for _ in range(data.draw(st.integers(0, 3))):
        if not out:
            break
        k = data.draw(st.sampled_from(sorted(out)))
        op = data.draw(st.sampled_from(["replace", "drop", "nest"]))
        if op == "replace":
            out[k] = data.draw(json_values)
        elif op == "drop":
            del out[k]
        else:
            out[k] = _mutated(out[k], data)
    return out


def _dumps(obj, indent: int | None = None) -> str:
    # json.dumps writes Infinity/NaN for floats, as careless exporters do
    try:
        return json.dumps(obj, indent=indent)
    except (ValueError, OverflowError):
        return json.dumps(str(obj))


def _break_bytes(raw: bytes, data) -> bytes:
    """Truncate, splice in invalid UTF-8 or random bytes, or leave as is."""
    op = data.draw(st.sampled_from(["as_is", "truncate", "bad_utf8", "splice", "empty",
                                    "random"]))
    if op == "truncate" and raw:
        return raw[:data.draw(st.integers(0, len(raw) - 1))]
    if op == "bad_utf8":
        at = data.draw(st.integers(0, len(raw)))
        return raw[:at] + data.draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80",
                                                     b"\x80\x80", b"\xf8\x88\x80"])) + raw[at:]
    if op == "splice":
        at = data.draw(st.integers(0, len(raw)))
        return raw[:at] + data.draw(st.binary(max_size=20)) + raw[at:]
    if op == "empty":
        return data.draw(st.sampled_from([b"", b"\n", b"   \n\n", b"\xef\xbb\xbf"]))
    if op == "random":
        return data.draw(st.binary(max_size=400))
    return raw


def _json_file(seed: dict, container: str | None, data) -> bytes:
    items = [_mutated(seed, data) for _ in range(data.draw(st.integers(0, 4)))]
    shape = data.draw(st.sampled_from(["lines", "array", "page"] if container
                                      else ["lines", "array"]))
    indent = data.draw(st.sampled_from([None, 2]))
    if shape == "page":  # a raw API page, pretty-printed or on one line
        page = {"data": {container: items, "cursor": 5, "has_more": False}}
        text = _dumps(_mutated(page, data) if data.draw(st.booleans()) else page, indent)
    elif shape == "array":  # a JSON array of records
        text = _dumps(items, indent)
    else:  # JSON lines
        text = "\n".join(_dumps(i) for i in items) + data.draw(st.sampled_from(["", "\n"]))
    return _pack(_break_bytes(text.encode("utf-8", "surrogatepass"), data), data)


def _pack(raw: bytes, data) -> bytes:
    """As it is, or compressed; sometimes the compressed bytes cut or spliced too."""
    import bz2
    import gzip
    import lzma

    packing = data.draw(st.sampled_from(["plain", "plain", "gzip", "bzip2", "xz"]))
    if packing == "plain":
        return raw
    packed = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}[packing](raw)
    return _break_bytes(packed, data) if data.draw(st.booleans()) else packed


def _csv_file(data) -> bytes:
    rows = list(CSV_ROWS)
    for _ in range(data.draw(st.integers(0, 4))):
        fields = [data.draw(st.one_of(st.text(max_size=12), st.sampled_from(
            ["-1", "99999999999999999999999", "1e400", "NaN", "\"", "2024-13-45T99:00:00Z",
             "", ",", "\r"])), label="field") for _ in range(data.draw(st.integers(0, 7)))]
        rows.append(",".join(fields))
    return _break_bytes("\n".join(rows).encode("utf-8", "surrogatepass"), data)


# -- the checks --------------------------------------------------------------------------------
WHERE_ROW = re.compile(r":\d+: ")


def _import(fmt: str, raw: bytes, suffix: str, tmp: Path | None = None) -> list[dict] | None:
    """Import ``raw`` and check the accounting: every row loaded, rejected (with file, line and
    reason) or a duplicate, or the whole file refused naming it. Returns the rejected rows, or
    None when the file was refused. Without ``tmp``, works in a temporary folder it removes."""
    own = tmp is None
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-")) if own else tmp
    try:
        path = tmp / f"input{suffix}"
        path.write_bytes(raw)
        cmap = None
        if fmt == "csv":
            (tmp / "map.yaml").write_text(CSV_MAP)
            cmap = load_map(tmp / "map.yaml")
        try:
            r = import_files(fmt, [path], tmp / "into", cmap)
        except DiplosimError as e:
            assert str(path) in str(e), f"an error that does not name the file: {e}"
            return None
        assert r.rows == r.loaded + r.rejected + r.duplicates
        rejected = tmp / "into" / "rejected.parquet"
        if not r.rejected:
            assert not rejected.exists() or pq.read_metadata(rejected).num_rows == 0
            return []
        rows = pq.read_table(rejected).to_pylist()
        assert len(rows) == r.rejected
        for row in rows:
            assert row["file"] == str(path)
            assert row["line"] is not None and row["line"] >= 1
            assert row["reason"]
        return rows
    finally:
        if own:
            shutil.rmtree(tmp, ignore_errors=True)


IMPORTERS = {"tiktok": (VIDEO, "videos", ".jsonl"), "tiktok-users": (USER, None, ".jsonl"),
             "tiktok-comments": (COMMENT, "comments", ".json"),
             "zeeschuimer": (ZEE, None, ".ndjson"),
             "apify": ({"id": "8", "text": "hi", "createTime": 1_700_000_000,
                        "authorMeta": {"name": "it"}, "playCount": 4}, None, ".json")}


@pytest.mark.parametrize("fmt", sorted(IMPORTERS))
def test_json_importers(fmt):
    seed, container, suffix = IMPORTERS[fmt]

    @FUZZ
    @given(st.data())
    def run(data):
        COUNTS[f"import {fmt}"] += 1
        _import(fmt, _json_file(seed, container, data), suffix)

    run()


def test_csv_importer():
    @FUZZ
    @given(st.data())
    def run(data):
        COUNTS["import csv"] += 1
        _import("csv", _csv_file(data), ".csv")

    run()


def _array_with_faults(data) -> tuple[bytes, int]:
    """A pretty-printed or one-line array of distinct videos, some broken; returns the bytes
    and the number of records left untouched (each must load)."""
    n = data.draw(st.integers(1, 8))
    texts, intact = [], 0
    for k in range(n):
        text = json.dumps({**VIDEO, "id": 7001 + k})
        fault = data.draw(st.sampled_from(["none", "none", "cut", "no_open", "no_close",
                                           "comma", "double_comma", "word"]))
        if fault == "cut":
            text = text[:data.draw(st.integers(1, len(text) - 1))]
        elif fault == "no_open":
            text = text[1:]
        elif fault == "no_close":
            text = text[:-1]
        elif fault == "comma":
            text = text.replace(", ", ",, ", 1)
        elif fault == "word":
            text = text.replace("10", "tru", 1)
        intact += fault in ("none", "double_comma")
        texts.append(text + ("," if fault == "double_comma" else ""))
    sep = data.draw(st.sampled_from([",\n  ", ","]))
    return ("[\n  " + sep.join(texts) + "\n]").encode(), intact


def test_a_mutated_array_keeps_every_untouched_record():
    @FUZZ
    @given(st.data())
    def run(data):
        COUNTS["import tiktok (mutated array)"] += 1
        raw, intact = _array_with_faults(data)
        tmp = Path(tempfile.mkdtemp(prefix="fuzz-"))
        try:
            (tmp / "a.json").write_bytes(raw)
            for fast in (True, False):
                r = import_files("tiktok", [tmp / "a.json"], tmp / f"d{fast}", fast_json=fast)
                assert r.rows == r.loaded + r.rejected + r.duplicates
                assert r.loaded >= intact, (raw, r)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    run()


WHERE = re.compile(r"^(?:s\.yaml(?::\d+)?: |--set )")
EXAMPLE_BYTES = EXAMPLE.read_bytes()


def test_scenario_loader():
    @FUZZ
    @given(st.data())
    def run(data):
        COUNTS["scenario loader"] += 1
        raw = _break_bytes(EXAMPLE_BYTES, data) if data.draw(st.booleans()) \
            else data.draw(st.binary(max_size=2000))
        try:
            assert isinstance(parse_scenario(raw, "s.yaml"), Scenario)
        except ScenarioError as e:
            assert e.problems
            for line in str(e).splitlines():
                assert WHERE.match(line), f"a message that does not say where: {line!r}"

    run()


def test_actor_registry_and_column_map(tmp_path):
    @FUZZ
    @given(st.data())
    def run(data):
        COUNTS["actor registry + column map"] += 1
        reg = tmp_path / "registry.csv"
        reg.write_bytes(_break_bytes(b"handle,actor_type,country,label\n@a,embassy,FR,\n"
                                     b"b,state_media,RU,x\n", data))
        try:
            load_registry(reg)
        except DiplosimError as e:
            assert str(e).startswith(str(reg)), str(e)
        cmap = tmp_path / "map.yaml"
        cmap.write_bytes(_break_bytes(CSV_MAP.encode(), data))
        try:
            load_map(cmap)
        except DiplosimError as e:
            assert str(e).startswith(str(cmap)), str(e)

    run()


@pytest.mark.parametrize("fmt", [*sorted(IMPORTERS), "csv"])
def test_a_10_mb_line_is_one_rejected_row(fmt, tmp_path):
    """A 10 MB line between two good ones: read, rejected with its line number, not loaded
    into memory many times over."""
    if fmt == "csv":
        raw = "\n".join([CSV_ROWS[0], CSV_ROWS[1], "3,c,2024-01-01T00:00:00Z," + "x" * 10_000_000
                         + ",1,extra", CSV_ROWS[2]]).encode()
        suffix = ".csv"
    else:
        seed, _, suffix = IMPORTERS[fmt]
        huge = json.dumps({**seed, "pad": "y" * 10_000_000})[:-2]  # cut: not valid JSON
        raw = "\n".join([json.dumps(seed), huge, json.dumps(seed)]).encode()
    rejected = _import(fmt, raw, suffix, tmp_path)
    assert rejected is not None and len(rejected) == 1
    bad = rejected[0]
    assert bad["line"] == 3 if fmt == "csv" else bad["line"] == 2
    assert len(bad["raw"] or "") <= 1000  # the rejected row keeps a bounded excerpt
