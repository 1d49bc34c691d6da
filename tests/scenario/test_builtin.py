"""The built-in scenarios: each (and each variant) validates, and its notes carry a generated
result; variants change exactly what they declare."""

from __future__ import annotations

import re

import pytest

from diplosim.errors import ScenarioError
from diplosim.scenario import parse_scenario
from diplosim.scenario.builtin import builtin_scenarios, scenarios_folder
from diplosim.scenario.loader import load_scenario
from diplosim.studies.blocks import fingerprint
from diplosim.studies.builtin import BEGIN, END, HEADLINES

CASES = builtin_scenarios()
NAMES = [b.name for b in CASES]


def test_the_cases_of_the_issues_are_built_in():
    expected = sorted(["ukraine_2022", "israel_palestine_narratives", "us_ban_2025",
                       "india_ban_2020", "who_covid_2020", "embassy_cultural",
                       "regional_tourism", "ukraine_attention_2022"])
    assert expected == NAMES
    assert set(HEADLINES) == set(NAMES)  # each has a measured headline


@pytest.mark.parametrize("b", CASES, ids=NAMES)
def test_each_scenario_and_variant_validates(b):
    assert b.scenario.name == b.name
    assert b.scenario.variants, "a built-in case compares at least two runs"
    for v in b.scenario.variants:
        s = load_scenario(b.path, variant=v.id)
        assert s.name == f"{b.name}-{v.id}"
        assert s != b.scenario


@pytest.mark.parametrize("b", CASES, ids=NAMES)
def test_each_notes_file_has_question_setup_and_a_generated_result(b):
    text = b.notes.read_text(encoding="utf-8")
    assert b.question.endswith("?"), b.question
    assert "## Setup and the facts behind it" in text
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    block = text.split(BEGIN)[1].split(END)[0]
    assert block.strip().startswith("_Produced by `make scenarios`")
    assert "overrides:" not in block  # the published block is the full-size run
    # produced from the scenario as it is now: its hash, the one each run's manifest records
    assert f"from scenario {fingerprint(b.scenario)}:" in block, "run `make scenarios`"
    for v in b.scenario.variants:
        assert f"`{v.id}`" in block
    # every figure with its interval, from several seeds
    assert re.search(r"\| *[-+]?\d[\d,.]*%? \([-+]?[\d,.]+%? to [-+]?[\d,.]+%?\) *\|", block)
    assert re.search(r"each with seeds \d+ to \d+", block)
    assert "distinguishable from zero" in block
    assert "run-to-run noise" not in block  # computed, not boilerplate


@pytest.mark.parametrize("b", CASES, ids=NAMES)
def test_each_notes_file_names_its_most_influential_assumptions(b):
    from diplosim.studies.screening import BEGIN as S_BEGIN
    from diplosim.studies.screening import END as S_END
    from diplosim.studies.screening import SCREENING

    text = b.notes.read_text(encoding="utf-8")
    assert text.count(S_BEGIN) == 1 and text.count(S_END) == 1
    block = text.split(S_BEGIN)[1].split(S_END)[0]
    assert block.strip().startswith("_Produced by `make screening`"), "run `make screening`"
    assert f"from scenario {fingerprint(b.scenario)}:" in block, "run `make screening`"
    assert "overrides:" not in block
    assert f"**The measure:** `{SCREENING[b.name]}`" in block
    assert len([r for r in block.splitlines() if r.startswith("| `")]) >= 3


def test_scenarios_folder_is_the_repository_one():
    assert (scenarios_folder() / "example.yaml").exists()


TEXT = """
name: v
duration_days: 3
world: {users: 100, countries: [US, GB]}
events:
  - {day: 1, type: ban, country: US}
  - {day: 2, type: ban, country: GB}
variants:
  - id: one_ban
    description: only GB
    remove: ["events[0]"]
  - id: social
    description: follows first
    set: {platform.ranking: social, world.users: 200}
  - id: broken
    description: a path that does not exist
    set: {"actors[3].id": x}
  - id: mixed
    description: a name and an index at the same depth
    remove: ["events.name", "events[0]"]
"""


