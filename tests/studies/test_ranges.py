"""Each scenario's headline figures over its assumptions, beside the seed's spread (issue 47)."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from diplosim.distributed.sensitivity import assumption_parameters, problem, sample
from diplosim.scenario.builtin import BuiltIn, builtin
from diplosim.studies.ranges import RANGES_MARKERS, assumption_ranges, ensure_section, summarise


def test_a_latin_hypercube_puts_one_draw_in_each_slice_of_every_range():
    """16 sets: each assumption's range cut in 16 equal slices holds exactly one draw."""
    prob = problem(assumption_parameters())
    x = sample(prob, "lhs", 16, 7)
    assert x.shape == (16, len(prob["names"]))
    for j, (lo, hi) in enumerate(prob["bounds"]):
        slices = np.floor((x[:, j] - lo) / (hi - lo) * 16).astype(int)
        assert sorted(slices.tolist()) == list(range(16))
    assert np.array_equal(x, sample(prob, "lhs", 16, 7))  # seeded


def test_the_summary_sets_the_range_beside_the_seed_spread():
    s = summarise([*range(1, 21), None], [10.0, 12.0, 11.0, 9.0, 13.0])
    assert s["runs"] == 20
    assert s["p05"] == pytest.approx(1.95) and s["p95"] == pytest.approx(19.05)
    assert s["seed_mean"] == 11.0
    assert s["seed_half_width"] == pytest.approx(1.96 * np.std([10, 12, 11, 9, 13], ddof=1))
    assert s["ratio"] == pytest.approx(17.1 / (2 * s["seed_half_width"]))
    assert summarise([1.0], [2.0])["ratio"] is None  # one value is no range


def test_the_section_goes_after_the_result_block_once():
    text = "# t\n\n<!-- result:begin -->\nx\n<!-- result:end -->\n\n## Assumptions\n"
    once = ensure_section(text)
    assert ensure_section(once) == once
    assert once.index("<!-- result:end -->") < once.index(RANGES_MARKERS[0]) < once.index(
        RANGES_MARKERS[1]) < once.index("## Assumptions")


def test_make_ranges_writes_every_headline_with_both_spreads(tmp_path):
    b = builtin("who_covid_2020")
    notes = tmp_path / "who.md"
    shutil.copy(b.notes, notes)
    copy = BuiltIn(name=b.name, path=b.path, notes=notes, scenario=b.scenario)
    said: list[str] = []
    block = assumption_ranges(copy, tmp_path, ["duration_days=3", "events=[]"],
                              say=said.append, use_ray=False, samples=3, users=400)
    assert block.startswith("_Produced by `make ranges`")
    assert "a Latin hypercube of 3 sets" in block and "at 400 users and 3 days" in block
    rows = [r for r in block.splitlines() if r.startswith("| ") and "---" not in r][1:]
    assert rows and rows[0].startswith("| engagement per view |")
    for r in rows:
        seed, over, ratio = (c.strip() for c in r.split("|")[2:5])
        assert ratio == "n/a" or float(ratio) >= 0
        assert re.fullmatch(r"[\d.,e+-]+ ± [\d.,e+-]+", seed)
        low, high = re.match(r"([\d.,e+-]+) to ([\d.,e+-]+) \(median", over).groups()
        assert float(low.replace(",", "")) <= float(high.replace(",", ""))
    assert re.search(rf"\d+ of {len(rows)} figures move more", block)
    text = notes.read_text()
    assert block.strip() in text and text.count(RANGES_MARKERS[0]) == 1
    assert len(list((tmp_path / "ranges" / b.name / "runs").iterdir())) == 3 + 5
