"""The package's version, in a module of its own so that no module imports the package's
``__init__`` (which the command line and the docs read it through), and the model's hash."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

__version__ = "0.2.0"

_PACKAGE = Path(__file__).resolve().parent
#: What a model is made of: its code and the data it ships (parameters, polls, countries).
_MODEL_FILES = (".py", ".csv", ".json", ".yaml", ".txt")
#: Layers that read runs or drive them but do not make them (the one-way flow: nothing below
#: the event log imports them): a change there does not make a finished run another model's.
_NOT_MODEL = ("analysis", "cli", "distributed", "ingest", "report", "studies")


@lru_cache(maxsize=1)
def model_hash() -> str:
    """The first 16 hex digits of a SHA-256 over the code and data files of the package's
    layers that make a run (the scenario, world, platform, actors, opinion, engine and store
    layers and the top-level modules; not ``_NOT_MODEL``).

    A run records it, and a sweep or ``make scenarios`` reuses a finished run only when it
    matches: the version string alone does not change when the model's code or a parameter's
    default does between releases, and a reused run would then answer for another model."""
    digest = hashlib.sha256()
    for path in sorted(p for p in _PACKAGE.rglob("*")
                       if p.suffix in _MODEL_FILES and "__pycache__" not in p.parts
                       and p.relative_to(_PACKAGE).parts[0] not in _NOT_MODEL):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
