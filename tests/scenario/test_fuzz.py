"""Fuzzing the loader: whatever the bytes, the result is a scenario or a clean ScenarioError."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplosim.errors import ScenarioError
from diplosim.scenario import Scenario, parse_scenario
from tests.conftest import EXAMPLE, EXAMPLE_TEXT

EXAMPLE_LINES = EXAMPLE_TEXT.splitlines(keepends=True)
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WHERE = re.compile(r"^(?:s\.yaml(?::\d+)?: |--set )")


def _outcome(raw: bytes | str, overrides: list[str] | None = None) -> None:
    try:
        assert isinstance(parse_scenario(raw, "s.yaml", overrides), Scenario)
    except ScenarioError as e:
        assert e.problems, "an error with no problem in it"
        for line in str(e).splitlines():
            assert WHERE.match(line), f"a message that does not say where: {line!r}"


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes(raw):
    _outcome(raw)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("{}[]:,-&*!|>'\"#%@` \n\tab01.~<=")), max_size=300))
def test_yaml_punctuation_soup(text):
    _outcome(text)


_EDITS = st.lists(st.tuples(
    st.integers(0, len(EXAMPLE_LINES) - 1),
    st.sampled_from(["delete", "duplicate", "replace", "indent", "dedent"]),
    st.text(max_size=30),
), max_size=6)


@FUZZ
@given(_EDITS)
def test_mutated_example(edits):
    lines = list(EXAMPLE_LINES)
    for index, op, text in edits:
        i = min(index, len(lines) - 1)
        if i < 0:
            break
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "replace":
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {text}\n"
        elif op == "indent":
            lines[i] = "  " + lines[i]
        else:
            lines[i] = lines[i][2:] if lines[i].startswith("  ") else lines[i]
    _outcome("".join(lines))


@FUZZ
@given(st.lists(st.text(max_size=40), max_size=4))
def test_any_overrides(specs):
    _outcome(EXAMPLE.read_bytes(), specs)
