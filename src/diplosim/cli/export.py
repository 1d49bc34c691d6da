"""A command's tables for a paper: JSON or Markdown on stdout, or one CSV file per table in a
folder (``diplosim summary --format json|md|csv``). Strings from data are written as they are
into JSON and CSV (the formats quote them), and made printable with their pipes escaped in
Markdown."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path

from diplosim.cli.terminal import out, writing
from diplosim.errors import DiplosimError, printable

__all__ = ["TablesFormat", "write_tables"]


class TablesFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    csv = "csv"


def _columns(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(k for r in rows for k in r))


def _md_cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return printable(str(v)).replace("|", "\\|").replace("\n", " ")


def _markdown(name: str, rows: list[dict]) -> str:
    cols = _columns(rows)
    if not cols:
        return f"## {name}\n\n(no rows)\n"
    lines = [f"## {name}", "", "| " + " | ".join(cols) + " |",
             "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(_md_cell(r.get(c)) for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def write_tables(tables: dict[str, list[dict]], fmt: TablesFormat, out_dir: Path | None,
                 command: str) -> None:
    """``tables`` in ``fmt``: JSON (one object, a list of rows per table) or Markdown on
    stdout; CSV into ``out_dir`` (one ``NAME.csv`` per table, the paths printed)."""
    if fmt is TablesFormat.json:
        sys.stdout.write(json.dumps(tables, default=str) + "\n")
    elif fmt is TablesFormat.md:
        sys.stdout.write("\n".join(_markdown(n, rows) for n, rows in tables.items()))
    elif fmt is TablesFormat.csv:
        if out_dir is None:
            raise DiplosimError(f"{command} --format csv: give --out DIR (one CSV file per "
                                "table is written there)")
        with writing(out_dir):
            out_dir.mkdir(parents=True, exist_ok=True)
        for name, rows in tables.items():
            path = out_dir / f"{name}.csv"
            with writing(path), path.open("w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=_columns(rows) or ["(no rows)"])
                w.writeheader()
                w.writerows(rows)
            out.print(str(path), markup=False)
