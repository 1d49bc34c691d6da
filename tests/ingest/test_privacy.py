"""--pseudonymise: no original account name or id is left anywhere in the output folder, in any
format, including rejected rows, @mentions in text, the actor registry and the HTML report.
The test greps every byte of every file, and every value of every Parquet table decoded."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from diplosim.cli import app
from diplosim.errors import DiplosimError
from diplosim.ingest.importer import import_files
from diplosim.ingest.pseudonyms import fingerprint

runner = CliRunner()
KEY = "k" * 64
SECRETS = ["zzalice_secret", "zzbob.secret", "zzcarol_secret", "zzdave_secret", "zzfrank_secret",
           "zzgina_secret", "6912345678901234567", "Alice Secretname", "zzhank_secret",
           "zzivy_secret"]


def _inputs(tmp: Path) -> dict[str, list[Path]]:
    videos = {"data": {"videos": [
        {"id": 7001, "username": "zzalice_secret", "create_time": 1_700_000_000,
         "video_description": "hi @zzbob.secret and @zzcarol_secret #x", "like_count": 3},
        {"id": 7002, "username": "zzbob.secret", "create_time": 1_700_000_060,
         "video_description": "thanks @zzalice_secret."},
        {"id": 7003, "username": "zzdave_secret", "create_time": 1_700_000_120,
         "like_count": "many"},                       # rejected: its raw line names dave
        {"id": 7004, "username": {"name": "zzivy_secret"}, "create_time": "soon"},
    ]}}
    (tmp / "videos.json").write_text(json.dumps(videos))
    (tmp / "users.jsonl").write_text(json.dumps(
        {"username": "zzalice_secret", "data": {"display_name": "Alice Secretname",
                                               "bio_description": "ask @zzbob.secret",
                                               "follower_count": 9}}) + "\n{broken zzivy_secret\n")
    (tmp / "comments.jsonl").write_text(json.dumps(
        {"id": 1, "video_id": 7001, "username": "zzfrank_secret", "create_time": 1_700_000_200,
         "text": "@zzalice_secret lol"}) + "\n")
    (tmp / "z.ndjson").write_text(json.dumps(
        {"item_id": "9", "source_platform": "tiktok.com", "data": {
            "id": "9", "createTime": 1_700_000_300,
            "author": {"uniqueId": "zzgina_secret", "id": "6912345678901234567",
                       "nickname": "Gina"},
            "desc": "with @zzcarol_secret", "stats": {"playCount": 4}}}) + "\n")
    (tmp / "m.yaml").write_text("columns: {post: id, account: who, time: when, text: body}\n"
                                "time_format: iso\n")
    (tmp / "x.csv").write_text("id,who,when,body\n1,zzhank_secret,2024-01-01T00:00:00Z,"
                               "hello @zzgina_secret\n2,zzhank_secret,yesterday,x\n"
                               "3,zzivy_secret,2024-01-01T00:00:00Z,a,b,c\n")
    (tmp / "registry.csv").write_text("handle,actor_type,country,label\n"
                                      "@zzalice_secret,embassy,FR,\n")
    return {"tiktok": [tmp / "videos.json"], "tiktok-users": [tmp / "users.jsonl"],
            "tiktok-comments": [tmp / "comments.jsonl"], "zeeschuimer": [tmp / "z.ndjson"],
            "csv": [tmp / "x.csv"]}


def _every_value(folder: Path) -> str:
    """Every file's bytes, and every Parquet table decoded (compressed bytes hide names)."""
    parts = []
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            parts.append(f.read_bytes().decode("utf-8", "replace"))
            if f.suffix == ".parquet":
                parts.append(json.dumps(pq.read_table(f).to_pylist(), default=str))
    return "\n".join(parts)


def test_pseudonymised_folder_holds_no_original_name_or_id(tmp_path):
    into = tmp_path / "out"
    inputs = _inputs(tmp_path)
    for fmt, files in inputs.items():
        extra = ["--map", str(tmp_path / "m.yaml")] if fmt == "csv" else []
        if fmt == "tiktok":
            extra += ["--actors", str(tmp_path / "registry.csv")]
        done = runner.invoke(app, ["import", fmt, *map(str, files), "--into", str(into),
                                   "--pseudonymise", "--key", KEY, *extra])
        assert done.exit_code == 0, done.output
    report = runner.invoke(app, ["report", str(into)])
    assert report.exit_code == 0, report.output
    assert (into / "report.html").exists()
    blob = _every_value(into)
    assert len(blob) > 10_000  # the tables were read, not skipped
    found = [s for s in SECRETS if s.lower() in blob.lower()]
    assert found == []
    assert KEY not in blob
    # the data are still there, under pseudonyms: 2 posts + 1 csv + 1 zeeschuimer, 4 rejected
    from diplosim.analysis.run import load_run

    run = load_run(into)
    assert run.rows("SELECT count(*) AS n FROM posts")[0]["n"] == 4
    texts = {r["text"] for r in run.rows("SELECT text FROM posts")}
    assert any(t and t.startswith("hi @p_") and " and @p_" in t for t in texts)
    assert run.rows("SELECT count(*) AS n FROM rejected")[0]["n"] >= 4


