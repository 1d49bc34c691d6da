"""``diplosim.engine.launch``: what is refused before a run starts; a failed write said plainly."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from diplosim.engine.launch import checkpoint_days, plan_run, write_failure
from diplosim.errors import DiplosimError
from tests.conftest import EXAMPLE


@pytest.mark.parametrize(("text", "days"), [("1d", 1), (" 2D ", 2), ("48h", 2)])
def test_checkpoint_days(text, days):
    assert checkpoint_days(text) == days


@pytest.mark.parametrize("text", ["0d", "5h", "1w", "d", "\x1b[2J1d"])
def test_checkpoint_days_refused(text):
    with pytest.raises(DiplosimError, match="expected whole days such as 1d"):
        checkpoint_days(text)


def test_resume_takes_nothing_else(tmp_path):
    with pytest.raises(DiplosimError, match="--resume RUN takes no scenario"):
        plan_run(EXAMPLE, [], resume=tmp_path)
    with pytest.raises(DiplosimError, match="give a scenario file"):
        plan_run(None, [])


def test_a_new_run_is_planned_in_out_name(tmp_path):
    plan = plan_run(EXAMPLE, ["world.users=1000"], checkpoint_every="2d", restart=True)
    assert plan.folder == Path("out") / plan.scenario.name
    assert (plan.checkpoint_every, plan.days) == (2, plan.scenario.duration_days)
    resumed = plan_run(None, [], resume=tmp_path)
    assert (resumed.scenario, resumed.days) == (None, 1)  # nothing known of it: one day


def test_write_failure_says_what_and_how_to_go_on(tmp_path):
    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.parquet"))
    text = write_failure(full, tmp_path, every=1)
    assert text.startswith(f"{tmp_path / 'x.parquet'}: cannot write (the disk is full)")
    assert f"diplosim run --resume {tmp_path}" in text
    arrow = OSError("IOError: [errno 27] File too large")  # the number only in the text
    assert "a file grew past the size limit" in write_failure(arrow, tmp_path, None)
    assert "--checkpoint-every 1d" in write_failure(arrow, tmp_path, None)
