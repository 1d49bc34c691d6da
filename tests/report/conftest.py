"""Run folders for the report's tests: a small simulated run of the example scenario, the same
under two other rankings, and a hand-built folder whose every string is hostile markup."""

from __future__ import annotations

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
             "campaign": [EVIL_IMG, EVIL_IMG, None], "hashtags": [["#" + EVIL_IMG], [], []],
             "messenger": ["embassy", "embassy", "user"], "topic": ["news"] * 3,
             "issue": [EVIL_CLOSE, EVIL_CLOSE, None], "stance": [0.5, -0.5, None],
             "claim": [EVIL, None, None], "fact_check_tick": [5, None, None],
             "impressions": [100, 50, 20], "completions": [60, 20, 10], "likes": [5, 1, 0],
             "comments": [1, 0, 0], "shares": [2, 1, 0]}
    accounts = {"account": [10, 11, 12, 13], "actor": [EVIL, None, None, None],
                "actor_type": ["embassy", "user", "user", "user"],
                "country": [EVIL_IMG, "US", "US", "US"], "followers_start": [5, 0, 0, 0],
                "followers_end": [9, 0, 0, 0]}
    exposures = {"post": [0, 1, 0], "country": ["US", "US", EVIL_IMG], "day": [0, 1, 1],
                 "hour": [3, 30, 31], "impressions": [60, 50, 40], "completions": [30, 20, 30],
                 "unique_viewers": [60, 50, 40]}
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
    events = {"tick": [24], "day": [1], "type": ["ban"], "subject": [EVIL_IMG],
              "detail": [json.dumps({"vpn_share": 0.1})]}
    manifest = {"completed": True, "scenario": {"name": EVIL, "description": EVIL_IMG,
                                                "duration_days": 2}}
    return write_folder(tmp_path_factory.mktemp("hostile") / "run", {
        "posts": posts, "accounts": accounts, "exposures": exposures, "audience": audience,
        "interactions": interactions, "attitudes": attitudes, "events": events}, manifest)