# --- every format, every output: names and ids in every field, file names included ----------

A, B, C, D = ("alice_secret_handle", "bob_secret_handle", "carol_secret_handle",
              "dave_secret_handle")
E, F, G, H = ("erin_secret_handle", "frank_secret_handle", "gina_secret_handle",
              "hank_secret_handle")
VIDEO, VIDEO2, MUSIC, COMMENT, PARENT, DUET, AUTHOR_ID = (
    "7123456789012345678", "7123456789012345679", "7234567890123456789", "7345678901234567890",
    "7345678901234567891", "7456789012345678901", "6912345678901234567")
SHORT = "ZMsecretShort1"
#: Every name and id planted below; the file names' own names end in ``_secret_file``.
PLANTED = [A, B, C, D, E, F, G, H, "Alice Secretname", "alice.mail.secret", VIDEO, VIDEO2,
           MUSIC, COMMENT, PARENT, DUET, AUTHOR_ID, SHORT, "secret_file"]
LINK = f"https://www.tiktok.com/@{C}/video/{VIDEO}?is_from_webapp=1&sender_device=pc"
CAPTION = (f"look {LINK} and vm.tiktok.com/{SHORT}/ with @{D} #news "
           f"(write alice.mail.secret@example.org)")
T0 = 1_700_000_000


def _research_video(k: int, who: str) -> dict:
    return {"id": int(VIDEO2) + 10 * k, "username": who, "create_time": T0 + 10 * k,
            "video_description": CAPTION, "hashtag_names": ["news"], "music_id": int(MUSIC),
            "region_code": "FR", "like_count": 1, "voice_to_text": f"thanks @{E}",
            "video_label": {"content": "unverified"}}


def _zee(k: int, who: str) -> dict:
    return {"id": f"{VIDEO}{k}", "createTime": T0 + 10 * k, "desc": CAPTION,
            "author": {"uniqueId": who, "id": AUTHOR_ID, "nickname": "Alice Secretname"},
            "music": {"id": MUSIC}, "duetInfo": {"duetFromId": DUET},
            "stats": {"playCount": 5}, "challenges": [{"title": "news"}]}


def _list_page(asked: str, key: str, items: list) -> str:
    return json.dumps({"username": asked, "data": {"has_more": False, key: items}})


def _every_format(tmp: Path) -> list[tuple[str, Path, list[str]]]:
    """(format, file, extra options): each file named after a person, its rows full of names
    and ids, with rows that are rejected."""
    def put(name: str, text: str) -> Path:
        (tmp / name).write_text(text, encoding="utf-8")
        return tmp / name

    lines = [_research_video(k, who) for k, who in enumerate([A, B, A, B])]
    lines.append({**_research_video(9, F), "like_count": -3})  # rejected
    runs = [("tiktok", put(f"videos_of_{A}_secret_file.jsonl",  # the fast reader
                           "\n".join(map(json.dumps, lines)) + "\n"), []),
            ("tiktok", put(f"page_{B}_secret_file.json", json.dumps(  # a page: the exact one
                {"data": {"videos": [_research_video(20, C), {**_research_video(21, G),
                                                               "create_time": "soon"}]}},
                indent=2)), ["--actors", str(put("registry.csv", "handle,actor_type,country,"
                                                 f"label\n@{A},embassy,FR,\n"))]),
            ("zeeschuimer", put(f"zee_{C}_secret_file.ndjson", "\n".join(
                json.dumps({"source_platform": "tiktok.com", "data": _zee(k, w)})
                for k, w in ((30, A), (31, B), (32, D))) + "\n{broken " + H + "\n"), []),
            ("tiktokapi", put(f"api_{D}_secret_file.jsonl", json.dumps(_zee(40, E)) + "\n"), []),
            ("apify", put(f"apify_{E}_secret_file.json", json.dumps([
                {"id": f"{VIDEO}5", "createTime": T0 + 500, "text": CAPTION,
                 "authorMeta": {"name": G, "id": AUTHOR_ID}, "musicMeta": {"musicId": MUSIC},
                 "hashtags": [{"name": "news"}]},
                {"id": f"{VIDEO}6", "createTime": T0, "authorMeta": {"name": H},
                 "playCount": f"many {H}"}])), []),
            ("tiktok-users", put(f"users_{F}_secret_file.jsonl", json.dumps(
                {"username": A, "data": {"display_name": "Alice Secretname",
                                         "bio_description": f"see {LINK} @{B}",
                                         "follower_count": 3}}) + "\n"), []),
            ("tiktok-comments", put(f"comments_{G}_secret_file.jsonl", "\n".join(map(json.dumps, [
                {"id": COMMENT, "video_id": VIDEO2, "username": H, "create_time": T0 + 5,
                 "text": f"@{A} {LINK}", "parent_comment_id": PARENT},
                {"id": PARENT, "video_id": VIDEO2, "username": D, "create_time": "x"}])) + "\n"),
             []),
            ("csv", put(f"table_{H}_secret_file.csv",
                        "id,who,when,body,link,shared,sound,duet,said\n"
                        f"{VIDEO}7,{A},2023-11-14T22:13:20Z,{CAPTION},{LINK},{LINK},{MUSIC},"
                        f"{DUET},@{B}\n{VIDEO}8,{B},later,x,,,,,\n"),
             ["--map", str(put("m.yaml", "columns: {post: id, account: who, time: when, "
                                         "text: body, url: link, shared_object: shared, "
                                         "music: sound, duet_of: duet, transcript: said}\n"
                                         "time_format: iso\n"))])]
    for fmt, key in (("tiktok-followers", "user_followers"),
                     ("tiktok-following", "user_following")):
        runs.append((fmt, put(f"{fmt}_of_{A}_secret_file.jsonl", "\n".join([
            _list_page(A, key, [{"username": B, "display_name": "Alice Secretname"},
                                {"username": C}]),
            _list_page(A, key, [{"display_name": D}])]) + "\n"), []))
    for fmt, key in (("tiktok-reposted", "reposted_videos"), ("tiktok-liked", "liked_videos"),
                     ("tiktok-pinned", "pinned_videos")):
        runs.append((fmt, put(f"{fmt}_by_{B}_secret_file.jsonl", _list_page(B, key, [
            {"id": VIDEO2, "username": A, "create_time": T0},
            {"id": VIDEO, "username": C, "create_time": "soon"}]) + "\n"), []))
    return runs


