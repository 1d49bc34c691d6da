"""The limit kernel does an impression's least work: every output slot written, every impression
counted on its video, completions only where a draw allows them."""

import numpy as np

from benchmarks import bench_limit as limit


def test_every_impression_is_written_and_counted():
    a = limit.arrays(2000, 500)
    who = limit.active(np.uint64(3), 0, 2000, 0.2)
    assert 0 < who.size < 2000 and np.all(np.diff(who) > 0)  # in id order, as the engine's
    k = who.size * limit.PAGE
    video, flags, src = (np.full(k, -1, np.int32), np.zeros(k, np.uint8),
                         np.full(k, -1, np.int32))
    limit.sessions(np.uint64(3), 0, who, limit.PAGE, a["country"], a["lang1"], a["lang2"],
                   a["follow_ptr"], a["interests"], a["attitudes"], a["stances"], a["beliefs"],
                   a["expo"], a["seen"], a["seen_pos"], a["inbox"], a["extra"], a["candidates"],
                   a["records"], video, flags, src)
    limit.count(video, flags, a["counts"])
    assert video.min() >= 0 and np.all(flags & 1)
    assert a["counts"][:, 0].sum() == k
    assert 0 < a["counts"][:, 1].sum() == int(np.count_nonzero(flags & 2)) < k
    assert a["seen_pos"][who].tolist() == [limit.PAGE] * who.size


def test_run_reports_a_rate():
    r = limit.run(3000, 800, 3000, 2)
    assert r["impressions"] > 0 and r["impressions_per_s"] > 0
