"""The sampling profile: py-spy's stacks are charged to the engine's phases, the compiled feed
kernel by the line that calls it."""

from collections import Counter

import pytest
from benchmarks.pyspy_profile import TracingDenied, phases, record

RUN = "<module> (run.py:7);simulate (engine.py:233);_execute (engine.py:274)"
LOOP = f"{RUN};_loop (engine.py:330)"


def test_stacks_are_charged_to_phases(tmp_path, monkeypatch):
    # a compiled call is named from its source line, found through sys.path as py-spy names it
    (tmp_path / "feed_step.py").write_text("page = 8\n    k.run_sessions(seed, tick, chunk)\n"
                                           "out[:k], flags[:k] = -1, 0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    raw = tmp_path / "raw.txt"
    raw.write_text("\n".join([
        f"thread (1): MainThread;{LOOP};_play (feed_step.py:2) 50",
        f"thread (1): MainThread;{LOOP};_play (feed_step.py:3) 2",
        f"thread (1): MainThread;{LOOP};_play (engine.py:376);"
        "build_candidates (recommender.py:255) 7",
        f"thread (1): MainThread;{LOOP};_post (engine.py:114);creator_posts (campaigns.py:84) 3",
        f"thread (1): MainThread;{RUN};build_state (state.py:90);synthesise (population.py:141) 4",
        # the warm-up run (line 6) is not the measured run
        "thread (1): MainThread;<module> (run.py:6);simulate (engine.py:233) 30",
        "thread (2): diplosim-writer_0;_worker (thread.py:81);"
        "RunWriter._write_part (writer.py:140);ParquetWriter.write_table (core.py:1225) 9",
        "thread (2): diplosim-writer_0;_worker (thread.py:81) 55",
    ]) + "\n")
    main, writer, total = phases(raw, "(run.py:7)")
    assert total == 66
    assert main == Counter({"run_sessions (compiled, feed_step.py:2)": 50,
                            "out[:k], flags[:k] = -1, 0 (feed_step.py:3)": 2,
                            "build_candidates (recommender.py)": 7, "_post (engine.py)": 3,
                            "world build (build_state)": 4})
    assert writer == Counter({"encoding and writing": 9, "idle": 55})


def test_a_real_profile_finds_the_kernel_the_largest_phase(tmp_path):
    try:
        main, writer, total = record(40_000, 2, 200, tmp_path / "raw.txt")
    except TracingDenied as e:  # a machine that forbids tracing a child process
        pytest.skip(str(e))
    assert total > 80  # a run of about a second, sampled 200 times a second
    (top, n), = main.most_common(1)
    assert top.startswith("run_sessions (compiled, engine.py:")
    assert n / total > 0.3
    assert "build_candidates (recommender.py)" in main
    assert writer["encoding and writing"] > 0


@pytest.mark.parametrize(("message", "error"), [
    ("Error: Permission Denied (os error 13)", TracingDenied),
    ("Error: Operation not permitted (os error 1)", TracingDenied),
    ("Error: unknown flag --idle", RuntimeError),
])
def test_a_refused_trace_is_told_from_other_failures(tmp_path, monkeypatch, message, error):
    # only a machine that forbids tracing skips the real profile; any other failure fails it
    fake = tmp_path / "py-spy"
    fake.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr("shutil.which", lambda name: str(fake))
    with pytest.raises(error, match="py-spy exited 1") as caught:
        record(1000, 1, 100, tmp_path / "raw.txt")
    assert caught.type is error
