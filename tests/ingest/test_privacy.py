"""--pseudonymise: no original account name or id is left anywhere in the output folder, in any
format, including rejected rows, @mentions in text, the actor registry and the HTML report.
The test greps every byte of every file, and every value of every Parquet table decoded."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from diplosim.cli import app

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
