"""Checkpoints: a run's whole in-memory state at a day's end, saved so that a killed run can go
on from there and end with the same bytes as a run that was never stopped.

A checkpoint is a folder holding ``arrays.npy`` files in one uncompressed ``.npz`` (read back
with ``allow_pickle=False``) and ``state.json``, which describes the objects around the arrays.
Nothing in it is executed: objects are rebuilt only from the classes in ``_CLASSES``, and the
scenario is validated again from the run's manifest. Arrays shared by two objects (the
accounts' copy of the population's countries, say) are stored once and shared again.

The folder is written under a temporary name and renamed; ``checkpoint.json`` then names the
newest complete one, so a kill while saving leaves the previous checkpoint in force.

A resumed run trusts nothing it did not write: ``checkpoint.json`` records the SHA-256 of every
file the run goes on from (each finished Parquet part, the checkpoint's arrays and state, the
staged scenario and manifest) and its own SHA-256 (of its canonical JSON without that key), and
every path in it must stay inside the staging folder. Any difference refuses the resume, naming
the file that changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from diplosim.actors.campaigns import Catalogue
from diplosim.errors import DiplosimError, printable
from diplosim.paths import inside
from diplosim.platform.accounts import Accounts
from diplosim.platform.recommender import PoolShape
from diplosim.platform.videos import HOT, VideoStore
from diplosim.scenario.schema import Scenario
from diplosim.store.writer import file_sha256, write_json_atomic
from diplosim.world.population import Population

__all__ = ["POINTER", "latest", "load", "save", "seal"]

#: The file in the staging folder naming the newest complete checkpoint.
POINTER = "checkpoint.json"
#: Format of the checkpoint folder; a different number is refused, never guessed at.
FORMAT = 7  # 2: per-country policy arrays, video portrayal and origin; 3: friends and inboxes;
# 4: the kernel's parameters as a named record (issue 43); 5: an inbox's sender as its place in
# the friend row, CSR offsets int32 (issue 49); 6: the sample's weights and platform views,
# the pool's shape, ban exemptions (issue 45); 7: rings of recent posts as rows (issue 49)

#: Files of the staging folder a resumed run goes on from, besides the parts and checkpoint.
_STAGED = ("scenario.json", "manifest.json")
_NAME = re.compile(r"checkpoint-\d{6}")
_PART = re.compile(r"part-(\d{5})\.parquet")

_CLASSES: dict[str, type] = {c.__name__: c for c in (Population, Accounts, Catalogue,
                                                        PoolShape)}


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


def seal(doc: dict) -> str:
    """The SHA-256 of a pointer's canonical JSON, its own ``sha256`` key left out."""
    body = json.dumps({k: v for k, v in doc.items() if k != "sha256"}, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def save(stage: Path, state: Any, tick: int, carry: dict, segment: int,
         parts: dict[str, str] | None = None) -> Path:
    """Save ``state`` (a ``SimState``) after ``tick`` ticks, with the loop's own values
    (``carry``) and the writer's next part number; ``parts``: the SHA-256 of every finished
    part (relative to ``stage``), recorded with the checkpoint's own files; returns the
    checkpoint folder."""
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
    files = dict(parts or {})
    for name in ("arrays.npz", "state.json"):
        _fsync(tmp / name)
        files[f"{final.name}/{name}"] = file_sha256(tmp / name)
    for name in _STAGED:
        if (stage / name).exists():
            files[name] = file_sha256(stage / name)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    pointer = {"checkpoint": final.name, "tick": tick, "segment": segment, "files": files}
    write_json_atomic(stage / POINTER, dict(pointer, sha256=seal(pointer)))
    for old in stage.glob("checkpoint-*"):  # the pointer has moved on: older ones are spent
        if old.name != final.name:
            shutil.rmtree(old, ignore_errors=True)
    return final


def _again(stage: Path) -> str:
    return (f"the run cannot be resumed from files that changed after diplosim wrote them; "
            f"start it again: `diplosim run SCENARIO --out {stage.parent} --restart`")


def latest(stage: Path) -> dict | None:
    """The newest complete checkpoint's pointer (checkpoint, tick, segment, files), or None;
    refused unless its content matches its own SHA-256 and its checkpoint lies in ``stage``."""
    pointer = stage / POINTER
    if not pointer.exists():
        return None
    try:
        doc = json.loads(pointer.read_text(encoding="utf-8"))
        name, tick, segment = doc["checkpoint"], doc["tick"], doc["segment"]
        ok = isinstance(doc.get("files"), dict) and type(tick) is int and type(segment) is int
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise DiplosimError(f"{pointer}: unreadable checkpoint pointer; the run cannot be "
                            f"resumed from it (run it again from the start)")
    if doc.get("sha256") != seal(doc):
        raise DiplosimError(f"{pointer}: changed after diplosim wrote it (its content no longer "
                            f"matches the SHA-256 recorded in it); {_again(stage)}")
    folder = inside(stage, name, f"{pointer}: checkpoint") if isinstance(name, str) else None
    if folder is None or not _NAME.fullmatch(name):
        raise DiplosimError(f"{pointer}: checkpoint: expected a name such as checkpoint-000048 "
                            f"in {stage}, got {printable(repr(name))}; {_again(stage)}")
    if not (folder / "state.json").exists():
        raise DiplosimError(f"{folder}: the checkpoint named in {pointer} is missing; "
                            f"{_again(stage)}")
    return doc


def _verify(stage: Path, pointer: dict) -> None:
    """Every file the run goes on from is the one the checkpoint recorded, and no part the run
    did not write has been added before the checkpoint's segment."""
    where = stage / POINTER
    files = pointer["files"]
    for rel, digest in sorted(files.items()):
        path = inside(stage, rel, f"{where}: files")
        if not path.is_file():
            raise DiplosimError(f"{path}: missing since the checkpoint was saved; "
                                f"{_again(stage)}")
        if file_sha256(path) != digest:
            raise DiplosimError(f"{path}: changed since the checkpoint was saved (its SHA-256 "
                                f"differs from the one in {where}); {_again(stage)}")
    for part in stage.glob("*/*.parquet"):
        m = _PART.fullmatch(part.name)
        rel = part.relative_to(stage).as_posix()
        if m is None or (int(m.group(1)) < pointer["segment"] and rel not in files):
            raise DiplosimError(f"{part}: a part the run did not write (not in {where}); "
                                f"{_again(stage)}")


def load(stage: Path, pointer: dict, scenario: Scenario, state_cls: type) -> tuple[Any, dict]:
    """The saved ``(state, carry)`` named by ``pointer`` (from ``latest``), once every file it
    recorded is checked against its SHA-256."""
    _verify(stage, pointer)
    folder = stage / pointer["checkpoint"]
    try:
        doc = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        npz = np.load(folder / "arrays.npz", allow_pickle=False)
    except (OSError, ValueError) as e:
        raise DiplosimError(f"{folder}: unreadable checkpoint ({e})") from None
    if doc.get("format") != FORMAT:
        raise DiplosimError(f"{folder}: checkpoint format {doc.get('format')!r}, this diplosim "
                            f"reads format {FORMAT}")
    if (doc.get("tick"), doc.get("segment")) != (pointer["tick"], pointer["segment"]):
        raise DiplosimError(f"{stage / POINTER}: tick {pointer['tick']}, segment "
                            f"{pointer['segment']} do not match the checkpoint's own (tick "
                            f"{doc.get('tick')}, segment {doc.get('segment')}); "
                            f"{_again(stage)}")
    with npz:
        dec = _Decoder(_Arrays(npz), scenario, folder)
        state = state_cls(**{k: dec(v) for k, v in doc["state"].items()})
        carry = dec(doc["carry"])
    return state, carry
