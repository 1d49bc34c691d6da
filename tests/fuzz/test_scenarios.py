"""Fuzzing the scenario loader where attackers aim: extreme numbers (over-long whole numbers in
every base, base 60, non-finite floats) and aliases put in any field or any ``--set``, and
variants validated from one parse, which must say exactly what each variant says alone."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplosim.errors import ScenarioError
from diplosim.scenario import Scenario, parse_scenario
from diplosim.scenario.loader import parse_with_variants
from diplosim.scenario.yaml_lines import MAX_INT_DIGITS
from tests.conftest import EXAMPLE_TEXT
from tests.fuzz.conftest import COUNTS, EXAMPLES

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                suppress_health_check=list(HealthCheck), database=None)
WHERE = re.compile(r"^(?:s\.yaml(?::\d+)?: |--set )")
# the example with anchors to alias: a scalar, a mapping and a list
ANCHORED = (EXAMPLE_TEXT.replace("name: example", "name: &n example", 1)
            .replace("\nplatform:", "\nplatform: &p", 1)
            .replace("countries: [", "countries: &c [", 1))
LINES = ANCHORED.splitlines(keepends=True)
FIELDS = ["seed", "duration_days", "world.users", "platform.diversity", "world.countries",
          "actors[1].campaigns[0].posts_per_day", "actors[0].followers", "events[3].day",
          "events[3].vpn_share", "parameters.persuasion_rate", "name", "description"]

_digits = st.integers(1, 6000)
EXTREME = st.one_of(
    _digits.map(lambda n: "9" * n), _digits.map(lambda n: "-" + "7" * n),
    _digits.map(lambda n: "0x" + "f" * n), _digits.map(lambda n: "0b" + "1" * n),
    _digits.map(lambda n: "0" + "7" * n), st.integers(1, 2000).map(lambda n: "1" + ":59" * n),
    _digits.map(lambda n: "1_" * n + "1"), _digits.map(lambda n: "1" + "0" * n + ".5"),
    st.sampled_from(["9" * MAX_INT_DIGITS, "9" * (MAX_INT_DIGITS + 1), "1e999", "-1e999",
                     ".nan", ".inf", "-.inf", "1e-999", "2e308", "0o17", "+0", "-0", "0x_",
                     "1:2:3.5", "0b_", "-0x_", "!!int x", "!!int", "!!float x",
                     "!!bool x", "!!timestamp x", "!!binary x", "*n", "*p", "*c",
                     "[*n, *p, *c]", "{<<: *p}", "!!int 12",
                     "!!float 1e400", "!!str 1", "'" + "9" * 5000 + "'", "~", "[]", "{}"]),
    st.text(max_size=40),
)


def _assert_clean(call) -> ScenarioError | Scenario | tuple:
    try:
        return call()
    except ScenarioError as e:
        assert e.problems, "an error with no problem in it"
        for line in str(e).splitlines():
            assert WHERE.match(line), f"a message that does not say where: {line[:200]!r}"
        return e


def test_extreme_values_in_any_field_or_set():
    @FUZZ
    @given(st.data())
    def run(data):
        COUNTS["scenario extreme values"] += 1
        lines = list(LINES)
        for _ in range(data.draw(st.integers(0, 3))):
            i = data.draw(st.integers(0, len(lines) - 1))
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {data.draw(EXTREME)}\n"
        sets = [f"{data.draw(st.sampled_from(FIELDS))}={data.draw(EXTREME)}"
                for _ in range(data.draw(st.integers(0, 2)))]
        _assert_clean(lambda: parse_scenario("".join(lines), "s.yaml", sets))

    run()


_VARIANT = st.fixed_dictionaries({
    "set": st.dictionaries(st.sampled_from([*FIELDS, "nowhere.x", "events[9].day", "variants"]),
                           EXTREME, max_size=2),
    "remove": st.lists(st.sampled_from(["events[0]", "events[3]", "actors[0]", "issues[0]",
                                        "claims[0]", "events.name", "nowhere[0]"]), max_size=2),
})


def _variants_text(variants: list[dict], duplicate: bool) -> str:
    out = ["variants:\n"]
    for i, v in enumerate(variants):
        ident = "v0" if duplicate and i == len(variants) - 1 else f"v{i}"
        out.append(f"  - id: {ident}\n    description: d\n    set:\n")
        out += [f"      {key!r}: {value}\n" for key, value in v["set"].items()]
        out.append(f"    remove: [{', '.join(v['remove'])}]\n")
    return "".join(out)


def test_variants_from_one_parse_say_what_each_says_alone():
    @FUZZ
    @given(st.lists(_VARIANT, max_size=4), st.booleans(),
           st.lists(st.sampled_from([f"{f}=1" for f in FIELDS] + ["seed=" + "9" * 5000]),
                    max_size=2))
    def run(variants, duplicate, sets):
        COUNTS["scenario variants from one parse"] += 1
        text = ANCHORED + _variants_text(variants, duplicate)
        together = _assert_clean(lambda: parse_with_variants(text, "s.yaml", sets))
        base = _assert_clean(lambda: parse_scenario(text, "s.yaml", sets))
        if isinstance(base, ScenarioError):
            assert str(together) == str(base)
            return
        alone = [_assert_clean(lambda v=v: parse_scenario(text, "s.yaml", sets, v.id))
                 for v in base.variants]
        failed = [a for a in alone if isinstance(a, ScenarioError)]
        if failed:  # the first variant that fails alone is the one reported
            assert str(together) == str(failed[0])
        else:
            assert together == (base, alone)

    run()
