"""The parameter table: every row has a source and a sensitivity range with its reason."""

from __future__ import annotations

from dataclasses import replace

import pytest

from diplosim.parameters import PARAMETERS, SENSITIVITY_RANGES, Parameter, with_ranges


def test_every_row_carries_a_range_around_its_default_with_a_reason():
    assert len(PARAMETERS) == len(SENSITIVITY_RANGES) >= 50
    for p in PARAMETERS.values():
        assert p.low <= p.sa_low <= p.value <= p.sa_high <= p.high, p.name
        assert p.sa_low < p.sa_high, p.name
        assert len(p.sa_reason) > 10, p.name
        # a range is a published interval or says it is an assumption
        assert "assumption" in p.sa_reason or any(ch.isdigit() for ch in p.sa_reason), p.name


def _row(name="x", value=0.5) -> Parameter:
    return Parameter(name, value, "-", 0.0, 1.0, "assumption", "test row")


def test_a_row_without_a_range_is_refused():
    with pytest.raises(ValueError, match="parameter x: no sensitivity range"):
        with_ranges([_row()], {})


@pytest.mark.parametrize("lo, hi, why", [(0.6, 0.9, "r"), (0.1, 0.4, "r"), (-0.5, 0.9, "r"),
                                         (0.2, 0.8, " "), (0.5, 0.5, "r")])
def test_a_range_outside_the_bounds_or_without_reason_is_refused(lo, hi, why):
    with pytest.raises(ValueError, match="parameter x: sensitivity range"):
        with_ranges([_row()], {"x": (lo, hi, why)})


def test_a_range_for_no_parameter_is_refused():
    with pytest.raises(ValueError, match="unknown parameters: \\['y'\\]"):
        with_ranges([_row()], {"x": (0.2, 0.8, "r"), "y": (0.2, 0.8, "r")})


def test_ranges_are_carried_by_the_rows():
    (row,) = with_ranges([_row()], {"x": (0.2, 0.8, "assumption: test")})
    assert row == replace(_row(), sa_low=0.2, sa_high=0.8, sa_reason="assumption: test")
