"""docs/scale.md's estimate scales from the largest week-long engine run, the 10,000,000-user run
of ``engine_large`` when the results hold one."""

from benchmarks.scale_estimate import markdown


def _run(users, seconds):
    return {"users": users, "days": 7, "seconds": seconds, "impressions": 300 * users,
            "posts": users // 2, "impressions_per_s": 300 * users / seconds, "cpus": 2,
            "state_bytes_per_user": 270.0, "video_store_bytes": 80 * users}


def test_the_estimate_takes_the_large_run_when_present():
    results = {"engine_scale": {"runs": [_run(100_000, 10.0), _run(1_000_000, 100.0)],
                                "measured": "then"}}
    assert "largest run" in markdown(results) and "1,000,000 users × 7 days" in markdown(results)
    assert "10,000,000" not in markdown(results)
    results["engine_large"] = {"runs": [_run(10_000_000, 1250.0)], "measured": "now"}
    text = markdown(results)
    assert "10,000,000 users × 7 days | 1250.0 s" in text and "(now, 2 cores)" in text
    assert "From 1,000,000 to 10,000,000 users the cost per impression changed ×1.25" in text
    # a skipped large entry leaves the estimate on engine_scale's runs
    results["engine_large"] = {"skipped": "runs with BENCH_LARGE=1"}
    assert "10,000,000" not in markdown(results)
