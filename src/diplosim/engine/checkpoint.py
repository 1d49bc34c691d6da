"""Checkpoints: a run's whole in-memory state at a day's end, saved so that a killed run can go
on from there and end with the same bytes as a run that was never stopped.

A checkpoint is a folder holding ``arrays.npy`` files in one uncompressed ``.npz`` (read back
with ``allow_pickle=False``) and ``state.json``, which describes the objects around the arrays.
Nothing in it is executed: objects are rebuilt only from the classes in ``_CLASSES``, and the
scenario is validated again from the run's manifest. Arrays shared by two objects (the
accounts' copy of the population's countries, say) are stored once and shared again.

The folder is written under a temporary name and renamed; ``checkpoint.json`` then names the
newest complete one, so a kill while saving leaves the previous checkpoint in force.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from diplosim.actors.campaigns import Catalogue
from diplosim.errors import DiplosimError
from diplosim.platform.accounts import Accounts
from diplosim.platform.videos import HOT, VideoStore
from diplosim.scenario.schema import Scenario
from diplosim.store.writer import write_json_atomic
from diplosim.world.population import Population

__all__ = ["POINTER", "latest", "load", "save"]

#: The file in the staging folder naming the newest complete checkpoint.
POINTER = "checkpoint.json"
#: Format of the checkpoint folder; a different number is refused, never guessed at.
FORMAT = 4  # 2: per-country policy arrays, video portrayal and origin; 3: friends and inboxes;
# 4: the kernel's parameters as a named record (issue 43)

_CLASSES: dict[str, type] = {c.__name__: c for c in (Population, Accounts, Catalogue)}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._ids: dict[int, str] = {}

    def array(self, a: np.ndarray) -> dict:
        key = self._ids.get(id(a))
        if key is None:
            key = f"a{len(self.arrays)}"
            self._ids[id(a)] = key
            self.arrays[key] = a
        return {"array": key}

    def __call__(self, obj: Any) -> Any:
        if obj is None or isinstance(obj, bool | int | float | str):
            return obj
        if isinstance(obj, np.ndarray):
            return self.array(obj)
        if isinstance(obj, np.generic):
            return {"scalar": obj.dtype.str, "value": obj.item()}
        if isinstance(obj, Scenario):
            return {"scenario": True}  # rebuilt from the manifest
        if isinstance(obj, VideoStore):
            n = obj.n
            cols = {name: self.array(np.ascontiguousarray(getattr(obj, name)[:n]))
                    for name in vars(obj) if name not in HOT.names and name != "hot"
                    and isinstance(getattr(obj, name), np.ndarray)}
            return {"videos": {"n": n, "capacity": obj._cap, "columns": cols,
                               "hot": self.array(obj.hot[:n])}}
        if dataclasses.is_dataclass(obj) and type(obj).__name__ in _CLASSES:
            return {"object": type(obj).__name__,
                    "fields": {f.name: self(getattr(obj, f.name))
                               for f in dataclasses.fields(obj)}}
        if isinstance(obj, dict):
            return {"dict": [[self(k), self(v)] for k, v in obj.items()]}
        if isinstance(obj, tuple):
            return {"tuple": [self(v) for v in obj]}
        if isinstance(obj, list):
            return {"list": [self(v) for v in obj]}
        raise TypeError(f"checkpoint: cannot save a {type(obj).__name__}")


class _Decoder:
    def __init__(self, arrays: Any, scenario: Scenario, where: Path):
        self.arrays, self.scenario, self.where = arrays, scenario, where

    def array(self, ref: dict) -> np.ndarray:
        return self.arrays[ref["array"]]

    def __call__(self, obj: Any) -> Any:
        if not isinstance(obj, dict):
            return obj
        if "array" in obj:
            return self.array(obj)
        if "scalar" in obj:
            return np.dtype(obj["scalar"]).type(obj["value"])
        if "scenario" in obj:
            return self.scenario
        if "videos" in obj:
            v = obj["videos"]
            store = VideoStore(capacity=v["capacity"])
            n = store.n = v["n"]
            for name, ref in v["columns"].items():
                getattr(store, name)[:n] = self.array(ref)
            store.hot[:n] = self.array(v["hot"])
            return store
        if "object" in obj:
            cls = _CLASSES.get(obj["object"])
            if cls is None:
                raise DiplosimError(f"{self.where}: unknown object {obj['object']!r} in a "
                                    f"checkpoint")
            return cls(**{k: self(v) for k, v in obj["fields"].items()})
        if "dict" in obj:
            return {self(k): self(v) for k, v in obj["dict"]}
        if "tuple" in obj:
            return tuple(self(v) for v in obj["tuple"])
        if "list" in obj:
            return [self(v) for v in obj["list"]]
        raise DiplosimError(f"{self.where}: unreadable checkpoint entry {sorted(obj)}")


class _Arrays:
    """The arrays of an ``.npz``, each read once (shared arrays stay shared)."""

    def __init__(self, npz: Any):
        self.npz, self.cache = npz, {}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self.cache:
            self.cache[key] = self.npz[key]
        return self.cache[key]


def save(stage: Path, state: Any, tick: int, carry: dict, segment: int) -> Path:
    """Save ``state`` (a ``SimState``) after ``tick`` ticks, with the loop's own values
    (``carry``) and the writer's next part number; returns the checkpoint folder."""
    enc = _Encoder()
    fields = {f.name: enc(getattr(state, f.name)) for f in dataclasses.fields(state)}
    doc = {"format": FORMAT, "tick": tick, "segment": segment, "state": fields,
           "carry": enc(carry)}
    final = stage / f"checkpoint-{tick:06d}"
    tmp = stage / f".checkpoint-{tick:06d}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    np.savez(tmp / "arrays.npz", **enc.arrays)
    (tmp / "state.json").write_text(json.dumps(doc), encoding="utf-8")
    for name in ("arrays.npz", "state.json"):
        _fsync(tmp / name)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    write_json_atomic(stage / POINTER, {"checkpoint": final.name, "tick": tick,
                                        "segment": segment})
    for old in stage.glob("checkpoint-*"):  # the pointer has moved on: older ones are spent
        if old.name != final.name:
            shutil.rmtree(old, ignore_errors=True)
    return final


def latest(stage: Path) -> dict | None:
    """The newest complete checkpoint's pointer (checkpoint, tick, segment), or None."""
    pointer = stage / POINTER
    if not pointer.exists():
        return None
    try:
        doc = json.loads(pointer.read_text(encoding="utf-8"))
        if (stage / doc["checkpoint"] / "state.json").exists():
            return doc
    except (OSError, ValueError, KeyError, TypeError):
        pass
    raise DiplosimError(f"{pointer}: unreadable checkpoint pointer; the run cannot be resumed "
                        f"from it (run it again from the start)")


def load(stage: Path, pointer: dict, scenario: Scenario, state_cls: type) -> tuple[Any, dict]:
    """The saved ``(state, carry)`` named by ``pointer``."""
    folder = stage / pointer["checkpoint"]
    try:
        doc = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        npz = np.load(folder / "arrays.npz", allow_pickle=False)
    except (OSError, ValueError) as e:
        raise DiplosimError(f"{folder}: unreadable checkpoint ({e})") from None
    if doc.get("format") != FORMAT:
        raise DiplosimError(f"{folder}: checkpoint format {doc.get('format')!r}, this diplosim "
                            f"reads format {FORMAT}")
    with npz:
        dec = _Decoder(_Arrays(npz), scenario, folder)
        state = state_cls(**{k: dec(v) for k, v in doc["state"].items()})
        carry = dec(doc["carry"])
    return state, carry
