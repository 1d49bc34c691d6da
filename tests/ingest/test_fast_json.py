"""The fast JSON-lines reader gives exactly the exact reader's tables: the same records, the
same rejections with the same lines and reasons, the same counts, on files with every kind of
fault a Research API export can hold."""

from __future__ import annotations

import json
import random

import duckdb
import pytest

from diplosim.ingest import fast_json
from diplosim.ingest.importer import import_files

T0 = 1_700_000_000
TAGS = ["Paris", "#travel", "ÉTÉ", "İstanbul", "", "x", "paris", "straße"]


def _line(rng: random.Random, i: int, string_ids: bool) -> str:
    v = {"id": str(7_300_000_000_000_000_000 + i) if string_ids
         else 7_300_000_000_000_000_000 + i,
         "username": f"user{rng.randrange(50)}", "create_time": T0 + rng.randrange(10**6),
         "region_code": rng.choice(["FR", "US", None]),
         "video_description": rng.choice(["hi #Paris", "see https://ex.org/a?b=1 now", "",
                                          None, "@user3 look"]),
         "hashtag_names": rng.sample(TAGS[:4] if rng.random() < 0.8 else TAGS, 2),
         "like_count": rng.randrange(100), "view_count": rng.randrange(1000),
         "music_id": 6_900_000_000_000_000_000 + rng.randrange(30)}
    fault = rng.random()
    if fault < 0.03:
        v["like_count"] = -1
    elif fault < 0.06:
        v["create_time"] = (T0 + 5) * 1000
    elif fault < 0.08:
        del v["username"]
    elif fault < 0.10:
        v["view_count"] = "many"
    elif fault < 0.12:
        v["share_count"] = 12.0  # a whole number written as a float: loaded
    elif fault < 0.13:
        v["username"], v["author_name"] = "", "renamed"
    elif fault < 0.14:
        v["hashtag_names"] = "notalist"
    elif fault < 0.15:
        return "{not json"
    elif fault < 0.16:
        return ""
    elif fault < 0.17:
        return json.dumps({"data": {"videos": [dict(v, id=v["id"]), v]}})  # a page on a line
    elif fault < 0.18:
        v = dict(v, id=None, video_id=str(v["id"]))
    return json.dumps(v, ensure_ascii=rng.random() < 0.5)


def _same(a, b, table: str) -> bool:
    con = duckdb.connect()
    qa, qb = (f"SELECT * EXCLUDE (source_file) FROM read_parquet('{p}/{table}.parquet')"
              if table == "posts" else
              f"SELECT * EXCLUDE (file) FROM read_parquet('{p}/{table}.parquet')" for p in (a, b))
    n = con.execute(f"SELECT (SELECT count(*) FROM (({qa}) EXCEPT ALL ({qb}))) + "
                    f"(SELECT count(*) FROM (({qb}) EXCEPT ALL ({qa})))").fetchone()[0]
    return n == 0


@pytest.mark.parametrize("seed,string_ids", [(1, False), (2, True), (3, False)])
def test_fast_and_exact_readers_give_the_same_tables(tmp_path, monkeypatch, seed, string_ids):
    monkeypatch.setattr(fast_json, "BLOCK_BYTES", 65536)  # several blocks
    monkeypatch.setattr(fast_json, "_SMALLEST", 1)  # bisected down to the faulty lines
    rng = random.Random(seed)
    lines = [_line(rng, i, string_ids) for i in range(3000)]
    lines[0] = json.dumps({"id": 7_300_000_000_000_000_000 if not string_ids else "73",
                           "username": "first", "create_time": T0})
    lines += lines[:50]  # duplicates
    (tmp_path / "v.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    parts = list(fast_json.fast_videos(tmp_path / "v.jsonl"))  # the fast reader takes it
    assert sum(p.num_rows for what, p in parts if what == "table") > 2000
    fast = import_files("tiktok", [tmp_path / "v.jsonl"], tmp_path / "fast")
    exact = import_files("tiktok", [tmp_path / "v.jsonl"], tmp_path / "exact", fast_json=False)
    assert fast.as_dict() == exact.as_dict()
    assert fast.loaded > 2000 and fast.rejected > 100 and fast.duplicates >= 40
    for table in ("posts", "rejected"):
        assert _same(tmp_path / "fast", tmp_path / "exact", table), table


def test_files_the_fast_reader_leaves_to_the_exact_one(tmp_path):
    page = {"data": {"videos": [{"id": 1, "username": "a", "create_time": T0}]}}
    (tmp_path / "page.json").write_text(json.dumps(page, indent=2))
    (tmp_path / "pages.jsonl").write_text(json.dumps(page) + "\n")
    for name in ("page.json", "pages.jsonl"):
        assert fast_json.fast_videos(tmp_path / name) is None, name
    # a blank first line, or an array of videos, is the fast reader's
    (tmp_path / "blank_first.jsonl").write_text("\n" + json.dumps(page["data"]["videos"][0]))
    (tmp_path / "array.json").write_text(json.dumps(page["data"]["videos"], indent=2))
    for name in ("blank_first.jsonl", "array.json"):
        assert fast_json.fast_videos(tmp_path / name) is not None, name


@pytest.mark.parametrize("extra", [
    {"video_description": "x \ud800 http://a.b"}, {"hashtag_names": ["caf\ud800\u00e9"]},
    {"username": "a\ud800"}, {"voice_to_text": "\ud800"}, {"video_label": {"content": "\ud800"}},
    {"id": "7\ud800"}])
def test_bytes_of_a_lone_surrogate_read_as_the_exact_reader_reads_them(tmp_path, extra):
    """Arrow's JSON parser lets a lone surrogate's three bytes into a string (invalid UTF-8
    that Parquet readers then refuse); such rows go to the exact reader (found by the fuzz
    test of the importers)."""
    first = {"id": 1, "username": "a", "create_time": 1_700_000_000, **extra}
    raw = json.dumps(first, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n" + \
        json.dumps({"id": 2, "username": "b", "create_time": 1_700_000_000}).encode() + b"\n"
    (tmp_path / "s.jsonl").write_bytes(raw)
    got = []
    for fast in (True, False):
        out = tmp_path / f"d{fast}"
        r = import_files("tiktok", [tmp_path / "s.jsonl"], out, fast_json=fast)
        got.append((r.loaded, r.rejected, duckdb.sql(
            f"SELECT post, account, text, hashtags, transcript, label FROM "
            f"'{out}/posts.parquet' ORDER BY post").fetchall()))
    assert got[0] == got[1] and got[0][0] == 2
