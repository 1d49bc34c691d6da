"""``make scenarios``: the headline block is measured from real runs with several seeds each,
gives every figure an interval, is the same serially and on Ray, and replaces only the marked
part of a notes file."""

from __future__ import annotations

import re

import pytest

from diplosim.errors import DiplosimError
from diplosim.scenario.builtin import builtin
from diplosim.studies.blocks import replace_block
from diplosim.studies.builtin import BEGIN, END, generate

SMALL = ["world.users=2500", "duration_days=7"]


def test_replace_block_changes_only_the_marked_part():
    text = f"# t\n\n## Question\n\nq?\n\n{BEGIN}\nold figures\n{END}\n\ntail\n"
    new = replace_block(text, "| a | 1 |", "t.md")
    assert new == f"# t\n\n## Question\n\nq?\n\n{BEGIN}\n| a | 1 |\n{END}\n\ntail\n"
    for broken in ("no markers", f"{END}\n{BEGIN}", f"{BEGIN}{BEGIN}{END}"):
        with pytest.raises(DiplosimError, match=r"t\.md: expected one"):
            replace_block(broken, "x", "t.md")


@pytest.fixture(scope="module")
def serial_block(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    b = builtin("regional_tourism")
    before = b.notes.read_text(encoding="utf-8")
    block = generate(b, out, SMALL, write=False, say=lambda _: None, replicates=3,
                     use_ray=False)
    assert b.notes.read_text(encoding="utf-8") == before  # write=False leaves the notes alone
    return out, block


def test_generate_runs_every_variant_with_each_seed(serial_block):
    out, block = serial_block
    runs = sorted(p.name for p in (out / "regional_tourism" / "runs").iterdir())
    assert runs == [f"c{c:03d}-r{r:02d}" for c in range(3) for r in range(3)]
    assert "overrides: `world.users=2500`, `duration_days=7`" in block
    assert "each with seeds 5 to 7" in block


def test_every_figure_has_its_interval_and_every_comparison_its_verdict(serial_block):
    _, block = serial_block
    headline, reach = block.split("**Actors' reach**")
    rows = [r for r in headline.splitlines() if r.startswith("| `")]
    assert [r.split("|")[1].strip() for r in rows] == [
        "`th_tourism`", "`kh_tourism`", "`la_tourism`", "`vn_tourism`"]
    # the actors' reach: posts, platform views per post and the sample's impressions per post,
    # each with its interval (where it varies between seeds)
    reach_rows = [r for r in reach.splitlines() if r.startswith("| `")]
    assert [r.split("|")[1].strip() for r in reach_rows] == [
        "`th_tourism`", "`kh_tourism`", "`la_tourism`", "`vn_tourism`"]
    for r in reach_rows:
        cells = [c.strip() for c in r.split("|")[2:-1]]
        for c in cells[:3]:
            assert re.fullmatch(r"[\d,.]+( \([\d,.]+ to [\d,.]+\))?", c), c
        # the sample sees the sampling fraction of an account kept whole: far fewer views
        # per post than the platform gives it
        platform = float(cells[1].split(" ")[0].replace(",", ""))
        seen = float(cells[2].split(" ")[0].replace(",", ""))
        assert platform > 100 * seen
    figure = r"[-+]?[\d,.]+%? \([-+]?[\d,.]+%? to [-+]?[\d,.]+%?\)"
    for r in rows:
        cells = [c.strip() for c in r.split("|")[2:-1]]
        assert len(cells) == 10
        for c in cells[:3] + cells[4:]:
            # a figure the same in every seed (0 views of a small country) has no interval
            assert re.fullmatch(figure, c) or re.fullmatch(r"[-+]?[\d,.]+%?", c), c
        assert re.fullmatch(figure + r", (not )?distinguishable from zero", cells[3]), cells[3]
        assert sum(float(c.split(" ")[0].replace(",", "")) for c in cells[:3]) > 0


def test_the_same_seeds_give_the_same_block_on_ray(serial_block, tmp_path):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR",
             runtime_env={"env_vars": {"NUMBA_NUM_THREADS": "1"}})
    try:
        on_ray = generate(builtin("regional_tourism"), tmp_path, SMALL, write=False,
                          say=lambda _: None, replicates=3, use_ray=True)
    finally:
        ray.shutdown()
    assert on_ray == serial_block[1]


