"""``make scenarios``: the headline block is measured from real runs and replaces only the
marked part of a notes file."""

from __future__ import annotations

import re

import pytest

from diplosim.errors import DiplosimError
from diplosim.report.builtin import BEGIN, END, generate, replace_block
from diplosim.scenario.builtin import builtin


def test_replace_block_changes_only_the_marked_part():
    text = f"# t\n\n## Question\n\nq?\n\n{BEGIN}\nold figures\n{END}\n\ntail\n"
    new = replace_block(text, "| a | 1 |", "t.md")
    assert new == f"# t\n\n## Question\n\nq?\n\n{BEGIN}\n| a | 1 |\n{END}\n\ntail\n"
    for broken in ("no markers", f"{END}\n{BEGIN}", f"{BEGIN}{BEGIN}{END}"):
        with pytest.raises(DiplosimError, match=r"t\.md: expected one"):
            replace_block(broken, "x", "t.md")


def test_generate_runs_every_variant_and_measures_the_headline(tmp_path):
    b = builtin("regional_tourism")
    before = b.notes.read_text(encoding="utf-8")
    block = generate(b, tmp_path, ["world.users=2500", "duration_days=7"], write=False,
                     say=lambda _: None)
    assert b.notes.read_text(encoding="utf-8") == before  # write=False leaves the notes alone
    for label in ("base", "alone", "no_pooling"):
        assert (tmp_path / "regional_tourism" / label / "manifest.json").exists()
    assert "overrides: `world.users=2500`, `duration_days=7`" in block
    rows = [r for r in block.splitlines() if r.startswith("| `")]
    assert [r.split("|")[1].strip() for r in rows] == [
        "`th_tourism`", "`kh_tourism`", "`la_tourism`", "`vn_tourism`"]
    for r in rows:  # ten columns of figures: impressions, challenge videos, favourability
        cells = [c.strip() for c in r.split("|")[2:-1]]
        assert len(cells) == 9
        assert all(re.fullmatch(r"[-+]?[\d,.]+", c) for c in cells), cells
        assert sum(int(c.replace(",", "")) for c in cells[:3]) > 0  # the posts were seen
