"""Imports take the file a researcher has: each JSON format read from JSON lines, an array
(pretty-printed or on one line) or the object its tool saves, plain or compressed (told by
the bytes, not the name); a damaged file is read record by record; a number too long for
Python rejects its row; a page too long to hold is read by its records."""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import lzma
import zipfile

import pytest

from diplosim.analysis.run import load_run
from diplosim.ingest import json_stream
from diplosim.ingest.column_map import load_map
from diplosim.ingest.importer import import_files

T0 = 1_700_000_000
VIDEOS = [{"id": 7300000000000000001 + i, "username": f"emb{i}", "create_time": T0 + i,
           "region_code": "FR", "video_description": "bonjour #paris",
           "hashtag_names": ["paris"], "like_count": i, "view_count": 10 * i} for i in range(4)]
# each format: (its records, as its documentation shows them; the object its tool saves)
FORMATS = {
    "tiktok": (VIDEOS, lambda r: {"data": {"videos": r, "cursor": 4, "has_more": False,
                                           "search_id": "7"}, "error": {"code": "ok"}}),
    "tiktok-comments": ([{"id": 900 + i, "video_id": 7300000000000000001, "text": "merci",
                          "create_time": T0 + i, "like_count": 1, "parent_comment_id": None}
                         for i in range(3)],
                        lambda r: {"data": {"comments": r, "cursor": 3, "has_more": False}}),
    "tiktok-users": ([{"username": f"emb{i}", "data": {"display_name": "Embassy",
                                                       "follower_count": 10 + i}}
                      for i in range(3)], lambda r: {"data": r}),
    "zeeschuimer": ([{"item_id": str(9 + i), "source_platform": "tiktok.com", "data": {
        "id": str(9 + i), "createTime": T0, "author": {"uniqueId": "emb"}, "desc": "#culture",
        "stats": {"diggCount": 5, "playCount": 90}}} for i in range(3)],
        lambda r: {"items": r}),
    "tiktokapi": ([{"id": str(70 + i), "desc": "hola", "createTime": T0,
                    "author": {"uniqueId": "es"}, "stats": {"playCount": 9}} for i in range(3)],
                  lambda r: {"itemList": r, "cursor": "3", "hasMore": False}),
    "apify": ([{"id": str(80 + i), "text": "hi", "createTime": T0,
                "authorMeta": {"name": "it"}, "playCount": 4} for i in range(3)],
              lambda r: {"collector": r, "headers": {}}),
    "tiktok-followers": ([{"username": "emb", "data": {"user_followers": [
        {"username": f"fan{i}"} for i in range(2)], "cursor": 2, "has_more": False}}] * 2,
        None),
}


def _shapes(records, wrap) -> dict[str, bytes]:
    out = {"lines": "".join(json.dumps(r) + "\n" for r in records),
           "array": json.dumps(records, indent=2), "array_one_line": json.dumps(records)}
    if wrap is not None:
        out["object"] = json.dumps(wrap(records), indent=4)
        out["object_one_line"] = json.dumps(wrap(records))
    return {k: v.encode() for k, v in out.items()}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_shape_of_every_format_loads_the_same_rows(fmt, tmp_path):
    records, wrap = FORMATS[fmt]
    counts = {}
    for shape, raw in _shapes(records, wrap).items():
        (tmp_path / shape).write_bytes(raw)  # no extension: told by the content
        r = import_files(fmt, [tmp_path / shape], tmp_path / f"d-{shape}")
        counts[shape] = (r.rows, r.loaded, r.rejected)
    assert len(set(counts.values())) == 1, counts
    assert next(iter(counts.values()))[2] == 0


