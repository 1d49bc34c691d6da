"""CSV files written from analysis rows (the pairs and the evidence of ``diplosim
coordination``): through a temporary file and a rename, so a reader never sees half a file.

A cell of text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
written with a leading ``'`` (OWASP's rule against CSV injection), so a spreadsheet shows an
account named ``=HYPERLINK(...)`` as text and never runs it. Numbers (and text that is a plain
number, such as ``-0.5``) are written as they are; ``raw=True`` writes every cell as it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["FORMULA_START", "spreadsheet_safe", "write_csv"]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV
#: injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: object) -> object:
    """``value`` as a spreadsheet will show it and never run it: text beginning with a
    formula character, unless it is a plain number, behind a ``'``; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START) \
            and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]],
              raw: bool = False) -> Path:
    """Write ``header`` then ``rows`` to ``path`` (UTF-8, the csv module's default dialect,
    ``\\r\\n`` line ends), creating its folder; return ``path``. Each text cell goes through
    ``spreadsheet_safe`` unless ``raw``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        if raw:
            w.writerows(rows)
        else:
            w.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    tmp.replace(path)
    return path
