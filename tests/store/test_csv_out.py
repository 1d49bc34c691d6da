"""CSV files diplosim writes are safe to open in a spreadsheet: a text cell beginning with a
formula character gets a leading ``'`` (OWASP's CSV injection rule), numbers stay numbers, and
``--raw-csv`` writes the bytes as they are."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from diplosim.cli import app
from diplosim.store.csv_out import FORMULA_START, spreadsheet_safe, write_csv

HOSTILE = ['=HYPERLINK("https://evil.example","x")', "=cmd|' /C calc'!A0", "+SUM(1,2)",
           "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1"]


def _cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        return [c for row in csv.reader(f) for c in row]


@pytest.mark.parametrize("value", HOSTILE)
def test_text_beginning_with_a_formula_character_is_quoted(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", [-0.5, 3, "-0.5", "+1", "-1e-3", "plain", "#tag", "", None])
def test_numbers_and_other_text_are_kept(value):
    assert spreadsheet_safe(value) == value


def test_write_csv_quotes_text_cells_and_raw_keeps_them(tmp_path):
    rows = [[v, -0.5, "-0.250"] for v in HOSTILE]
    safe = _cells(write_csv(tmp_path / "safe.csv", ["name", "x", "y"], rows))
    assert [c for c in safe if c.startswith(FORMULA_START) and c not in ("-0.5", "-0.250")] == []
    assert safe.count("-0.5") == len(HOSTILE) and safe.count("-0.250") == len(HOSTILE)
    raw = _cells(write_csv(tmp_path / "raw.csv", ["name", "x", "y"], rows, raw=True))
    assert [c for c in raw if c in HOSTILE] == HOSTILE


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory) -> Path:
    """Accounts named as formulas posting the same sound and link seconds apart."""
    tmp = tmp_path_factory.mktemp("csv_injection")
    videos = [{"id": 7_300_000_000_000_000_000 + k, "username": HOSTILE[k % len(HOSTILE)],
               "create_time": 1_700_000_000 + 5 * k, "music_id": "=cmd|' /C calc'!A0",
               "video_description": "see https://example.org/x #news", "hashtag_names": ["news"]}
              for k in range(4 * len(HOSTILE))]
    (tmp / "v.jsonl").write_text("\n".join(map(json.dumps, videos)) + "\n")
    done = CliRunner().invoke(app, ["import", "tiktok", str(tmp / "v.jsonl"), "--into",
                                    str(tmp / "folder")])
    assert done.exit_code == 0, done.output
    return tmp / "folder"


@pytest.mark.parametrize("raw", [False, True])
def test_coordination_csvs_are_spreadsheet_safe_unless_raw(hostile_folder, tmp_path, raw):
    pairs, ev = tmp_path / "pairs.csv", tmp_path / "ev.csv"
    done = CliRunner().invoke(app, ["coordination", str(hostile_folder), "--by", "sound,url",
                                    "--window", "600", "--out", str(pairs), "--evidence",
                                    str(ev), *(["--raw-csv"] if raw else [])])
    assert done.exit_code == 0, done.output
    cells = _cells(pairs) + _cells(ev)
    formulas = [c for c in cells if c.startswith(FORMULA_START) and spreadsheet_safe(c) != c]
    if raw:
        assert set(formulas) == set(HOSTILE)  # each account and the sound, as the data have it
    else:
        assert formulas == []
        assert "'=cmd|' /C calc'!A0" in cells and "'@SUM(1)" in cells
        assert len(_cells(ev)) > 100  # the evidence is there, every co-action
