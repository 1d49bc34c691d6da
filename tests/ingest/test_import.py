"""Importing research exports: every row accounted for, idempotent, pseudonymised on request,
tagged by an actor registry, and readable by the analysis and the report."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from diplosim.analysis.reach import actor_ranking
from diplosim.analysis.run import load_run
from diplosim.cli import app
from diplosim.errors import DiplosimError
from diplosim.ingest.importer import import_files, load_registry

runner = CliRunner()


def _video(i, **kw):
    v = {"id": 7_000_000_000_000_000_000 + i, "create_time": 1_700_000_000 + 60 * i,
         "username": f"user{i % 3}", "region_code": "FR", "video_description": f"clip {i} #Paris",
         "hashtag_names": ["Paris", "travel"], "like_count": 10 * i, "comment_count": i,
         "share_count": 2, "view_count": 1000 + i, "favorites_count": 1, "music_id": 55}
    v.update(kw)
    return v


@pytest.fixture
def exports(tmp_path):
    page = {"data": {"videos": [_video(1), _video(2), _video(3, username=None)],
                     "cursor": 3, "has_more": True}}
    (tmp_path / "page.json").write_text(json.dumps(page, indent=2))
    lines = [json.dumps(_video(4)), json.dumps(_video(5, like_count="many")), "{not json",
             json.dumps(_video(1))]  # video 1 again: a duplicate
    (tmp_path / "more.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_every_row_is_loaded_rejected_or_a_duplicate(exports, tmp_path):
    into = tmp_path / "data"
    files = [exports / "page.json", exports / "more.jsonl"]
    r = import_files("tiktok", files, into)
    assert (r.rows, r.loaded, r.rejected, r.duplicates) == (7, 3, 3, 1)
    run = load_run(into)
    rejected = run.rows("SELECT file, line, item, reason FROM rejected ORDER BY file, line")
    assert [(x["file"].rsplit("/", 1)[1], x["line"], x["reason"]) for x in rejected] == [
        ("more.jsonl", 2, "like_count: expected a whole number, got 'many'"),
        ("more.jsonl", 3, "not valid JSON: expected a key in double quotes (line 3, column 2)"),
        ("page.json", 1, "missing username")]
    assert rejected[2]["item"] == 2  # the third video of the page
    posts = run.rows("SELECT post, account, time, hashtags, impressions, likes FROM posts "
                     "ORDER BY post")
    assert [p["post"] for p in posts] == [str(7_000_000_000_000_000_000 + i) for i in (1, 2, 4)]
    assert posts[0]["hashtags"] == ["#paris", "#travel"] and posts[0]["impressions"] == 1001
    # the same files again add nothing
    again = import_files("tiktok", files, into)
    assert (again.loaded, again.duplicates + again.rejected) == (0, 7)
    assert load_run(into).rows("SELECT count(*) AS n FROM posts")[0]["n"] == 3
    assert load_run(into).rows("SELECT count(*) AS n FROM rejected")[0]["n"] == 3


def test_create_times_past_2100_are_rejected_with_a_hint(tmp_path):
    """Milliseconds given as seconds, or a number no platform wrote, reject the row by name
    (a time past 2100 used to crash the 32-bit day column; found by make fuzz)."""
    lines = [_video(1), _video(2, create_time=1_700_000_000_000),
             _video(3, create_time=185_542_587_187_200)]
    (tmp_path / "v.jsonl").write_text("".join(json.dumps(v) + "\n" for v in lines))
    r = import_files("tiktok", [tmp_path / "v.jsonl"], tmp_path / "d")
    assert (r.rows, r.loaded, r.rejected) == (3, 1, 2)
    reasons = [x["reason"] for x in load_run(tmp_path / "d").rows(
        "SELECT reason FROM rejected ORDER BY line")]
    assert reasons == [
        "create_time: expected seconds since 1970 up to 4102444800 (2100-01-01), got "
        "1700000000000 (milliseconds? expected seconds)",
        "create_time: expected seconds since 1970 up to 4102444800 (2100-01-01), got "
        "185542587187200"]


def test_cli_prints_the_three_counts(exports, tmp_path):
    result = runner.invoke(app, ["import", "tiktok", str(exports / "page.json"),
                                 str(exports / "more.jsonl"), "--into", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert "│ 7         │ 3      │ 3        │ 1          │" in result.output


def test_pseudonymised_names_and_the_key_never_written(exports, tmp_path):
    into = tmp_path / "p"
    r = import_files("tiktok", [exports / "page.json"], into, key="")
    key = r.key_generated
    assert key and len(key) == 64
    blob = b"".join(p.read_bytes() for p in into.rglob("*") if p.is_file())
    assert key.encode() not in blob
    assert b"user1" not in blob and b"user2" not in blob
    accounts = {a["account"] for a in load_run(into).rows("SELECT account FROM accounts")}
    assert all(a.startswith("p_") and len(a) == 22 for a in accounts) and len(accounts) == 2
    assert import_files("tiktok", [exports / "page.json"], into, key=key).loaded == 0
    with pytest.raises(DiplosimError, match="another key"):
        import_files("tiktok", [exports / "page.json"], into, key="other")


def test_registry_tags_actors(exports, tmp_path):
    reg = tmp_path / "registry.csv"
    reg.write_text("handle,actor_type,country,label\n@user1,embassy,FR,\n"
                   "user2,state_media,RU,state-affiliated\n")
    into = tmp_path / "r"
    import_files("tiktok", [exports / "page.json", exports / "more.jsonl"], into,
                 registry=load_registry(reg))
    run = load_run(into)
    acc = {a["account"]: a for a in run.rows("SELECT * FROM accounts")}
    assert acc["user1"]["actor_type"] == "embassy" and acc["user1"]["actor"] == "user1"
    assert acc["user2"]["state_affiliated"] is True and acc["user2"]["actor_type"] == "state_media"
    assert sorted(acc) == ["user1", "user2"]  # user0's only video was rejected
    ranking = {r["actor"]: r for r in actor_ranking(run)}
    assert ranking["user1"]["impressions"] == 1001 + 1004  # videos 1 and 4
    bad = tmp_path / "bad.csv"
    bad.write_text("handle,actor_type,country\nx,spy,US\n")
    with pytest.raises(DiplosimError, match=r"bad.csv:2: actor_type: expected one of"):
        load_registry(bad)


def test_zeeschuimer_and_mapped_csv(tmp_path):
    item = {"item_id": "9", "source_platform": "tiktok.com", "data": {
        "id": "9", "createTime": 1_700_000_000, "author": {"uniqueId": "emb_fr"},
        "desc": "Bonjour #culture", "challenges": [{"title": "culture"}],
        "stats": {"diggCount": 5, "shareCount": 1, "commentCount": 0, "playCount": 90}}}
    (tmp_path / "z.ndjson").write_text(json.dumps(item) + "\n")
    r = import_files("zeeschuimer", [tmp_path / "z.ndjson"], tmp_path / "z")
    assert (r.loaded, r.rejected) == (1, 0)
    post = load_run(tmp_path / "z").rows("SELECT * FROM posts")[0]
    assert (post["account"], post["hashtags"], post["views"]) == ("emb_fr", ["#culture"], 90)

    from diplosim.ingest.formats import load_map

    (tmp_path / "m.yaml").write_text("columns: {post: id, account: who, time: when, "
                                     "url: link}\ntime_format: iso\n")
    (tmp_path / "x.csv").write_text("id,who,when,link\n1,a,2024-01-01T00:00:00Z,http://x.org\n"
                                    "2,b,yesterday,\n3,,2024-01-01T00:00:05Z,\n")
    r = import_files("csv", [tmp_path / "x.csv"], tmp_path / "c", load_map(tmp_path / "m.yaml"))
    assert (r.rows, r.loaded, r.rejected) == (3, 1, 2)
    reasons = load_run(tmp_path / "c").rows("SELECT line, reason FROM rejected ORDER BY line")
    assert reasons == [{"line": 3, "reason": "when: expected a time as iso, got 'yesterday'"},
                       {"line": 4, "reason": "missing account"}]
    (tmp_path / "bad.yaml").write_text("columns: {post: id, acount: who, time: when}\n")
    with pytest.raises(DiplosimError, match=r"bad.yaml: columns.account: Field required"):
        load_map(tmp_path / "bad.yaml")


def test_report_and_summary_on_imported_data(exports, tmp_path):
    into = tmp_path / "d"
    import_files("tiktok", [exports / "page.json"], into)
    result = runner.invoke(app, ["report", str(into)])
    assert result.exit_code == 0, result.output
    html = (into / "report.html").read_text()
    # the sections of an export, never a simulation's that could not apply
    assert "This run folder has no" not in html and "Data quality" in html
    assert "user1" in html  # top accounts by views
    summary = runner.invoke(app, ["summary", str(into)])
    assert summary.exit_code == 0, summary.output
    assert "not measurable here" not in summary.output
    assert "2 posts by 2 accounts" in summary.output
    assert "Rejected input rows (1;" in summary.output


def test_user_info_and_comments_in_the_apis_documented_shapes(exports, tmp_path):
    """Shapes from the Research API reference (developers.tiktok.com, research-api-specs-query-
    user-info and -query-video-comments): user info has no username in ``data``; comments
    pages are ``{"data": {"comments": [...], "cursor", "has_more"}, "error": {...}}``."""
    into = tmp_path / "d"
    import_files("tiktok", [exports / "page.json"], into)
    ok = {"code": "ok", "message": "", "log_id": "1"}
    users = [
        {"username": "user1", "data": {"display_name": "One", "bio_description": "hi",
                                       "avatar_url": "https://x", "is_verified": True,
                                       "follower_count": 1200, "following_count": 3,
                                       "likes_count": 50, "video_count": 9}, "error": ok},
        {"data": {"display_name": "nobody", "follower_count": 1}, "error": ok},
        {"username": "user2", "data": {"follower_count": "lots"}, "error": ok},
    ]
    (tmp_path / "users.jsonl").write_text("\n".join(json.dumps(u) for u in users) + "\n")
    r = import_files("tiktok-users", [tmp_path / "users.jsonl"], into)
    assert (r.rows, r.loaded, r.rejected) == (3, 1, 2)
    comments = {"data": {"comments": [
        {"id": 11, "video_id": 7_000_000_000_000_000_001, "text": "merci",
         "like_count": 2, "reply_count": 1, "parent_comment_id": 7_000_000_000_000_000_001,
         "create_time": 1_700_000_100},
        {"id": 12, "video_id": 7_000_000_000_000_000_001, "text": "de rien",
         "like_count": 0, "reply_count": 0, "parent_comment_id": 11,
         "create_time": 1_700_000_200},
        {"id": 13, "video_id": 7_000_000_000_000_000_002, "text": "no time"}],
        "cursor": 3, "has_more": False}, "error": ok}
    (tmp_path / "comments.json").write_text(json.dumps(comments, indent=2))
    r = import_files("tiktok-comments", [tmp_path / "comments.json"], into)
    assert (r.rows, r.loaded, r.rejected) == (3, 2, 1)
    run = load_run(into)
    assert run.rows("SELECT line, reason FROM rejected WHERE file LIKE '%users.jsonl' "
                    "ORDER BY line") == [
        {"line": 2, "reason": "username: the user-info response does not include it; save "
                              'each response with the username it was asked for, as '
                              '{"username": ..., "data": {...}}'},
        {"line": 3, "reason": "follower_count: expected a whole number, got 'lots'"}]
    assert run.rows("SELECT reason FROM rejected WHERE file LIKE '%comments.json'") == [
        {"reason": "missing create_time"}]
    assert run.rows("SELECT account, followers_end, verified, display_name FROM accounts "
                    "WHERE followers_end IS NOT NULL") == [
        {"account": "user1", "followers_end": 1200, "verified": True, "display_name": "One"}]
    # comments carry no author in the API; the video's author is their target
    assert run.rows("SELECT comment, post, target_account, parent FROM interactions "
                    "ORDER BY comment") == [
        {"comment": "11", "post": "7000000000000000001", "target_account": "user1",
         "parent": "7000000000000000001"},
        {"comment": "12", "post": "7000000000000000001", "target_account": "user1",
         "parent": "11"}]


def test_the_same_export_imports_to_the_same_table_every_time(tmp_path):
    """DuckDB reads and joins on several threads without keeping insertion order; the posts
    table is written by one thread, in the staged order, so two imports are identical."""
    import pyarrow.parquet as pq
    from benchmarks.bench_import import write_export

    export = tmp_path / "videos.jsonl"
    write_export(export, 0.02)  # about 15,000 videos
    tables = []
    for name in ("a", "b"):
        import_files("tiktok", [export], tmp_path / name)
        tables.append(pq.read_table(tmp_path / name / "posts.parquet"))
    a, b = tables
    assert a.num_rows > 10_000 and a.equals(b)
