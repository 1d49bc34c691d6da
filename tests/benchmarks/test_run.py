"""The bench's linearity check keeps, of each run's repeats, the one of median time."""

import pytest
from benchmarks.run import LINEAR_PLAN, LINEAR_REPEATS, median_run


def test_median_run_keeps_the_middle_time_whole():
    runs = [{"seconds": 38.4, "tag": "slow spell"}, {"seconds": 35.1, "tag": "a"},
            {"seconds": 35.9, "tag": "b"}]
    assert median_run(runs) == {"seconds": 35.9, "tag": "b"}
    assert median_run(runs[:1])["seconds"] == 38.4
    with pytest.raises(ValueError, match="odd number of runs, got 2"):
        median_run(runs[:2])


def test_the_plan_doubles_users_and_days_from_one_base():
    assert LINEAR_REPEATS % 2 == 1
    users, days = LINEAR_PLAN["base"]
    assert LINEAR_PLAN["double_users"] == (2 * users, days)
    assert LINEAR_PLAN["double_days"] == (users, 2 * days)
    assert LINEAR_PLAN["first_week"] == (users, days // 2)
