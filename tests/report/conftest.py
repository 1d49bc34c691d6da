"""Run folders for the report's tests: a small simulated run of the example scenario, the same
under two other rankings, and a hand-built folder whose every string is hostile markup."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from diplosim.cli import app
from tests.conftest import EXAMPLE

SMALL = ["--set", "world.users=4000"]


def cli(*args: str):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="session")
def example_run(tmp_path_factory) -> Path:
    """The example scenario at 4,000 users, with its report."""
    out = tmp_path_factory.mktemp("report_runs") / "example"
    cli("run", EXAMPLE, "--quiet", "--out", out, *SMALL)
    return out


@pytest.fixture(scope="session")
def ranking_runs(tmp_path_factory) -> dict[str, Path]:
    """The example without its timeline (whose policy event switches the ranking on day 10)
    under each ranking, without reports."""
    base = tmp_path_factory.mktemp("ranking_runs")
    runs = {}
    for ranking in ("engagement", "social", "chronological"):
        runs[ranking] = base / ranking
        cli("run", EXAMPLE, "--quiet", "--no-report", "--out", runs[ranking], *SMALL,
            "--set", "events=[]", "--set", f"platform.ranking={ranking}")
    return runs


EVIL = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(2)>"
EVIL_CLOSE = "</script><script>alert(3)</script>"
#: Plotly draws ``<a href>`` in chart text as a link: a name must show as text instead.
EVIL_LINK = '<a href="https://evil.example/x">click</a>'


def write_folder(folder: Path, tables: dict[str, dict], manifest: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, columns in tables.items():
        pq.write_table(pa.table(columns), folder / f"{name}.parquet")
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory) -> Path:
    """Every string a data set controls carries markup: actor, campaign, country, hashtags,
    issue, claim, event subject, scenario name."""
    posts = {"post": [0, 1, 2], "account": [10, 10, 11], "actor": [EVIL, EVIL, None],
             "campaign": [EVIL_IMG, EVIL_IMG, EVIL_LINK],
             "hashtags": [["#" + EVIL_IMG], ["#" + EVIL_LINK], []],
             "messenger": ["embassy", "embassy", "user"], "topic": ["news"] * 3,
             "issue": [EVIL_CLOSE, EVIL_CLOSE, None], "stance": [0.5, -0.5, None],
             "claim": [EVIL, None, None], "fact_check_tick": [5, None, None],
             "impressions": [100, 50, 20], "completions": [60, 20, 10], "likes": [5, 1, 0],
             "comments": [1, 0, 0], "shares": [2, 1, 0]}
    accounts = {"account": [10, 11, 12, 13], "actor": [EVIL, None, None, None],
                "actor_type": ["embassy", "user", "user", "user"],
                "country": [EVIL_IMG, "US", EVIL_LINK, "US"], "followers_start": [5, 0, 0, 0],
                "followers_end": [9, 0, 0, 0]}
    exposures = {"post": [0, 1, 0, 1], "country": ["US", "US", EVIL_IMG, EVIL_LINK],
                 "day": [0, 1, 1, 1], "hour": [3, 30, 31, 32], "impressions": [60, 50, 40, 5],
                 "completions": [30, 20, 30, 2], "unique_viewers": [60, 50, 40, 5]}
    audience = {"day": [0, 1], "actor": [EVIL, EVIL], "country": ["US", "US"],
                "unique_viewers": [55, 45]}
    # two accounts (one named with markup) share the same two posts seconds apart: coordinated
    interactions = {"kind": ["share"] * 4, "post": [0, 0, 1, 1],
                    "account": [EVIL_IMG, "u13", EVIL_IMG, "u13"],
                    "from_account": ["10", EVIL_IMG, "10", EVIL_IMG], "time": [10, 20, 30, 40]}
    attitudes = {"day": [0, 1, 0, 1], "country": ["US"] * 4,
                 "kind": ["favourability", "favourability", "belief", "belief"],
                 "subject": [EVIL_IMG, EVIL_IMG, EVIL, EVIL], "n": [100] * 4,
                 "mean": [0.1, 0.2, 0.1, 0.3], "share_pos": [0.3, 0.4, 0.05, 0.2],
                 "share_neg": [0.1, 0.1, 0.5, 0.4]}
    events = {"tick": [24, 30], "day": [1, 1], "type": ["ban", "label"],
              "subject": [EVIL_IMG, EVIL_LINK],
              "detail": [json.dumps({"vpn_share": 0.1}), json.dumps({})]}
    manifest = {"completed": True, "scenario": {"name": EVIL, "description": EVIL_IMG,
                                                "duration_days": 2}}
    return write_folder(tmp_path_factory.mktemp("hostile") / "run", {
        "posts": posts, "accounts": accounts, "exposures": exposures, "audience": audience,
        "interactions": interactions, "attitudes": attitudes, "events": events}, manifest)


@pytest.fixture(scope="session")
def hostile_import(tmp_path_factory) -> Path:
    """An imported folder (Research API videos, a registry) whose account names, hashtags,
    regions, sounds and registry labels are markup, links among them."""
    tmp = tmp_path_factory.mktemp("hostile_import")
    names = [EVIL_LINK, EVIL, EVIL_IMG, "plain_account"]
    videos = [{"id": 7_300_000_000_000_000_000 + k, "username": names[k % 4],
               "create_time": 1_700_000_000 + 3600 * k, "video_description": f"#{k} {EVIL_LINK}",
               "hashtag_names": [EVIL_LINK, EVIL_IMG, "news"], "region_code": names[k % 3],
               "music_id": names[k % 2], "view_count": 10 * k + 1, "like_count": k,
               "video_label": {"content": EVIL_LINK}} for k in range(24)]
    (tmp / "videos.jsonl").write_text("\n".join(json.dumps(v) for v in videos) + "\n")
    with open(tmp / "registry.csv", "w", encoding="utf-8", newline="") as f:
        registry = csv.writer(f)
        registry.writerow(["handle", "actor_type", "country", "label"])
        registry.writerows([n, "embassy", "FR", EVIL_LINK] for n in names[:2])
    folder = tmp / "folder"
    cli("import", "tiktok", tmp / "videos.jsonl", "--into", folder, "--actors",
        tmp / "registry.csv")
    return folder
