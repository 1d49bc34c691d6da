"""Strings from imported data reach the terminal inert: ANSI escape sequences and terminal
control characters are shown as escapes, Rich markup in a handle is printed as written."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from diplosim.cli import app

runner = CliRunner()
EVIL = "evil\x1b[31m\x1b]0;owned\x07"
MARKUP = "[bold red]loud[/]"


def _import(tmp_path):
    (tmp_path / "m.yaml").write_text("columns: {post: id, account: who, time: when, text: body, "
                                     "hashtags: tags}\ntime_format: unix\n")
    rows = ["id,who,when,body,tags",
            f"1,{EVIL},1700000000,hi,#same",
            f"2,{MARKUP},1700000010,hello,#same",
            f"3,{EVIL},1700000020,again,#same",
            f"4,{MARKUP},1700000030,again,#same",
            f"5,x,\x1b[2J{EVIL},bad time,"]
    (tmp_path / "x.csv").write_text("\n".join(rows) + "\n")
    into = tmp_path / "d"
    done = runner.invoke(app, ["import", "csv", str(tmp_path / "x.csv"), "--map",
                               str(tmp_path / "m.yaml"), "--into", str(into)])
    assert done.exit_code == 0, done.output
    assert "4" in done.output  # loaded
    return into


def _inert(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text


def test_summary_and_coordination_print_data_inert(tmp_path):
    into = _import(tmp_path)
    summary = runner.invoke(app, ["summary", str(into)])
    assert summary.exit_code == 0, summary.output
    _inert(summary.output)
    assert "\\x1b[2J" in summary.output  # the rejected value, shown as an escape
    coord = runner.invoke(app, ["coordination", str(into), "--by", "hashtag",
                                "--min-weight", "1", "--window", "60"])
    assert coord.exit_code == 0, coord.output
    _inert(coord.output)
    assert "evil\\x1b[31m\\x1b]0;owned\\x07" in coord.output
    assert MARKUP in coord.output  # printed as written, not as bold red "loud"


def test_error_messages_print_data_inert(tmp_path):
    bad = tmp_path / "registry.csv"
    bad.write_text(f"handle,actor_type,country\nx,{EVIL},US\n")
    (tmp_path / "v.json").write_text("{}")
    done = subprocess.run([sys.executable, "-m", "diplosim.cli", "import", "tiktok",
                           str(tmp_path / "v.json"), "--into", str(tmp_path / "o"), "--actors",
                           str(bad)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    _inert(done.stdout + done.stderr)
    assert "registry.csv:2: actor_type: expected one of" in done.stderr
    assert "got 'evil\\x1b[31m" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_empty_table_is_one_line_with_its_whole_title():
    import io

    from rich.console import Console

    from diplosim.cli.terminal import table

    buf = io.StringIO()
    Console(file=buf, width=100).print(table("Event effects (2 days before against 2 days "
                                             "from the event)", []))
    lines = [line.rstrip() for line in buf.getvalue().splitlines() if line.strip()]
    assert lines == ["Event effects (2 days before against 2 days from the event): none"]
