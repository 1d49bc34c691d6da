"""The actor registry of an import (``--actors registry.csv``: handle, actor_type, country,
label): which accounts of an export are actors, of which account type (``store.contract``'s
registry types), based where, and labelled how."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from diplosim.errors import DiplosimError, printable
from diplosim.store.contract import REGISTRY_ACCOUNT_TYPES

__all__ = ["REGISTRY_SCHEMA", "load_registry"]

#: The registry as kept in an import folder (``.store/registry.parquet``).
REGISTRY_SCHEMA = pa.schema([("handle", pa.string()), ("actor_type", pa.string()),
                             ("country", pa.string()), ("label", pa.string())])


def load_registry(path: Path) -> list[dict]:
    """``--actors registry.csv``: handle, actor_type, country, label (one actor per row)."""
    try:
        f = open(path, encoding="utf-8", newline="")  # noqa: SIM115 (closed by `with f` below)
    except OSError as e:
        raise DiplosimError(f"{path}: cannot read the actor registry ({e.strerror})") from None
    with f:
        reader = csv.DictReader(f)
        try:
            rows, problems = _registry_rows(path, reader)
        except (UnicodeDecodeError, csv.Error) as e:
            what = "not UTF-8 text" if isinstance(e, UnicodeDecodeError) else str(e)
            raise DiplosimError(f"{path}:{reader.line_num + 1}: {what}") from None
    if problems:
        raise DiplosimError("\n".join(problems))
    return rows


def _registry_rows(path: Path, reader: csv.DictReader) -> tuple[list[dict], list[str]]:
    rows, problems = [], []
    need = {"handle", "actor_type", "country"}
    if not reader.fieldnames or not need <= {h.strip() for h in reader.fieldnames}:
        raise DiplosimError(f"{path}:1: expected a header with handle, actor_type, country "
                            f"(and optionally label), got {printable(str(reader.fieldnames))}")
    for r in reader:
        r = {k.strip(): (v or "").strip() for k, v in r.items() if isinstance(k, str) and k}
        line = reader.line_num
        if not r.get("handle"):
            problems.append(f"{path}:{line}: handle: expected an account name, got nothing")
        elif r.get("actor_type") not in REGISTRY_ACCOUNT_TYPES:
            got = printable(str(r.get("actor_type")))
            problems.append(f"{path}:{line}: actor_type: expected one of "
                            f"{', '.join(REGISTRY_ACCOUNT_TYPES)}, got '{got}'")
        else:
            rows.append({"handle": r["handle"].lstrip("@"), "actor_type": r["actor_type"],
                         "country": r.get("country") or None,
                         "label": r.get("label") or None})
    return rows, problems
