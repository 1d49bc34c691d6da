"""Benchmark: the headline metrics (what ``diplosim summary`` computes) over a run folder whose
``exposures`` table has ``--rows`` rows (100 million by default).

The folder is synthetic but shaped like an engine run's: 2,000,000 posts by 40 actors and the
crowd, 10 viewer countries, 30 days; each exposure row is one post in one country in one hour.
It is written once to ``--data`` (kept between runs when given) and the metrics are timed on it
in this process. ``python -m benchmarks.bench_analysis`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

COUNTRIES = ["US", "GB", "DE", "FR", "PL", "UA", "RU", "JP", "ID", "BR"]
POSTS, ACTORS, DAYS, CHUNK = 2_000_000, 40, 30, 5_000_000


def _posts(rng: np.random.Generator) -> pa.Table:
    actor = np.where(rng.random(POSTS) < 0.05, rng.integers(0, ACTORS, POSTS), -1)
    issue = np.where(rng.random(POSTS) < 0.3, rng.integers(0, 2, POSTS), -1)
    claim = np.where(rng.random(POSTS) < 0.02, 0, -1)
    tags = [["#a"], ["#b", "#c"], []]
    impressions = rng.geometric(0.01, POSTS)

    def names(codes, values):
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=codes < 0),
                                              pa.array(values))

    return pa.table({
        "post": pa.array(np.arange(POSTS, dtype=np.int32)),
        "account": pa.array(rng.integers(0, 1_000_000, POSTS).astype(np.int32)),
        "hashtags": pa.array([tags[i] for i in rng.integers(0, 3, POSTS)]),
        "topic": names(rng.integers(0, 4, POSTS), ["news", "politics", "music", "travel"]),
        "issue": names(issue, ["war", "trade"]),
        "stance": pa.array(rng.uniform(-1, 1, POSTS).astype(np.float32), mask=issue < 0),
        "claim": names(claim, ["rumour"]),
        "fact_check_tick": pa.array(rng.integers(0, DAYS * 24, POSTS).astype(np.int32),
                                    mask=claim < 0),
        "actor": names(actor, [f"actor{i}" for i in range(ACTORS)]),
        "campaign": names(actor, [f"campaign{i}" for i in range(ACTORS)]),
        "messenger": names(np.where(actor >= 0, 1, 0), ["user", "embassy"]),
        "impressions": pa.array(impressions),
        "completions": pa.array(impressions // 3),
        "likes": pa.array(impressions // 25),
        "comments": pa.array(impressions // 200),
        "shares": pa.array(impressions // 150),
    })


def write_folder(folder: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(_posts(rng), folder / "posts.parquet", compression="zstd")
    writer = None
    hours = DAYS * 24
    for start in range(0, rows, CHUNK):
        n = min(CHUNK, rows - start)
        hour = np.sort(rng.integers(start * hours // rows, (start + n) * hours // rows + 1, n))
        imp = rng.geometric(0.4, n).astype(np.int32)
        batch = pa.table({
            "post": pa.array(rng.integers(0, POSTS, n).astype(np.int32)),
            "country": pa.DictionaryArray.from_arrays(
                pa.array(rng.integers(0, len(COUNTRIES), n).astype(np.int32)),
                pa.array(COUNTRIES)),
            "day": pa.array((hour // 24).astype(np.int16)),
            "hour": pa.array(hour.astype(np.int32)),
            "impressions": pa.array(imp),
            "completions": pa.array(imp // 2),
            "unique_viewers": pa.array(imp),
        })
        if writer is None:
            writer = pq.ParquetWriter(folder / "exposures.parquet", batch.schema,
                                      compression="zstd")
        writer.write_table(batch)
    writer.close()
    days = np.arange(DAYS + 1)
    att = [{"day": int(d), "country": c, "kind": kind, "subject": s, "n": 100_000,
            "mean": float(rng.uniform(-0.2, 0.4)), "sd": 0.3, "skew": 0.0, "kurtosis": 3.0,
            "share_pos": float(rng.uniform(0, 0.5)), "share_neg": float(rng.uniform(0, 0.3))}
           for d in days for c in COUNTRIES
           for kind, s in [("favourability", "US"), ("favourability", "RU"), ("stance", "war"),
                           ("belief", "rumour")]]
    pq.write_table(pa.Table.from_pylist(att), folder / "attitudes.parquet")
    aud = [{"day": int(d), "actor": f"actor{a}", "country": c,
            "unique_viewers": int(rng.integers(100, 10_000))}
           for d in range(DAYS) for a in range(ACTORS) for c in COUNTRIES]
    pq.write_table(pa.Table.from_pylist(aud), folder / "audience.parquet")
    events = [{"tick": 240, "day": 10, "type": "ban", "subject": "US", "detail": "{}"},
              {"tick": 480, "day": 20, "type": "policy", "subject": "platform", "detail": "{}"}]
    pq.write_table(pa.Table.from_pylist(events), folder / "events.parquet")
    (folder / "manifest.json").write_text(json.dumps({"completed": True}))


def time_metrics(folder: Path) -> dict:
    from diplosim.analysis.events import event_effects
    from diplosim.analysis.misinformation import label_exposure
    from diplosim.analysis.reach import engagement_rate
    from diplosim.analysis.run import load_run
    from diplosim.analysis.summary import headline

    run = load_run(folder)
    parts = {}
    for name, fn in (("headline", lambda: headline(folder)),
                     ("engagement_rate", lambda: engagement_rate(run)),
                     ("event_effects", lambda: event_effects(run)),
                     ("label_exposure", lambda: label_exposure(run))):
        start = time.perf_counter()
        fn()
        parts[name] = round(time.perf_counter() - start, 2)
    return parts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--data", type=Path, default=None,
                        help="keep the synthetic folder here (reused when it has the rows)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.data or Path(tmp) / "run"
        start = time.perf_counter()
        exposures = folder / "exposures.parquet"
        if not exposures.exists() or pq.ParquetFile(exposures).metadata.num_rows != args.rows:
            write_folder(folder, args.rows)
        written = time.perf_counter() - start
        parts = time_metrics(folder)
        size = sum(p.stat().st_size for p in folder.glob("*.parquet"))
    print(json.dumps({
        "exposure_rows": args.rows, "posts": POSTS, "generate_seconds": round(written, 1),
        "parquet_bytes": size, "seconds": round(sum(parts.values()), 2), "parts": parts,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()
