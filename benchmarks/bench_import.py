"""Benchmark: import a large TikTok Research API export with bounded memory.

Writes a synthetic file of ``--gb`` gigabytes (the API's fields, 1 in 1,000 videos cut short
and 1 in 500 a repeat of an earlier video) in a temporary folder, shaped as ``--shape``:
``lines`` (one video per line), ``array`` (a JSON array, one video per line inside it) or
``page`` (one API page ``{"data": {"videos": [...]}}`` on a single line); then imports it in a
child process and reports the wall time, rows per second and the child's peak RSS.
``python -m benchmarks.bench_import --gb 1 --shape array`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


#: How each shape opens, separates and closes the videos.
SHAPES = {"lines": ("", "\n", "\n"), "array": ("[\n", ",\n", "\n]\n"),
          "page": ('{"data": {"videos": [', ",", '], "cursor": 1, "has_more": false}}')}


def write_export(path: Path, gigabytes: float, shape: str = "lines") -> tuple[int, int, int]:
    """Returns (videos, malformed, repeats)."""
    opening, between, closing = SHAPES[shape]
    rng = random.Random(7)
    words = ["peace", "embassy", "culture", "visa", "travel", "food", "history", "music",
             "festival", "news", "war", "aid", "trade", "students", "football", "language"]
    target, size, n, bad, rep = int(gigabytes * 1e9), 0, 0, 0, 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(opening)
        while size < target:
            if n % 1000 == 999:
                line = '{"id": 1, "username": "truncated'
                bad += 1
            else:
                vid = n - 250 if n % 500 == 499 else n
                rep += n % 500 == 499
                tags = rng.sample(words, 3)
                line = json.dumps({
                    "id": 7_300_000_000_000_000_000 + vid, "create_time": 1_700_000_000 + vid,
                    "username": f"user{rng.randrange(200_000)}", "region_code": "FR",
                    "video_description": " ".join(rng.choices(words, k=60)) + " " +
                    " ".join("#" + t for t in tags),
                    "voice_to_text": " ".join(rng.choices(words, k=60)),
                    "hashtag_names": tags, "music_id": rng.randrange(10**9),
                    "like_count": rng.randrange(10**5), "comment_count": rng.randrange(10**3),
                    "share_count": rng.randrange(10**3), "view_count": rng.randrange(10**7),
                    "favorites_count": rng.randrange(10**3), "video_duration": 30,
                    "effect_ids": ["0"], "playlist_id": 0, "video_mention_list": [],
                    "video_label": "", "is_stem_verified": False})
            f.write((between if n else "") + line)
            size += len(line) + 1
            n += 1
        f.write(closing)
    return n, bad, rep


def child(path: Path, into: Path) -> None:
    from diplosim.ingest.importer import import_files

    start = time.perf_counter()
    r = import_files("tiktok", [path], into)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": round(seconds, 1), **r.as_dict(), "peak_rss_bytes": peak}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gb", type=float, default=1.0)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="lines")
    parser.add_argument("--child", nargs=2, type=Path)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "videos.json"
        lines, bad, rep = write_export(path, args.gb, args.shape)
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_import", "--child",
                              str(path), str(Path(tmp) / "into")], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        r = json.loads(out)
        r.pop("files")
        print(json.dumps({"shape": args.shape, "file_bytes": path.stat().st_size,
                          "lines": lines,
                          "malformed_written": bad, "repeats_written": rep, **r,
                          "rows_per_s": round(r["rows"] / r["seconds"]),
                          "accounted": r["loaded"] + r["rejected"] + r["duplicates"] == lines}))


if __name__ == "__main__":
    main()