def test_screening_names_the_assumptions_that_move_the_headline(tmp_path):
    from diplosim.distributed.sensitivity import assumption_parameters
    from diplosim.studies.screening import SCREENING, screen

    b = builtin("who_covid_2020")
    block = screen(b, tmp_path, ["duration_days=3", "events=[]"], write=False,
                   say=lambda _: None, use_ray=False, users=600, trajectories=2)
    assert block.startswith("_Produced by `make screening`")
    assert f"**The measure:** `{SCREENING[b.name]}`" in block
    k = len(assumption_parameters())  # Morris: trajectories x (parameters + 1) runs
    assert f"2 trajectories, {2 * (k + 1)} runs at seed" in block
    assert "at 600 users and 3 days" in block
    rows = [r for r in block.splitlines() if r.startswith("| `")]
    assert len(rows) == 6
    stars = [float(r.split("|")[2].split("(")[0].replace(",", "")) for r in rows]
    assert stars == sorted(stars, reverse=True)
    assert re.search(rf"\d+ of {k} assumptions are distinguishable", block)
    assert re.search(r"\. \d+ never changed it", block)
    # the range over the assumptions beside the seed's own spread (issue 47 item 3)
    low, high = re.search(r"\*\*Range over the assumptions:\*\* ([\d.,e-]+) to ([\d.,e-]+) "
                          r"\(5th to 95th percentile over the (\d+) screening runs",
                          block).groups()[:2]
    assert float(low.replace(",", "")) <= float(high.replace(",", ""))
    assert f"over the {2 * (k + 1)} screening runs" in block


def _editable_copy(name: str, tmp_path):
    """A built-in scenario whose YAML is a copy in ``tmp_path`` (notes left alone)."""
    import shutil

    from diplosim.scenario.builtin import BuiltIn

    b = builtin(name)
    yaml = tmp_path / f"{name}.yaml"
    shutil.copy(b.path, yaml)
    return BuiltIn(name=b.name, path=yaml, notes=b.notes, scenario=b.scenario), yaml


def test_make_scenarios_starts_a_scenario_again_when_it_changed(tmp_path):
    """Runs of an earlier version of a scenario answer another question: the folder (this
    command's own) is started again, with a message, instead of refusing."""
    from diplosim.studies.builtin import run_replicates

    copy, yaml = _editable_copy("regional_tourism", tmp_path)
    small = ["world.users=300", "duration_days=7"]
    said: list[str] = []
    first = run_replicates(copy, tmp_path / "out", 1, small, use_ray=False, say=said.append)
    assert all((first.run_folder(r) / "manifest.json").is_file() for r in first.runs)
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("seed: 5", "seed: 6"),
                    encoding="utf-8")
    again = run_replicates(copy, tmp_path / "out", 1, small, use_ray=False, say=said.append)
    assert any("holds runs of an earlier version; starting again" in m for m in said)
    assert "(3 run now, 0 already complete)" in said[-1]
    assert again.plan["scenario_text"].count("seed: 6") == 1


def test_make_screening_starts_again_when_the_scenario_changed(tmp_path):
    """A screening folder planned for an earlier version of the scenario is started again
    (with a message) instead of refusing."""
    from diplosim.studies.screening import screen

    copy, yaml = _editable_copy("who_covid_2020", tmp_path)
    small = ["duration_days=2", "events=[]"]
    said: list[str] = []
    screen(copy, tmp_path, small, write=False, say=said.append, use_ray=False, users=300,
           trajectories=2)
    assert not any("starting again" in m for m in said)
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(text.replace("\nseed: ", "\nseed: 1"), encoding="utf-8")
    screen(copy, tmp_path, small, write=False, say=said.append, use_ray=False, users=300,
           trajectories=2)
    assert any("holds an earlier screening; starting again" in m for m in said)


def test_a_screening_needs_two_trajectories_at_least(tmp_path):
    from diplosim.errors import DiplosimError
    from diplosim.studies import write_studies

    with pytest.raises(DiplosimError, match="--trajectories 1: expected 2 or more"):
        list(write_studies(["who_covid_2020"], tmp_path, screening=True, serial=True,
                           trajectories=1))