def _found(blob: str) -> list[str]:
    return [s for s in PLANTED if s.lower() in blob.lower()]


def test_no_output_of_a_pseudonymised_folder_names_anyone(tmp_path):
    """Import every format with --pseudonymise, then summary, report and coordination with
    both CSVs: no name or id planted in the inputs (fields, links, mentions, file names) is in
    any output file, table value or printed line."""
    inputs, into = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    printed = []
    for fmt, path, extra in _every_format(inputs):
        done = runner.invoke(app, ["import", fmt, str(path), "--into", str(into),
                                   "--pseudonymise", "--key", KEY, *extra])
        assert done.exit_code == 0, done.output
        printed.append(done.output)
    pairs, ev = tmp_path / "pairs.csv", tmp_path / "ev.csv"
    for args in (["summary", str(into)], ["report", str(into)],
                 ["coordination", str(into), "--by", "url,hashtag,mention,sound",
                  "--out", str(pairs), "--evidence", str(ev), "--windows", "10,60"]):
        done = runner.invoke(app, args)
        assert done.exit_code == 0, done.output
        printed.append(done.output)
    blob = "\n".join([_every_value(into), pairs.read_text(), ev.read_text(), *printed])
    assert _found(blob) == []
    assert KEY not in blob
    # the data are all there, under pseudonyms, and still join
    from diplosim.analysis.run import load_run
    from diplosim.ingest.pseudonyms import pseudonym

    hide = pseudonym(KEY)
    run = load_run(into)
    posts = run.rows("SELECT post, account, urls, music, source_file FROM posts")
    assert len(posts) == 11  # 4 + 1 Research API, 3 + 1 captured, 1 Apify, 1 CSV
    assert {p["music"] for p in posts} == {hide(MUSIC)}
    url = f"https://www.tiktok.com/@{hide(C)}/video/{hide(VIDEO)}"
    assert all(url in p["urls"] for p in posts)  # the query (the sharer's ids) is gone
    assert all(p["source_file"].startswith("file_") for p in posts)
    comment = run.rows("SELECT * FROM interactions")[0]
    assert comment["post"] == hide(VIDEO2) and comment["parent"] == hide(PARENT)
    assert comment["target_account"] == hide(A)  # the comment still finds its video's author
    manifest = json.loads((into / "manifest.json").read_text())
    assert manifest["pseudonymisation"] == 2
    files = [f for i in manifest["imports"] for f in i["files"]]
    assert all(f.startswith("file_") and f.endswith((".jsonl", ".json", ".ndjson", ".csv"))
               for f in files), files
    evidence = ev.read_text()
    assert url in evidence and f"{hide(D)}" in evidence and hide(MUSIC) in evidence
    assert len(evidence.splitlines()) > 10


def test_a_folder_pseudonymised_by_an_earlier_version_takes_no_more_data(tmp_path):
    into = tmp_path / "out"
    into.mkdir()
    (into / "manifest.json").write_text(json.dumps(
        {"kind": "import", "imports": [{"format": "tiktok"}], "completed": True,
         "pseudonymised": True, "key_fingerprint": fingerprint(KEY)}))
    (tmp_path / "v.jsonl").write_text(json.dumps(_research_video(0, A)) + "\n")
    with pytest.raises(DiplosimError, match="earlier diplosim"):
        import_files("tiktok", [tmp_path / "v.jsonl"], into, key=KEY)
