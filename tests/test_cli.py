"""The command line: every command has help and is documented; exit codes and JSON are stable."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from diplosim.cli import app
from tests.conftest import EXAMPLE, EXAMPLE_TEXT, ROOT

runner = CliRunner()
COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]


def _diplosim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "diplosim.cli", *args], capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    cmd = next(c for c in app.registered_commands if (c.name or c.callback.__name__) == command)
    assert (cmd.callback.__doc__ or "").strip(), f"{command} has no help text"
    assert f"diplosim {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_validate_ok_prints_a_summary():
    result = _diplosim("validate", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert "example  seed 7, 14 days, 100,000 users in 10 countries" in result.stdout
    assert "fr_embassy_jp" in result.stdout and "influencer_briefing" in result.stdout
    assert len(result.stdout.splitlines()) < 50  # one screen


def test_validate_prints_every_error_and_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE_TEXT.replace("ranking: engagement", "ranking: random")
                   .replace("posts_per_day: 3\n", "posts_per_day: three\n"))
    result = _diplosim("validate", str(bad))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        'bad.yaml:21: platform.ranking: expected one of engagement, social, chronological, got '
        '"random"',
        'bad.yaml:75: actors[1].campaigns[0].posts_per_day: expected a number >= 0, got "three"',
    ]
    assert "Traceback" not in result.stderr


def test_set_overrides_reach_validate():
    result = _diplosim("validate", str(EXAMPLE), "--set", "world.users=-5")
    assert result.returncode == 1
    assert "--set world.users=-5: world.users: expected a whole number from 1" in result.stderr


def test_world_json(tmp_path):
    out = tmp_path / "w.json"
    result = _diplosim("world", str(EXAMPLE), "--users", "5000", "--seed", "3", "--format",
                       "json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["users"] == 5000 and sum(data["countries"].values()) == 5000
    assert list(data["countries"]) == ["US", "GB", "DE", "FR", "PL", "UA", "RU", "JP", "ID", "BR"]
    assert 0 < data["bytes_per_user"] < 300
    assert json.loads(out.read_text()) == data


def test_world_table_names_sources_and_memory():
    result = runner.invoke(app, ["world", str(EXAMPLE), "--users", "2000"])
    assert result.exit_code == 0
    assert "published" in result.stdout and "estimate" in result.stdout
    assert "bytes per user" in result.stdout


def test_usage_errors_exit_2():
    assert _diplosim("world", str(EXAMPLE), "--format", "xml").returncode == 2
    assert _diplosim("nonsense").returncode == 2


def test_summary_of_a_run_and_refusal_of_an_unfinished_one(tmp_path):
    out = tmp_path / "run"
    done = _diplosim("run", str(EXAMPLE), "--quiet", "--out", str(out), "--set",
                     "world.users=3000")
    assert done.returncode == 0, done.stderr
    result = _diplosim("summary", str(out))
    assert result.returncode == 0, result.stderr
    for title in ("Top actors per country", "Favourability change", "Narrative share",
                  "Belief in each claim", "Engagement per view by actor", "Event effects",
                  "False claims"):
        assert title in result.stdout
    assert "us_state_dept" in result.stdout
    manifest = out / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"completed": true', '"completed": false'))
    refused = _diplosim("summary", str(out))
    assert refused.returncode == 1 and "did not complete" in refused.stderr


def test_run_summary_and_report_print_one_total_and_name_the_network(tmp_path):
    """The example has a coordinated network and a ban: the impressions ``diplosim run``
    prints, the summary's and the report's are the exposures table's sum, and the network
    has its own row where actors are listed."""
    import re

    from diplosim.analysis.run import load_run

    out = tmp_path / "run"
    done = _diplosim("run", str(EXAMPLE), "--out", str(out), "--set", "world.users=3000")
    assert done.returncode == 0, done.stderr
    (truth,) = load_run(out).con.execute("SELECT sum(impressions) FROM exposures").fetchone()
    printed = re.search(r"14 days: ([\d,]+) impressions", done.stdout)
    assert printed and int(printed.group(1).replace(",", "")) == truth
    summary = _diplosim("summary", str(out))
    assert f"{truth:,} impressions" in summary.stdout
    report = (out / "report.html").read_text(encoding="utf-8")
    assert f"{truth:,}" in report
    assert "biolabs_network" in summary.stdout and "biolabs_network" in report
    # the same tables for a paper: JSON and Markdown on stdout, one CSV per table
    tables = json.loads(_diplosim("summary", str(out), "--format", "json").stdout)
    assert tables["totals"] == [{"posts": tables["totals"][0]["posts"], "impressions": truth,
                                 "engagement_per_view": tables["totals"][0]
                                 ["engagement_per_view"]}]
    assert {"reach", "engagement_by_actor", "top_posts", "event_effects"} <= set(tables)
    assert {r["actor"] for r in tables["top_posts"]} >= {"us_state_dept", "biolabs_network"}
    md = _diplosim("summary", str(out), "--format", "md").stdout
    assert "## totals" in md and f"| {tables['totals'][0]['posts']} | {truth} |" in md
    refused = _diplosim("summary", str(out), "--format", "csv")
    assert refused.returncode == 1 and "give --out DIR" in refused.stderr
    written = _diplosim("summary", str(out), "--format", "csv", "--out", str(tmp_path / "csv"))
    assert written.returncode == 0, written.stderr
    import csv

    with (tmp_path / "csv" / "reach.csv").open(encoding="utf-8") as f:
        assert list(csv.DictReader(f)) == [{k: "" if v is None else str(v) for k, v in r.items()}
                                           for r in tables["reach"]]


def test_docs_global_total_is_the_tables():
    from diplosim.world.countries import country_table

    total = sum(c.platform_users for c in country_table().values())
    assert f"{total / 1e9:.2f} billion" in (ROOT / "docs" / "world.md").read_text(encoding="utf-8")


def test_scenarios_lists_the_built_in_cases_with_their_questions():
    result = _diplosim("scenarios")
    assert result.returncode == 0, result.stderr
    for name in ("ukraine_2022", "israel_palestine_narratives", "us_ban_2025", "india_ban_2020",
                 "who_covid_2020", "embassy_cultural", "regional_tourism"):
        assert name in result.stdout
    assert "no_fact_check" in result.stdout and "Whose voices reach" in result.stdout


def test_variant_option_applies_a_declared_variant_or_names_the_choices():
    ok = _diplosim("validate", str(ROOT / "scenarios" / "us_ban_2025.yaml"), "--variant",
                   "no_ban")
    assert ok.returncode == 0, ok.stderr
    assert "us_ban_2025-no_ban" in ok.stdout
    bad = _diplosim("validate", str(ROOT / "scenarios" / "us_ban_2025.yaml"), "--variant", "x")
    assert bad.returncode == 1
    assert "us_ban_2025.yaml" in bad.stderr and "no variant 'x'" in bad.stderr
    assert "ban_held, no_ban" in bad.stderr


# Outputs never destroy what diplosim did not write (issue 44): each attack from the review.

def _refused(done: subprocess.CompletedProcess, *texts: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    msg = " ".join(done.stderr.split())
    for text in texts:
        assert text in msg, msg


def _files(folder):
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_run_refuses_a_folder_it_did_not_make_and_force_replaces_only_its_names(tmp_path):
    mine = tmp_path / "mine"
    (mine / ".partial").mkdir(parents=True)
    (mine / ".partial" / "draft.txt").write_text("mine")
    (mine / "report.html").write_text("<html>my own page</html>")
    (mine / "manifest.json").write_text('{"mine": true}')
    (mine / "notes.txt").write_text("mine")
    before = _files(mine)
    args = ["run", str(EXAMPLE), "--quiet", "--set", "world.users=3000", "--out", str(mine)]
    _refused(_diplosim(*args), f"--out {mine}: a folder diplosim did not make", "--force")
    assert _files(mine) == before
    done = _diplosim(*args, "--force")
    assert done.returncode == 0, done.stderr
    assert (mine / "notes.txt").read_text() == "mine"  # not named as a run's: untouched
    assert json.loads((mine / "manifest.json").read_text())["completed"] is True
    marker = json.loads((mine / ".diplosim").read_text())
    assert marker["kind"] == "run" and "report.html" in marker["files"]
    again = _diplosim(*args[:-2], "--out", str(mine), "--no-report")  # now a run folder
    assert again.returncode == 0, again.stderr
    assert not (mine / "report.html").exists()  # diplosim's own page of the earlier run
    assert (mine / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("folder", ["/", "~"])
def test_run_refuses_the_root_and_home(folder):
    from pathlib import Path

    path = str(Path(folder).expanduser())
    _refused(_diplosim("run", str(EXAMPLE), "--out", path, "--force"),
             f"--out {path}: refused as an output folder")


def test_report_never_replaces_the_scenario(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(EXAMPLE_TEXT)
    _refused(_diplosim("report", str(tmp_path / "run"), "--out", str(scenario)),
             f"--out {scenario}: exists and holds yaml, not html", "--force")
    assert scenario.read_text() == EXAMPLE_TEXT


def _import_folder(tmp_path):
    from diplosim.store.folders import claim_folder

    data = tmp_path / "data"
    claim_folder(data, "import", "--into")
    (data / "posts.parquet").write_bytes(b"PAR1 the input table PAR1")
    (data / "manifest.json").write_text('{"kind": "import", "completed": true}')
    return data


@pytest.mark.parametrize("option", ["--out", "--evidence"])
def test_coordination_never_writes_over_its_input_tables(tmp_path, option):
    data = _import_folder(tmp_path)
    before = _files(data)
    _refused(_diplosim("coordination", str(data), option, str(data / "posts.parquet"),
                       "--force"), f"{option} {data / 'posts.parquet'}: is data of {data}")
    assert _files(data) == before


def test_import_refuses_a_folder_holding_another_tools_tables(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "posts.parquet").write_bytes(b"PAR1 another tool's table PAR1")
    export = tmp_path / "videos.json"
    export.write_text("")
    _refused(_diplosim("import", "tiktok", str(export), "--into", str(other)),
             f"--into {other}: a folder diplosim did not make", "--force")
    assert _files(other) == {other / "posts.parquet": b"PAR1 another tool's table PAR1"}


def test_world_refuses_a_size_it_cannot_hold(tmp_path):
    done = _diplosim("world", str(EXAMPLE), "--users", "2000000000")
    _refused(done, "example.yaml: world.users: 2,000,000,000 users need about",
             "of memory to synthesise", "Lower --users (about", "--force skips this check")
    total = float(" ".join(done.stderr.split()).split("need about ")[1].split(" GB")[0]
                  .replace(",", ""))
    assert 100 < total < 1000  # ~ 2e9 users x 50-500 bytes per user


def test_world_and_schema_never_write_over_an_input_or_another_kind(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(EXAMPLE_TEXT)
    _refused(_diplosim("world", str(scenario), "--users", "2000", "--out", str(scenario),
                       "--force"), f"--out {scenario}: is an input of this command")
    _refused(_diplosim("schema", "--out", str(scenario)),
             f"--out {scenario}: exists and holds yaml, not json")
    assert scenario.read_text() == EXAMPLE_TEXT


def test_a_misspelt_measure_is_refused_before_any_run(tmp_path):
    out = tmp_path / "sens"
    result = _diplosim("sensitivity", str(EXAMPLE), "--measure", "impressions:jp_embassy",
                       "--params", "sessions_per_day", "--samples", "2", "--serial",
                       "--out", str(out))
    assert result.returncode == 1
    assert ("the scenario has no actor or network 'jp_embassy' (its actors and networks: "
            "fr_embassy_jp, us_state_dept, ru_state_media, ua_citizens, biolabs_network)"
            in result.stderr)
    assert not out.exists()  # nothing ran, nothing was written


def test_runs_progress_says_the_count_then_the_time_left_then_a_line_per_percent():
    import io

    from rich.console import Console

    from diplosim.cli.terminal import RunsProgress

    buf, now = io.StringIO(), [100.0]
    console = Console(file=buf, width=200, force_terminal=False)
    with RunsProgress("sweep", console=console, clock=lambda: now[0]) as progress:
        progress(2, 202)               # two already complete: nothing has run yet
        for done in range(3, 203):     # then 200 runs of 3 s each
            now[0] += 3.0
            progress(done, 202)
    lines = buf.getvalue().splitlines()
    assert lines[0] == ("sweep: 202 runs, 2 already complete; 200 to run, the time they take "
                        "estimated after the first")
    assert lines[1] == "sweep: the first run took 0:03; about 9:57 left for the other 199"
    assert lines[2] == "sweep: 3/202 (1%), 0:03 elapsed, about 9:57 left"
    # one line per percent (1% to 100%), the last without a time left
    assert len(lines) == 2 + 100 and lines[-1] == "sweep: 202/202 (100%), 10:00 elapsed"