def _zip(members: dict[str, bytes]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, raw in members.items():
            z.writestr(name, raw)
    return buf.getvalue()


@pytest.mark.parametrize("packing", ["gzip", "bzip2", "xz", "zip"])
def test_compressed_files_are_told_by_their_bytes(packing, tmp_path):
    array = json.dumps(VIDEOS[:2], indent=2).encode()
    lines = "".join(json.dumps(v) + "\n" for v in VIDEOS[2:]).encode()
    pack = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}
    if packing == "zip":
        files = {"export.data": _zip({"a/videos.json": array, "b/more.jsonl.gz":
                                      gzip.compress(lines), "empty/": b""})}
    else:
        files = {"one.json": pack[packing](array), "two.txt": pack[packing](lines)}
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
    r = import_files("tiktok", [tmp_path / n for n in files], tmp_path / "d")
    assert (r.rows, r.loaded, r.rejected) == (4, 4, 0)
    sources = {x["source_file"].replace(f"{tmp_path}/", "") for x in load_run(tmp_path / "d").rows(
        "SELECT DISTINCT source_file FROM posts")}
    if packing == "zip":
        assert sources == {"export.data:a/videos.json", "export.data:b/more.jsonl.gz"}


def test_a_damaged_compressed_file_keeps_what_was_read(tmp_path):
    raw = gzip.compress("".join(json.dumps(v) + "\n" for v in VIDEOS * 50).encode())
    (tmp_path / "cut.gz").write_bytes(raw[:len(raw) // 2])
    r = import_files("tiktok", [tmp_path / "cut.gz"], tmp_path / "d")
    assert r.rows == r.loaded + r.rejected + r.duplicates and r.loaded >= 1
    reasons = [x["reason"] for x in load_run(tmp_path / "d").rows("SELECT reason FROM rejected")]
    assert any("compressed data is damaged" in x for x in reasons)


# MongoDB's export of Research API videos as an array; the last record lost its opening brace
MONGO_ARRAY = """[
  {"_id": {"$oid": "65a0"}, "id": {"$numberLong": "7300000000000000101"}, "username": "a",
   "create_time": {"$numberLong": "1700000000"}},
  {"_id": {"$oid": "65a1"}, "id": {"$numberLong": "7300000000000000102"}, "username": "b",
   "create_time": {"$numberLong": "1700000001"}},
  {"_id": {"$oid": "65a2"}, "id": {"$numberLong": "7300000000000000103"}, "username": "c",
   "create_time": {"$numberLong": "1700000002"}},
  {"_id": {"$oid": "65a3"}, "id": {"$numberLong": "7300000000000000104"}, "username": "d",
   "create_time": {"$numberLong": "1700000003"}},
  "_id": {"$oid": "65a4"}, "id": {"$numberLong": "7300000000000000105"}, "username": "e",
   "create_time": {"$numberLong": "1700000004"}}
]
"""


def _rejected(folder):
    return [(x["line"], x["reason"]) for x in load_run(folder).rows(
        "SELECT line, item, reason FROM rejected ORDER BY line, item")]


@pytest.mark.parametrize("fast", [True, False])
def test_an_array_missing_a_brace_keeps_its_intact_records(tmp_path, fast):
    (tmp_path / "mongo.json").write_text(MONGO_ARRAY)
    r = import_files("tiktok", [tmp_path / "mongo.json"], tmp_path / "d", fast_json=fast)
    assert (r.rows, r.loaded, r.rejected) == (5, 4, 1)
    (line, reason), = _rejected(tmp_path / "d")
    assert line == 10 and "without its opening brace" in reason and "line 10" in reason


DAMAGED = """[
  {"id": 1, "username": "a", "create_time": 1700000000, "hashtag_names": ["x"]},
  {"id": 2, "username": "b", "create_ti
  {"id": 3, "username": "c", "create_time": 1700000000},
  {"id": 4, "username": "d", "create_time": 1700000000,, "like_count": 2},
  {"id": 5, "username": "e", "create_time": 1700000000},,
  {"id": 6, "username": "f", "create_time": 1700000000, "challenges": [{"t": 1}, {"t": 2}],
   "like_count": tru},
  {"id": 7, "username": "g", "create_time": 1700000000} {"id": 8, "username": "h",
   "create_time": 1700000000}
]"""


@pytest.mark.parametrize("one_line", [False, True])
@pytest.mark.parametrize("fast", [True, False])
def test_a_damaged_array_recovers_every_intact_record(tmp_path, fast, one_line):
    text = DAMAGED
    if one_line:  # the cut record is then followed by the next on the same line
        text = "".join(x.strip() for x in DAMAGED.replace('"create_ti\n', '"create_ti')
                       .splitlines())
    (tmp_path / "v.json").write_text(text)
    r = import_files("tiktok", [tmp_path / "v.json"], tmp_path / "d", fast_json=fast)
    posts = [x["post"] for x in load_run(tmp_path / "d").rows("SELECT post FROM posts "
                                                              "ORDER BY post")]
    assert posts == ["1", "3", "5", "7", "8"]
    assert (r.rows, r.rejected) == (8, 3)
    rejected = _rejected(tmp_path / "d")
    if not one_line:
        assert [line for line, _ in rejected] == [3, 5, 7]
    assert all(reason.startswith("not valid JSON: ") for _, reason in rejected)
    assert "word outside quotes" in rejected[2][1]


LONG_NUMBER = "9" * 5000


@pytest.mark.parametrize("field", ["id", "like_count", "create_time"])
@pytest.mark.parametrize("shape", ["lines", "array", "csv"])
def test_a_5000_digit_number_rejects_its_row_only(tmp_path, field, shape):
    rows = [dict(v) for v in VIDEOS[:3]]
    if shape == "csv":
        names = {"id": "id", "like_count": "likes", "create_time": "time"}
        with open(tmp_path / "v.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "who", "time", "likes"])
            for v in rows:
                w.writerow([v["id"], v["username"], v["create_time"], v["like_count"]])
            w.writerow([LONG_NUMBER if names[field] == "id" else 5, "x",
                        LONG_NUMBER if field == "create_time" else T0,
                        LONG_NUMBER if field == "like_count" else 1])
        (tmp_path / "m.yaml").write_text("columns: {post: id, account: who, time: time, "
                                         "likes: likes}\ntime_format: unix\n")
        r = import_files("csv", [tmp_path / "v.csv"], tmp_path / "d",
                         column_map=load_map(tmp_path / "m.yaml"))
        expect = (4, 3, 1) if field != "id" else (4, 4, 0)  # an id is text: any length
    else:
        text = [json.dumps(v) for v in rows]
        bad = json.dumps({**rows[0], "id": 5, field: 1}).replace(": 1", ": " + LONG_NUMBER, 1) \
            if field != "id" else json.dumps({**rows[0], "id": 1}).replace(
                '"id": 1', '"id": ' + LONG_NUMBER)
        text.insert(1, bad)
        raw = "\n".join(text) if shape == "lines" else "[" + ",\n".join(text) + "]"
        (tmp_path / "v.json").write_text(raw)
        r = import_files("tiktok", [tmp_path / "v.json"], tmp_path / "d")
        expect = (4, 3, 1)
    assert (r.rows, r.loaded, r.rejected) == expect
    if expect[2]:
        (line, reason), = _rejected(tmp_path / "d")
        assert line == 2 or shape == "csv"
        assert "digits" in reason or "whole number" in reason or "seconds" in reason


def test_a_single_line_page_is_read_by_its_records(tmp_path, monkeypatch):
    """A page too long to hold (here: past 64 kB) is read record by record, its array found
    under ``data.videos``; a record too long to hold is refused, the file goes on."""
    monkeypatch.setattr(json_stream, "BLOCK", 4096)
    monkeypatch.setattr(json_stream, "LONG", 1 << 16)
    monkeypatch.setattr(json_stream, "MAX_RECORD", 1 << 17)
    videos = [dict(VIDEOS[0], id=i, video_description="x" * 200) for i in range(2000)]
    videos[700] = dict(videos[700], video_description="y" * 300_000)  # past MAX_RECORD
    page = {"search_id": "1", "data": {"cursor": 2000, "videos": videos, "has_more": False}}
    (tmp_path / "page.json").write_text(json.dumps(page))
    for fast in (True, False):
        r = import_files("tiktok", [tmp_path / "page.json"], tmp_path / f"d{fast}",
                         fast_json=fast)
        assert (r.rows, r.loaded, r.rejected) == (2000, 1999, 1)
        (line, reason), = _rejected(tmp_path / f"d{fast}")
        assert line == 1 and reason.startswith("a record of more than")