def test_a_variant_sets_and_removes_exactly_what_it_declares():
    base = parse_scenario(TEXT, "v.yaml")
    one = parse_scenario(TEXT, "v.yaml", variant="one_ban")
    assert [e.country for e in base.events] == ["US", "GB"]
    assert [e.country for e in one.events] == ["GB"] and one.name == "v-one_ban"
    social = parse_scenario(TEXT, "v.yaml", variant="social")
    assert (social.platform.ranking, social.world.users) == ("social", 200)
    # --set applies after the variant
    again = parse_scenario(TEXT, "v.yaml", ["world.users=300"], variant="social")
    assert again.world.users == 300


def test_an_unknown_or_broken_variant_is_a_clear_error():
    with pytest.raises(ScenarioError) as e:
        parse_scenario(TEXT, "v.yaml", variant="nope")
    assert "v.yaml" in str(e.value) and "no variant 'nope'" in str(e.value)
    assert "one_ban, social, broken, mixed" in str(e.value)
    with pytest.raises(ScenarioError) as e:
        parse_scenario(TEXT, "v.yaml", variant="broken")
    message = str(e.value)
    assert "v.yaml:17" in message and "variants[2].set" in message
    assert "no such place in the scenario: actors[3].id" in message
    with pytest.raises(ScenarioError) as e:
        parse_scenario(TEXT, "v.yaml", variant="mixed")
    assert "variants[3].remove: nothing to remove at events.name" in str(e.value)


@pytest.mark.parametrize("b", CASES, ids=NAMES)
def test_a_built_in_scenarios_polls_come_before_its_start(b):
    """Every poll a built-in scenario gives either was fielded before the day its run starts
    (the schema refuses a later one), or its source says `assumption` and why; a scenario
    that dates any poll has a start."""
    s = b.scenario
    polls = [*(p for i in s.issues for p in i.baselines),
             *(p for c in s.claims for p in c.baselines), *s.world.favourability]
    dated = [p for p in polls if p.fielded is not None]
    if dated:
        assert s.start is not None
        assert all(p.fielded <= s.start for p in dated)
    for p in polls:
        assert p.fielded is not None or p.source.startswith("assumption"), (
            f"{b.name}: {p.country if hasattr(p, 'country') else p.viewer}: undated poll")


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


@pytest.mark.parametrize("b", CASES, ids=NAMES)
def test_a_built_in_scenario_set_on_a_date_starts_there(b):
    """A scenario whose file says which day its day 0 is declares that day as its ``start``
    (so the shipped polls fielded after it are not used); the two undated ones (day 0 is any
    Monday) have none."""
    text = b.path.read_text(encoding="utf-8")
    said = re.search(r"[Dd]ay 0 is (\d{1,2}) (\w+) (\d{4})", text)
    if said is None:
        assert "any Monday" in text and b.scenario.start is None, b.name
        return
    day, month, year = int(said[1]), _MONTHS.index(said[2]) + 1, int(said[3])
    assert b.scenario.start is not None, f"{b.name}: says day 0 is {said[0][9:]}, no start"
    assert (b.scenario.start.year, b.scenario.start.month, b.scenario.start.day) == \
        (year, month, day)


@pytest.mark.parametrize("b", CASES, ids=NAMES)
def test_each_notes_file_says_what_the_scenario_cannot_answer(b):
    """Issue 47: a reader learns which questions a scenario cannot answer before its result."""
    text = b.notes.read_text(encoding="utf-8")
    assert "## What it cannot answer" in text
    section = text.split("## What it cannot answer")[1].split("\n## ")[0]
    assert text.index("## What it cannot answer") < text.index("## Result")
    assert len([line for line in section.splitlines() if line.startswith("- ")]) >= 3
