"""The formats researchers have, each with a fixture written from its documentation: the
tiktok-scraper / Apify items, TikTokApi items, 4CAT's TikTok CSV, and Research API results as
common clients save them (renamed columns, MongoDB extended JSON, counts written as floats).
Every row is accounted for."""

from __future__ import annotations

import csv
import json

from diplosim.analysis.run import load_run
from diplosim.ingest.column_map import load_map
from diplosim.ingest.importer import import_files
from tests.conftest import ROOT

T0 = 1_700_000_000


def _posts(folder):
    return {r["post"]: r for r in load_run(folder).rows("SELECT * FROM posts ORDER BY post")}


def test_apify_tiktok_scraper_items(tmp_path):
    # the fields tiktok-scraper (and Apify's TikTok Scraper) document for each item
    items = [{"id": "7300000000000000001", "text": "merci #Paris @ami", "createTime": T0,
              "createTimeISO": "2023-11-14T22:13:20.000Z",
              "authorMeta": {"id": "6800000000000000001", "name": "embassy_fr",
                             "nickName": "France", "verified": True, "fans": 1200},
              "musicMeta": {"musicId": "6900000000000000001", "musicName": "son original"},
              "webVideoUrl": "https://www.tiktok.com/@embassy_fr/video/7300000000000000001",
              "diggCount": 12, "shareCount": 3, "playCount": 450, "commentCount": 2,
              "collectCount": 1, "hashtags": [{"name": "paris"}, {"name": "travel"}],
              "mentions": ["@ami"]},
             {"id": "7300000000000000002", "text": "", "createTime": T0 + 60,
              "authorMeta": {"name": "embassy_fr"}, "playCount": "lots"},
             {"id": "7300000000000000003", "createTime": T0, "authorMeta": {}}]
    (tmp_path / "dataset.json").write_text(json.dumps(items, indent=2))
    r = import_files("apify", [tmp_path / "dataset.json"], tmp_path / "d")
    assert (r.rows, r.loaded, r.rejected, r.duplicates) == (3, 1, 2, 0)
    p = _posts(tmp_path / "d")["7300000000000000001"]
    assert (p["account"], p["time"], p["views"], p["likes"], p["shares"], p["music"]) == \
        ("embassy_fr", T0, 450, 12, 3, "6900000000000000001")
    assert p["hashtags"] == ["#paris", "#travel"]
    reasons = [x["reason"] for x in load_run(tmp_path / "d").rows(
        "SELECT reason FROM rejected ORDER BY line, item")]
    assert any("playCount" in x for x in reasons) and any("missing account" in x
                                                          for x in reasons)


def test_tiktokapi_items_read_like_zeeschuimer_data(tmp_path):
    # TikTokApi's Video.as_dict: the web item (id, desc, createTime, author, stats, music)
    item = {"id": "7300000000000000009", "desc": "hola #madrid", "createTime": T0,
            "author": {"uniqueId": "es_embassy", "nickname": "España"},
            "stats": {"diggCount": 5, "shareCount": 1, "commentCount": 0, "playCount": 99},
            "music": {"id": "6900000000000000002", "title": "sonido"},
            "challenges": [{"title": "madrid"}], "locationCreated": "ES"}
    (tmp_path / "items.jsonl").write_text(json.dumps(item) + "\n")
    r = import_files("tiktokapi", [tmp_path / "items.jsonl"], tmp_path / "d")
    assert (r.loaded, r.rejected) == (1, 0)
    p = _posts(tmp_path / "d")["7300000000000000009"]
    assert (p["account"], p["views"], p["country"], p["music"]) == \
        ("es_embassy", 99, "ES", "6900000000000000002")


def test_research_api_as_clients_save_it(tmp_path):
    # traktok's renamed columns; mongoexport's extended JSON for ids and times
    rows = [{"video_id": "7300000000000000011", "author_name": "who", "create_time": T0,
             "region_code": "CH", "view_count": 10, "like_count": 1},
            {"_id": {"$oid": "65a0"}, "id": {"$numberLong": "7300000000000000012"},
             "username": "who", "create_time": {"$numberLong": str(T0 + 5)},
             "view_count": {"$numberInt": "20"}, "music_id": {"$numberLong": "69000"}},
            {"id": {"$numberLong": "7300000000000000013"}, "username": "who",
             "create_time": {"$date": "2023-11-14T22:13:30Z"}},
            {"id": {"$numberLong": "7300000000000000014"}, "username": "who",
             "create_time": {"$date": {"$numberLong": str((T0 + 40) * 1000)}}}]
    (tmp_path / "mongo.jsonl").write_text("\n".join(json.dumps(x) for x in rows) + "\n")
    r = import_files("tiktok", [tmp_path / "mongo.jsonl"], tmp_path / "d")
    assert (r.loaded, r.rejected) == (4, 0)
    posts = _posts(tmp_path / "d")
    assert posts["7300000000000000011"]["account"] == "who"
    assert posts["7300000000000000012"]["time"] == T0 + 5
    assert posts["7300000000000000012"]["views"] == 20
    assert posts["7300000000000000012"]["music"] == "69000"
    assert posts["7300000000000000013"]["time"] == T0 + 10
    assert posts["7300000000000000014"]["time"] == T0 + 40


def test_4cat_tiktok_csv_with_counts_written_as_floats(tmp_path):
    header = ["id", "thread_id", "author", "author_full", "body", "timestamp",
              "unix_timestamp", "is_duet", "music_name", "music_id", "likes", "comments",
              "shares", "plays", "hashtags", "challenges", "location_created"]
    rows = [["7300000000000000021", "7300000000000000021", "a", "A", "one #x", "2023-11-14 "
             "22:13:20", str(T0), "no", "s", "69001", "12.0", "1.0", "0", "450.0", "x,y", "",
             "FR"],
            ["7300000000000000022", "7300000000000000022", "b", "B", "two", "2023-11-14 "
             "22:14:20", str(T0 + 60), "no", "s", "69001", "2.5", "0", "0", "10", "", "", ""]]
    with open(tmp_path / "4cat.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    cmap = load_map(ROOT / "maps" / "4cat_tiktok.yaml")
    r = import_files("csv", [tmp_path / "4cat.csv"], tmp_path / "d", column_map=cmap)
    assert (r.rows, r.loaded, r.rejected) == (2, 1, 1)  # 2.5 likes is not a count
    p = _posts(tmp_path / "d")["7300000000000000021"]
    assert (p["likes"], p["views"], p["music"], p["country"], p["hashtags"]) == \
        (12, 450, "69001", "FR", ["#x", "#y"])
    (reason,) = [x["reason"] for x in load_run(tmp_path / "d").rows("SELECT reason FROM "
                                                                    "rejected")]
    assert reason.startswith("likes: expected a whole number")
