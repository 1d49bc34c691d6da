"""Checkpoints and resume: a real `diplosim run` process killed with SIGKILL at three different
moments, then `diplosim run --resume`, ends with tables byte-identical to a run never stopped;
folders of stopped runs are refused with the way to finish them; a full disk loses nothing."""

from __future__ import annotations

import json
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from diplosim.store.writer import TABLES
from tests.conftest import ROOT

DIPLOSIM = [sys.executable, "-m", "diplosim.cli"]
ARGS = ["scenarios/example.yaml", "--set", "world.users=40000", "--no-report", "--quiet"]


def _cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*DIPLOSIM, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, **kw)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The same scenario and seed, run once without checkpoints or interruption."""
    out = tmp_path_factory.mktemp("ref") / "run"
    done = _cli("run", *ARGS, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def _stage(out: Path) -> Path:
    return out / ".partial"


def _first_day_running(out: Path) -> bool:  # started, no checkpoint yet
    return (_stage(out) / "scenario.json").exists() and \
        not (_stage(out) / "checkpoint.json").exists()


def _mid_run(out: Path) -> bool:  # at least three days checkpointed
    try:
        return json.loads((_stage(out) / "checkpoint.json").read_text())["tick"] >= 72
    except (OSError, ValueError, KeyError):
        return False


def _finishing(out: Path) -> bool:  # the last day is done: tables are being merged
    stage = _stage(out)
    return any(stage.glob("*.parquet")) or any(stage.glob(".*.parquet.tmp"))


@pytest.mark.parametrize("moment", [_first_day_running, _mid_run, _finishing],
                         ids=["before-first-checkpoint", "mid-run", "while-finishing"])
def test_resume_after_sigkill_is_byte_identical(moment, reference, tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([*DIPLOSIM, "run", *ARGS, "--out", str(out),
                             "--checkpoint-every", "1d"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not moment(out):
        assert proc.poll() is None, f"the run ended before the moment to kill it: " \
                                    f"{proc.stderr.read().decode()}"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    time.sleep(random.Random(moment.__name__).uniform(0, 0.05))  # a moment within the moment
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["completed"] is False

    refused = _cli("summary", str(out))  # a stopped run is not read as if it were whole
    assert refused.returncode == 1
    assert f"diplosim run --resume {out}" in refused.stderr
    assert "Traceback" not in refused.stderr

    resumed = _cli("run", "--resume", str(out), "--no-report", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    for table in TABLES:
        assert (out / f"{table}.parquet").read_bytes() == \
            (reference / f"{table}.parquet").read_bytes(), table
    assert json.loads((out / "manifest.json").read_text())["completed"] is True
    assert not _stage(out).exists()  # checkpoints and parts are cleared once complete


def test_report_summary_compare_refuse_a_stopped_run(reference, tmp_path):
    out = tmp_path / "stopped"
    shutil.copytree(reference, out)
    manifest = json.loads((out / "manifest.json").read_text())
    _stage(out).mkdir()
    (_stage(out) / "checkpoint.json").write_text(json.dumps({"checkpoint": "checkpoint-000120",
                                                             "tick": 120, "segment": 5}))
    (out / "manifest.json").write_text(json.dumps(dict(manifest, completed=False)))
    for args in (["report", str(out)], ["summary", str(out)],
                 ["compare", str(reference), str(out)]):
        done = _cli(*args)
        assert done.returncode == 1, args
        assert f"{out}: the run did not complete (it stopped after day 5 of 14" in done.stderr
        assert f"`diplosim run --resume {out}`" in done.stderr
        assert "Traceback" not in done.stderr


def test_resume_refuses_a_complete_or_foreign_folder(reference, tmp_path):
    done = _cli("run", "--resume", str(reference))
    assert done.returncode == 1
    assert "the run is complete; nothing to resume" in done.stderr
    done = _cli("run", "--resume", str(tmp_path))
    assert done.returncode == 1 and "no stopped run to resume here" in done.stderr
    done = _cli("run", "scenarios/example.yaml", "--checkpoint-every", "5h")
    assert done.returncode == 1 and "expected whole days such as 1d" in done.stderr


def test_a_new_run_keeps_a_stopped_runs_checkpoint_unless_told(tmp_path):
    """`diplosim run` into a folder holding a stopped run with a checkpoint refuses, naming the
    day and both ways on, and touches nothing; with --restart it starts again."""
    out = tmp_path / "run"
    stage = _stage(out)
    (stage / "checkpoint-000048").mkdir(parents=True)
    (stage / "checkpoint-000048" / "state.json").write_text("{}")
    (stage / "checkpoint.json").write_text(json.dumps({"checkpoint": "checkpoint-000048",
                                                       "tick": 48, "segment": 2}))
    (stage / "manifest.json").write_text(json.dumps({"scenario": {"duration_days": 14}}))
    before = {p: p.read_bytes() for p in stage.rglob("*") if p.is_file()}
    args = ["run", "scenarios/example.yaml", "--set", "world.users=3000", "--no-report",
            "--quiet", "--out", str(out)]
    done = _cli(*args)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{out}: holds a run stopped after day 2 of 14, with a checkpoint" in done.stderr
    assert f"`diplosim run --resume {out}`" in done.stderr and "--restart" in done.stderr
    assert {p: p.read_bytes() for p in stage.rglob("*") if p.is_file()} == before
    done = _cli(*args, "--restart")
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "manifest.json").read_text())["completed"] is True
    assert not stage.exists()


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_disk_full_leaves_earlier_outputs_intact(reference, tmp_path):
    """A write that fails for lack of space (a 2 MB file-size limit: every file past it fails
    as on a full disk) stops the run with a clear message; the complete run already in the
    folder is still whole and readable."""
    out = tmp_path / "run"
    shutil.copytree(reference, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    proc = subprocess.run([*DIPLOSIM, "run", *ARGS, "--out", str(out), "--set", "seed=8"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          preexec_fn=_limit_file_size(2_000_000))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "cannot write (a file grew past the size limit)" in proc.stderr
    assert "outputs written before it are untouched" in proc.stderr
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    summary = _cli("summary", str(out))
    assert summary.returncode == 0, summary.stderr
    # nothing of the failed run is left taking space but what a restart needs
    assert sorted(p.name for p in _stage(out).iterdir()) == ["manifest.json", "scenario.json"]


def test_a_run_too_big_for_the_machine_is_refused_before_it_starts(tmp_path):
    done = _cli("run", "scenarios/example.yaml", "--set", "world.users=2000000000",
                "--out", str(tmp_path / "big"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    msg = " ".join(done.stderr.split())
    assert "example.yaml: world.users: 2,000,000,000 users for 14 days need about" in msg
    assert "Lower world.users (about" in msg
    assert not (tmp_path / "big").exists()  # refused before anything was written
    total = float(msg.split("need about ")[1].split(" GB")[0].replace(",", ""))
    assert 500 < total < 2000  # ~ 2e9 users x (state + videos + working) bytes per user


@pytest.mark.parametrize("args", [
    ["run", "scenarios/example.yaml", "--out", "../../etc/x"],
    ["run", "scenarios/example.yaml", "--out", "out/../../x"],
    ["import", "tiktok", "x.json", "--into", "a/../../b"],
    ["report", "out/example", "--out", "../r.html"],
    ["run", "--resume", "../x"],
])
def test_output_paths_cannot_climb_out(args, tmp_path):
    done = _cli(*args)
    assert done.returncode == 1, done.stdout
    assert "'..' is not allowed in an output path" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (ROOT.parent / "etc").exists()


def test_checkpoint_holds_no_pickles(tmp_path):
    """A checkpoint is JSON and plain arrays: loading it runs nothing from the file, and the
    state comes back equal, with shared arrays still shared."""
    import numpy as np

    from diplosim.engine import checkpoint
    from diplosim.engine.state import build_state
    from diplosim.scenario import load_scenario

    s = load_scenario(ROOT / "scenarios/example.yaml", ["world.users=3000"])
    state = build_state(s)
    assert state.pop.country is state.accounts.user_country
    folder = checkpoint.save(tmp_path, state, 0, {"tick": 0, "x": [np.arange(3)]}, 0)
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)
    doc = json.loads((folder / "state.json").read_text())
    assert doc["state"]["scenario"] == {"scenario": True}  # rebuilt from the run, not stored
    back, carry = checkpoint.load(tmp_path, checkpoint.latest(tmp_path), s, type(state))
    assert back.pop.country is back.accounts.user_country
    assert np.array_equal(back.pop.attitudes, state.pop.attitudes)
    assert np.array_equal(back.accounts.follow_idx, state.accounts.follow_idx)
    assert back.catalogue == state.catalogue and back.vocab == state.vocab
    assert carry["x"][0].tolist() == [0, 1, 2]


# Tamper-evident resume: a stopped run is resumed only from the files it wrote itself.

SMALL = ["world.users=3000", "duration_days=4", "events=[]"]


class _Stop(Exception):
    pass


def _stop_at(tick: int):
    def progress(done: int, total: int, impressions: int) -> None:
        if done == tick:
            raise _Stop
    return progress


@pytest.fixture(scope="module")
def stopped(tmp_path_factory) -> tuple[Path, Path]:
    """A run stopped mid-day 3 (checkpoint after day 2, parts of days 1 and 2), and the same
    run never stopped."""
    from diplosim.engine.engine import simulate
    from diplosim.scenario import load_scenario

    s = load_scenario(ROOT / "scenarios/example.yaml", SMALL)
    base = tmp_path_factory.mktemp("tamper")
    simulate(s, base / "whole")
    with pytest.raises(_Stop):
        simulate(s, base / "stopped", progress=_stop_at(60), checkpoint_every=1)
    return base / "stopped", base / "whole"


def _copy(stopped, tmp_path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(stopped[0], out)
    return out


def _refused(out: Path, match: str) -> None:
    from diplosim.engine.engine import resume
    from diplosim.errors import DiplosimError

    with pytest.raises(DiplosimError, match=match) as e:
        resume(out)
    assert f"diplosim run SCENARIO --out {out} --restart" in str(e.value) \
        or "leaves the folder" in str(e.value)


def test_an_untouched_stopped_run_resumes_to_the_same_bytes(stopped, tmp_path):
    from diplosim.engine.engine import resume

    out = _copy(stopped, tmp_path)
    resume(out)
    for table in TABLES:
        assert (out / f"{table}.parquet").read_bytes() == \
            (stopped[1] / f"{table}.parquet").read_bytes(), table


def test_resume_refuses_a_truncated_part(stopped, tmp_path):
    import pyarrow.parquet as pq

    out = _copy(stopped, tmp_path)
    part = _stage(out) / "exposures" / "part-00000.parquet"
    rows = pq.read_table(part)
    pq.write_table(rows.slice(0, rows.num_rows - 100), part)  # a valid file, 100 rows short
    _refused(out, f"{part}: changed since the checkpoint was saved")


def test_resume_refuses_an_edited_array(stopped, tmp_path):
    import numpy as np

    out = _copy(stopped, tmp_path)
    npz = _stage(out) / "checkpoint-000048" / "arrays.npz"
    with np.load(npz) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["a0"] = arrays["a0"].copy()
    arrays["a0"].flat[0] += 1
    np.savez(npz, **arrays)
    _refused(out, f"{npz}: changed since the checkpoint was saved")


def _edit_pointer(out: Path, reseal: bool, **changes) -> Path:
    from diplosim.engine.checkpoint import seal

    pointer = _stage(out) / "checkpoint.json"
    doc = dict(json.loads(pointer.read_text()), **changes)
    if reseal:  # as if whoever edited it knew how diplosim seals it
        doc["sha256"] = seal(doc)
    pointer.write_text(json.dumps(doc))
    return pointer


@pytest.mark.parametrize("reseal", [False, True], ids=["edited", "edited-and-resealed"])
def test_resume_refuses_segment_0(stopped, tmp_path, reseal):
    """Segment 0 would drop every part and lose the first two days' rows silently."""
    out = _copy(stopped, tmp_path)
    pointer = _edit_pointer(out, reseal, segment=0)
    _refused(out, f"{pointer}: tick 48, segment 0 do not match the checkpoint's own"
             if reseal else f"{pointer}: changed after diplosim wrote it")
    assert (_stage(out) / "exposures" / "part-00000.parquet").exists()  # nothing dropped


