"""The Research API's per-user lists (followers, following; reposted, liked, pinned videos),
each saved response carrying the username it was asked for (fixtures written from TikTok's
specification of each endpoint's response), and the posts' duet, transcript and label fields."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from diplosim.analysis import user_lists
from diplosim.analysis.run import load_run
from diplosim.cli import app
from diplosim.ingest.importer import import_files


def _page(asked, key, items, **extra):
    page = {"data": {"cursor": 1706837834, "has_more": False, key: items}, **extra}
    if asked is not None:
        page["username"] = asked
    return json.dumps(page)


def _table(folder, name):
    return duckdb.sql(f"SELECT * FROM '{folder / name}.parquet'").fetchall()


@pytest.fixture()
def lists(tmp_path):
    (tmp_path / "followers.jsonl").write_text("\n".join([
        _page("embassy_a", "user_followers", [{"display_name": "U 1", "username": "u1"},
                                              {"display_name": "U 2", "username": "u2"},
                                              {"display_name": "U 3", "username": "u3"}]),
        _page("embassy_b", "user_followers", [{"username": "u1"}, {"username": "u2"}]),
        _page(None, "user_followers", [{"username": "u9"}]),  # saved without the username
        _page("embassy_b", "user_followers", [{"display_name": "no name"}]),
        '{"username": "embassy_c", "data": {}}',  # an empty page lists nothing
    ]) + "\n")
    (tmp_path / "following.json").write_text(json.dumps(  # one pretty-printed page
        {"username": "u1", "data": {"user_following": [{"username": "embassy_a"},
                                                        {"username": "embassy_c"}],
                                    "cursor": 1, "has_more": False}}, indent=2))
    videos = [{"id": 7_100_000_000_000_000_000 + k, "username": f"creator{k % 2}",
               "create_time": 1_700_000_000 + k} for k in range(4)]
    (tmp_path / "reposted.jsonl").write_text("\n".join([
        _page("u1", "reposted_videos", videos[:3]),
        _page("u2", "reposted_videos", videos[1:4]),
        _page("u3", "reposted_videos", [videos[0], {"username": "no id"}]),
    ]) + "\n")
    (tmp_path / "liked.jsonl").write_text(_page("u1", "user_liked_videos", videos[:2]) + "\n")
    (tmp_path / "pinned.jsonl").write_text(_page("u2", "pinned_videos_list", videos[3:]) + "\n")
    return tmp_path


def test_followers_and_following_make_a_follow_graph_accounting_for_every_row(lists):
    out = lists / "d"
    r = import_files("tiktok-followers", [lists / "followers.jsonl"], out)
    # 3 + 2 listed, 1 from a response without its username, 1 without a username of its own
    assert (r.rows, r.loaded, r.rejected, r.duplicates) == (7, 5, 2, 0)
    reasons = [row[3] for row in _table(out, "rejected")]
    assert any("does not include the account it was asked for" in x for x in reasons)
    assert any("missing username" in x for x in reasons)
    r = import_files("tiktok-following", [lists / "following.json"], out)
    # u1 -> embassy_a is already known from embassy_a's followers: kept once
    assert (r.rows, r.loaded, r.duplicates) == (2, 1, 1)
    ties = {(a, b) for a, b, *_ in _table(out, "follows")}
    assert ties == {("u1", "embassy_a"), ("u2", "embassy_a"), ("u3", "embassy_a"),
                    ("u1", "embassy_b"), ("u2", "embassy_b"), ("u1", "embassy_c")}
    assert import_files("tiktok-followers", [lists / "followers.jsonl"], out).loaded == 0
    run = load_run(out)
    s = user_lists.follow_summary(run)
    assert (s["ties"], s["accounts"], s["mutual_ties"]) == (6, 6, 0)
    assert user_lists.most_followed(run)[0] == {"account": "embassy_a", "account_type": "user",
                                                "followers_listed": 3}
    # embassy_a's followers {u1,u2,u3} and embassy_b's {u1,u2}: 2 shared of 3
    assert user_lists.audience_overlap(run) == [{"account_a": "embassy_a",
                                                 "account_b": "embassy_b",
                                                 "shared_followers": 2,
                                                 "jaccard": pytest.approx(2 / 3)}]


def test_reposted_liked_and_pinned_videos(lists):
    out = lists / "d"
    r = import_files("tiktok-reposted", [lists / "reposted.jsonl"], out)
    assert (r.rows, r.loaded, r.rejected) == (8, 7, 1)
    import_files("tiktok-liked", [lists / "liked.jsonl"], out)
    import_files("tiktok-pinned", [lists / "pinned.jsonl"], out)
    run = load_run(out)
    assert user_lists.engagement_summary(run) == [
        {"relation": "like", "accounts": 1, "listed": 2, "videos": 2, "creators": 2},
        {"relation": "pin", "accounts": 1, "listed": 1, "videos": 1, "creators": 1},
        {"relation": "repost", "accounts": 3, "listed": 7, "videos": 4, "creators": 2}]
    # u1 reposted videos 0-2, u2 1-3: two in common of four
    assert user_lists.shared_engagements(run) == [{"account_a": "u1", "account_b": "u2",
                                                   "shared_videos": 2, "jaccard": 0.5}]
    top = user_lists.top_engaged(run)[0]
    assert (top["relation"], top["accounts"]) == ("repost", 2)
    html = (out / "report.html")
    result = CliRunner().invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert "Reposted, liked and pinned videos" in page and "Accounts reposting the same" in page
    assert "Posting volume" not in page  # no posts: the posts' sections are not offered
    summary = CliRunner().invoke(app, ["summary", str(out)])
    assert summary.exit_code == 0 and "repost" in summary.output


def test_pseudonymised_lists_hide_every_account(lists):
    out = lists / "p"
    import_files("tiktok-followers", [lists / "followers.jsonl"], out, key="k" * 32)
    import_files("tiktok-reposted", [lists / "reposted.jsonl"], out, key="k" * 32)
    names = {"embassy_a", "embassy_b", "u1", "u2", "u3", "creator0", "creator1"}
    seen = {v for row in _table(out, "follows") for v in row[:2]}
    seen |= {row[0] for row in _table(out, "engagements")}
    seen |= {row[3] for row in _table(out, "engagements")}
    assert len(seen) == 7 and not seen & names


def test_transcript_label_and_duet_fields(tmp_path):
    base = {"create_time": 1_700_000_000, "hashtag_names": [], "view_count": 100}
    videos = [dict(base, id=1, username="a", voice_to_text="the same words said here",
                   video_label={"content": "Get info on the U.S. elections"}),
              dict(base, id=2, username="b", create_time=1_700_000_030,
                   voice_to_text="the same words said here!", video_label="Election info"),
              dict(base, id=3, username="c")]
    (tmp_path / "v.jsonl").write_text("\n".join(json.dumps(v) for v in videos) + "\n")
    for fast in (True, False):
        out = tmp_path / f"d{fast}"
        import_files("tiktok", [tmp_path / "v.jsonl"], out, fast_json=fast)
        got = duckdb.sql(f"SELECT post, transcript, label FROM '{out}/posts.parquet' "
                         "ORDER BY post").fetchall()
        assert got == [("1", "the same words said here", "Get info on the U.S. elections"),
                       ("2", "the same words said here!", "Election info"),
                       ("3", None, None)], fast
    run = load_run(tmp_path / "dTrue")
    assert [(r["label"], r["posts"]) for r in user_lists.labels(run)] == [
        ("Election info", 1), ("Get info on the U.S. elections", 1)]
    web = [{"id": str(10 + k), "createTime": 1_700_000_000 + 5 * k,
            "author": {"uniqueId": user}, "desc": "", "stats": {"playCount": 1},
            "duetInfo": {"duetFromId": "10" if k else "0"}}
           for k, user in enumerate(["src", "x", "y", "x", "y"])]
    (tmp_path / "z.jsonl").write_text("\n".join(json.dumps({"data": w}) for w in web) + "\n")
    import_files("zeeschuimer", [tmp_path / "z.jsonl"], tmp_path / "z")
    run = load_run(tmp_path / "z")
    assert user_lists.duets(run) == [{"video": "10", "author": "src", "duets": 4,
                                      "accounts": 2, "first": 1_700_000_005,
                                      "last": 1_700_000_020}]
