"""The report and summary of an imported export: every section shows something the export
holds, and the data-quality checks count and explain what is implausible."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from diplosim.analysis import exports
from diplosim.analysis.quality import quality_checks
from diplosim.analysis.run import load_run
from diplosim.cli import app
from diplosim.ingest.importer import import_files
from diplosim.report.imported import build_imported_sections

runner = CliRunner()
T0 = 1_700_000_000  # 14 November 2023


def _video(i, **kw):
    v = {"id": str(7_300_000_000_000_000_001 + 7919 * i), "create_time": T0 + 3600 * i,
         "username": f"acct{i % 5}", "region_code": ["FR", "DE", "US"][i % 3],
         "video_description": f"clip {i} #paris @acct{(i + 1) % 5}",
         "hashtag_names": ["paris", "travel"] if i % 2 else ["paris", "food"],
         "like_count": 10 + i, "comment_count": 1, "share_count": 2,
         "view_count": 100 * (i + 1), "music_id": str(900 + i % 2)}
    if i % 10 == 3:
        v["video_label"] = {"content": "Get info on the U.S. elections"}
    v.update(kw)
    return v


@pytest.fixture
def folder(tmp_path):
    videos = [_video(i) for i in range(40)]
    videos += [
        _video(40, like_count=5000, view_count=100),      # more likes than views
        _video(41, view_count=0),                          # engagement without views
        _video(42, create_time=1_300_000_000),             # before TikTok existed
        _video(43, create_time=(T0 + 5) * 1000),           # milliseconds: rejected
        _video(44, like_count=-3),                         # negative: rejected
        _video(45, share_count=2.5),                       # not whole: rejected
        _video(46, view_count=120.0),                      # a whole float: loaded
    ]
    pages = [{"data": {"videos": videos[:25], "cursor": 25, "has_more": True}},
             {"data": {"videos": videos[20:], "cursor": 47, "has_more": False}}]  # 5 repeats
    for k, page in enumerate(pages):
        (tmp_path / f"page{k}.json").write_text(json.dumps(page, indent=1))
    into = tmp_path / "d"
    import_files("tiktok", [tmp_path / "page0.json", tmp_path / "page1.json"], into)
    first = 7_300_000_000_000_000_001
    comments = [{"id": 1, "video_id": first, "parent_comment_id": first, "text": "a",
                 "create_time": T0 + 100},
                {"id": 2, "video_id": first, "parent_comment_id": 1, "text": "b",
                 "create_time": T0 + 200},
                {"id": 3, "video_id": first, "parent_comment_id": 2, "text": "c",
                 "create_time": T0 + 90_000}]
    (tmp_path / "c.json").write_text(json.dumps({"data": {"comments": comments}}))
    import_files("tiktok-comments", [tmp_path / "c.json"], into)
    return into


def test_the_quality_checks_count_each_problem(folder):
    checks = {c.id: c for c in quality_checks(load_run(folder))}
    assert checks["milliseconds"].count == 1 and checks["negative_counts"].count == 1
    assert checks["fractional_counts"].count == 1 and checks["missing_fields"].count == 0
    assert checks["duplicates"].count == 5
    assert checks["likes_above_views"].count == 1
    assert checks["engagement_without_views"].count == 1
    assert checks["time_outside"].count == 1
    assert checks["id_precision"].count == 0
    # every row read is accounted for: 52 video rows (25 + 27) and 3 comments
    assert checks["duplicates"].of == 55
    assert "milliseconds" in checks["milliseconds"].meaning
    assert checks["likes_above_views"].examples == [_video(40)["id"]]


def test_ids_rounded_through_a_float_are_flagged(tmp_path):
    # 30 ids written as floats: each kept only ~16 significant digits
    videos = [_video(i, id=int(float(7_300_000_000_000_000_001 + 7919 * i)))
              for i in range(30)]
    (tmp_path / "p.json").write_text(json.dumps({"data": {"videos": videos}}))
    import_files("tiktok", [tmp_path / "p.json"], tmp_path / "d")
    check = next(c for c in quality_checks(load_run(tmp_path / "d")) if c.id == "id_precision")
    assert check.count == 30 and "last digits are gone" in check.meaning


def test_the_export_measures(folder):
    run = load_run(folder)
    pairs = {(r["hashtag_a"], r["hashtag_b"]): r["posts"] for r in exports.hashtag_pairs(run)}
    # 44 posts loaded: videos 0-42 and 46 (odd ones #travel, even ones #food)
    assert pairs[("#paris", "#travel")] == 21 and pairs[("#food", "#paris")] == 23
    sounds = {r["sound"]: r for r in exports.sounds(run)}
    assert sounds["900"]["posts"] + sounds["901"]["posts"] == 44
    assert sounds["900"]["accounts"] == 5
    regions = {r["region"]: r["posts"] for r in exports.regions(run)}
    assert sum(regions.values()) == 44 and regions["FR"] == 15
    values, tail = exports.views_distribution(run)  # 43 posts with views (video 41 has 0)
    assert tail[0] == 1.0 and values[0] == 100 and tail[-1] == pytest.approx(1 / 43)
    edges, most = exports.mentions(run)
    assert {m["mentioned"] for m in most} == {f"acct{k}" for k in range(5)}
    assert sum(e["posts"] for e in edges) == 44
    comments = exports.comment_summary(run)
    assert comments["depth"] == [{"depth": 1, "comments": 1}, {"depth": 2, "comments": 1},
                                 {"depth": 3, "comments": 1}]
    assert [d["comments"] for d in comments["per_day"]] == [2, 1]


def test_every_section_of_the_report_shows_something(folder):
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    html = (folder / "report.html").read_text()
    assert "This run folder has no" not in html and "cannot be measured" not in html
    run = load_run(folder)
    sections = build_imported_sections(run)
    assert [s.id for s in sections] == ["quality", "volume", "actors", "hashtags", "sounds",
                                        "regions", "engagement", "labels", "mentions",
                                        "comments", "coordination"]
    for sec in sections:
        if sec.id == "coordination":
            continue  # no pair of these accounts posted the same object within 60 s twice
        assert sec.missing is None, (sec.id, sec.missing)
        assert sec.figure is not None or sec.tables, sec.id
    assert html.index("Data quality") < html.index("Posting volume")
    assert "More likes than views" in html
    labelled = [r for r in sections[7].tables[0].rows]
    assert [(r["label"], r["posts"]) for r in labelled] == [("Get info on the U.S. elections",
                                                            4)]


def test_the_summary_starts_with_the_quality_checks(folder):
    result = runner.invoke(app, ["summary", str(folder)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "not measurable here" not in text
    assert text.index("Data quality") < text.index("44 posts by 5 accounts")
    assert "Times in milliseconds" in text and "#travel" in text


def test_the_readme_walkthrough_videos_comments_and_lists_into_one_folder(folder, tmp_path):
    """The README's path: videos and comments (the fixture), then followers lists and reposted
    videos into the same folder; the report offers every section the folder makes possible,
    each showing something, and the coordination command writes its evidence and curve."""
    followers = {"username": "acct0", "data": {"user_followers": [
        {"username": "acct1"}, {"username": "acct2"}, {"username": "fan"}]}}
    followers_b = {"username": "acct3", "data": {"user_followers": [
        {"username": "acct1"}, {"username": "acct2"}]}}
    (tmp_path / "f.jsonl").write_text(json.dumps(followers) + "\n" + json.dumps(followers_b))
    ids = [7_300_000_000_000_000_001 + 7919 * k for k in range(3)]
    reposted = [{"username": u, "data": {"reposted_videos": [
        {"id": i, "username": "acct0", "create_time": T0} for i in ids]}} for u in ("fan", "x")]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(p) for p in reposted))
    for fmt, name in (("tiktok-followers", "f.jsonl"), ("tiktok-reposted", "r.jsonl")):
        result = runner.invoke(app, ["import", fmt, str(tmp_path / name), "--into", str(folder)])
        assert result.exit_code == 0, result.output
    run = load_run(folder)
    sections = {s.id: s for s in build_imported_sections(run)}
    assert list(sections)[-2:] == ["follows", "user_videos"]
    assert "5 follow ties among 5 accounts" in sections["follows"].notes[0]
    overlap = sections["follows"].tables[1].rows
    assert overlap == [{"account_a": "acct0", "account_b": "acct3", "shared_followers": 2,
                        "jaccard": pytest.approx(2 / 3)}]
    shared = sections["user_videos"].tables[2].rows
    assert shared == [{"account_a": "fan", "account_b": "x", "shared_videos": 3,
                       "jaccard": 1.0}]
    for sec in sections.values():
        assert sec.id == "coordination" or (sec.missing is None and (sec.figure or sec.tables))
    out = tmp_path / "c"
    result = runner.invoke(app, ["coordination", str(folder), "--by", "sound,hashtag_set",
                                 "--window", "7200", "--min-weight", "1", "--out",
                                 str(out / "pairs.csv"), "--evidence",
                                 str(out / "evidence.csv"), "--windows", "60,3600,7200"])
    assert result.exit_code == 0, result.output
    pairs = (out / "pairs.csv").read_text().splitlines()
    evidence = (out / "evidence.csv").read_text().splitlines()
    assert len(pairs) > 1 and len(evidence) >= len(pairs)