@pytest.mark.parametrize("reseal", [False, True], ids=["edited", "edited-and-resealed"])
def test_resume_never_follows_a_path_out_of_the_run(stopped, tmp_path, reseal):
    out = _copy(stopped, tmp_path)
    elsewhere = tmp_path / "other" / "checkpoint-000048"
    shutil.copytree(_stage(out) / "checkpoint-000048", elsewhere)
    pointer = _edit_pointer(out, reseal, checkpoint="../../other/checkpoint-000048")
    _refused(out, "'../../other/checkpoint-000048' leaves the folder" if reseal
             else f"{pointer}: changed after diplosim wrote it")


def test_resume_refuses_a_part_it_did_not_write(stopped, tmp_path):
    out = _copy(stopped, tmp_path)
    (_stage(out) / "posts").mkdir()
    shutil.copy(_stage(out) / "exposures" / "part-00000.parquet",
                _stage(out) / "posts" / "part-00000.parquet")
    _refused(out, "posts/part-00000.parquet: a part the run did not write")


def test_a_tampered_resume_is_a_message_on_the_command_line(stopped, tmp_path):
    out = _copy(stopped, tmp_path)
    _edit_pointer(out, False, segment=0)
    done = _cli("run", "--resume", str(out), "--quiet", "--no-report")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "checkpoint.json: changed after diplosim wrote it" in done.stderr
    assert "--restart" in done.stderr


def test_resume_refuses_a_run_started_by_other_model_code(stopped, tmp_path):
    """The version string stays while the code changes between releases: a run started by
    other code (another model hash) is not finished by this one."""
    from diplosim.engine.engine import resume
    from diplosim.errors import DiplosimError

    out = _copy(stopped, tmp_path)
    manifest = _stage(out) / "manifest.json"
    m = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**m, "model_hash": "0" * 16}))
    with pytest.raises(DiplosimError, match="model's code or data changed"):
        resume(out)
