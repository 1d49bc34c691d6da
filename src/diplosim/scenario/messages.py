"""Turn schema validation errors into messages a person can act on.

Each message names the field path as written in the file and what was expected there, derived
from the field's own type and constraints, e.g. ``expected a number >= 0, got "three"``.
"""

from __future__ import annotations

import difflib
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from diplosim.errors import printable
from diplosim.scenario.events import EVENT_TYPES

__all__ = ["describe_value", "format_path", "pydantic_problems"]

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return printable(out)


def describe_value(value: object) -> str:
    if isinstance(value, str):
        shown = printable(value if len(value) <= 60 else value[:57] + "...")
        return '"' + shown.replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """Strip Annotated and Optional, collecting constraint metadata."""
    meta: list[Any] = []
    while True:
        if get_origin(tp) is Annotated:
            tp, *extra = get_args(tp)
            for m in extra:
                meta.extend(m.metadata if isinstance(m, FieldInfo) else [m])
            continue
        if get_origin(tp) in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp, meta


def _num(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() and abs(value) >= 1e4 else f"{value:g}"


def _bounds(meta: list[Any]) -> str:
    lo = next((f">= {_num(m.ge)}" for m in meta if isinstance(m, at.Ge)), None)
    lo = lo or next((f"> {_num(m.gt)}" for m in meta if isinstance(m, at.Gt)), None)
    hi = next((f"<= {_num(m.le)}" for m in meta if isinstance(m, at.Le)), None)
    hi = hi or next((f"< {_num(m.lt)}" for m in meta if isinstance(m, at.Lt)), None)
    if lo and hi and lo.startswith(">=") and hi.startswith("<="):
        return f"from {lo[3:]} to {hi[3:]}"
    return " and ".join(b for b in (lo, hi) if b)


def _describe_type(tp: Any, meta: list[Any]) -> str:
    tp, more = _unwrap(tp)
    meta = meta + more
    bounds = _bounds(meta)
    suffix = f" {bounds}" if bounds else ""
    origin = get_origin(tp)
    if tp is bool:
        return "true or false"
    if tp is int:
        return f"a whole number{suffix}"
    if tp is float:
        return f"a number{suffix}"
    if tp is str:
        return "text"
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(tp))
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "a mapping with the fields " + ", ".join(tp.model_fields)
    if origin in (Union, types.UnionType):
        return " or ".join(_describe_type(a, []) for a in get_args(tp))
    return "a valid value"


def _child(tp: Any, part: str | int, raw: object) -> tuple[Any, list[Any]] | None:
    """Type (and metadata) of ``part`` inside a value of type ``tp`` whose raw data is ``raw``."""
    tp, _ = _unwrap(tp)
    origin = get_origin(tp)
    if origin is list and isinstance(part, int):
        return get_args(tp)[0], []
    if origin is dict:
        return get_args(tp)[1], []
    if origin in (Union, types.UnionType):  # the discriminated events union
        model = EVENT_TYPES.get(raw.get("type")) if isinstance(raw, dict) else None
        return _child(model, part, raw) if model else None
    if isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
        field = tp.model_fields[part]
        return field.annotation, list(field.metadata)
    return None


def _walk(root: type[BaseModel], loc: tuple, raw: object) -> tuple[Path, Any, list, object]:
    """Follow a pydantic location through the raw data, dropping union-tag steps it inserts."""
    path: list[str | int] = []
    tp: Any = root
    meta: list[Any] = []
    for part in loc:
        if isinstance(raw, dict) and isinstance(part, str) and part not in raw and (
            raw.get("type") == part or "[" in part or part.startswith("function-")
        ):
            continue  # a discriminator tag or validator step, not a field of the file
        found = _child(tp, part, raw)
        tp, meta = found if found else (None, [])
        path.append(part)
        raw = raw.get(part) if isinstance(raw, dict) else (
            raw[part] if isinstance(raw, list) and isinstance(part, int) and part < len(raw)
            else None
        )
    return tuple(path), tp, meta, raw


def _fields_at(root: type[BaseModel], path: Path, data: object) -> list[str]:
    tp: Any = root
    raw = data
    for part in path:
        found = _child(tp, part, raw)
        if not found:
            return []
        tp = found[0]
        raw = raw.get(part) if isinstance(raw, dict) else (
            raw[part] if isinstance(raw, list) and isinstance(part, int) else None)
    tp, _ = _unwrap(tp)
    if get_origin(tp) in (Union, types.UnionType) and isinstance(raw, dict):
        tp = EVENT_TYPES.get(raw.get("type"), tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _message(err: dict, root: type[BaseModel], data: object) -> tuple[Path, str]:
    path, tp, meta, _raw = _walk(root, err["loc"], data)
    kind, value = err["type"], err.get("input")
    if kind == "extra_forbidden":
        fields = _fields_at(root, path[:-1], data)
        close = difflib.get_close_matches(str(path[-1]), fields, n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return path, f"unknown field{hint} (allowed here: {', '.join(fields)})"
    if kind == "missing":
        return path, f"required field is missing (expected {_describe_type(tp, meta)})"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = ", ".join(EVENT_TYPES)
        got = describe_value(value.get("type")) if isinstance(value, dict) else "nothing"
        return (*path, "type"), f"expected an event type, one of {tags}, got {got}"
    if kind == "choice":  # raised by the schema's own validators, with a "did you mean"
        ctx = err["ctx"]
        return path, f"expected {ctx['expected']}, got {describe_value(value)}{ctx['hint']}"
    if kind == "value_error":
        return path, f"{err['ctx']['error']}, got {describe_value(value)}"
    if kind in ("too_short", "too_long"):
        return path, f"{err['msg'].lower()}, got {describe_value(value)}"
    if kind.startswith("string_too"):
        return path, f"expected {err['msg'].lower().removeprefix('string should have ')}"
    return path, f"expected {_describe_type(tp, meta)}, got {describe_value(value)}"


def pydantic_problems(
    error: ValidationError, root: type[BaseModel], data: object
) -> list[tuple[Path, str]]:
    """(path, message) for every error pydantic found, deduplicated, in the order found."""
    seen: dict[tuple[Path, str], None] = {}
    for err in error.errors(include_url=False):
        seen[_message(err, root, data)] = None
    return list(seen)

