"""CSV files written from analysis rows (the pairs and the evidence of ``diplosim
coordination``): through a temporary file and a rename, so a reader never sees half a file."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["write_csv"]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write ``header`` then ``rows`` to ``path`` (UTF-8, the csv module's default dialect,
    ``\\r\\n`` line ends), creating its folder; return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    tmp.replace(path)
    return path
