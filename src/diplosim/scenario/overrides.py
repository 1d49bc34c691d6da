"""``--set key.path=value``: change any scenario field from the command line before validation."""

from __future__ import annotations

import re

from diplosim.errors import Problem, ScenarioError, printable
from diplosim.scenario.yaml_lines import YamlProblem, parse_yaml

__all__ = ["apply_overrides", "parse_key", "parse_override", "remove_path", "set_path"]

Path = tuple[str | int, ...]
_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$")


def _shown(spec: str) -> str:
    """The option as messages name it: printable, and cut short (a value may be megabytes)."""
    return printable(spec if len(spec) <= 80 else f"{spec[:60]}... ({len(spec):,} characters)")


def _bad(spec: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(f"--set {_shown(spec)}", None, "", message)])


def parse_key(key: str) -> Path | None:
    """``actors[0].campaigns.1.posts_per_day`` -> ('actors', 0, 'campaigns', 1, ...); None if
    a part is neither a field name nor an index."""
    path: list[str | int] = []
    for part in key.strip().split("."):
        if part.isdigit():
            path.append(int(part))
            continue
        m = _PART.match(part)
        if not m:
            return None
        path.append(m.group(1))
        path.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return tuple(path)


def parse_override(spec: str) -> tuple[Path, object]:
    """``actors[0].campaigns[1].posts_per_day=5`` -> (path, value); values are read as YAML."""
    key, sep, text = spec.partition("=")
    if not sep or not key.strip():
        raise _bad(spec, "expected key.path=value, e.g. platform.ranking=social")
    path = parse_key(key)
    if path is None:
        raise _bad(spec, f"expected field names or [index] in the key, got '{_shown(key)}'")
    if path[0] == "variants":
        raise _bad(spec, "variants cannot be changed with --set (choose one with --variant ID)")
    try:
        value, _ = parse_yaml(text)
    except YamlProblem as e:
        raise _bad(spec, e.message) from None
    return path, value


def _parent(data: object, path: Path, create: bool) -> object | None:
    node = data
    for depth, part in enumerate(path[:-1]):
        nxt = path[depth + 1]
        if isinstance(node, dict) and isinstance(part, str) and (create or part in node):
            node = node.setdefault(part, [] if isinstance(nxt, int) else {})
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def set_path(data: object, path: Path, value: object) -> bool:
    """Set the field at ``path`` (creating mappings on the way); False if there is no such place."""
    node, last = _parent(data, path, create=True), path[-1]
    if isinstance(node, dict) and isinstance(last, str):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int) and last <= len(node):
        node[last:last + 1] = [value]
    else:
        return False
    return True


def remove_path(data: object, path: Path) -> bool:
    """Drop the list item or field at ``path``; False if there is none."""
    node, last = _parent(data, path, create=False), path[-1]
    if (isinstance(node, list) and isinstance(last, int) and last < len(node)) or (
            isinstance(node, dict) and isinstance(last, str) and last in node):
        del node[last]  # type: ignore[arg-type]
    else:
        return False
    return True


def _why_missing(data: object, path: Path) -> str:
    """Where ``path`` leaves the scenario, and what is there: a list's items by index with
    their ids (``actors.0`` is ``fr_embassy_jp``), or a list too short."""
    node = data
    for depth, part in enumerate(path[:-1]):
        here = ".".join(map(str, path[:depth])) or "the scenario"
        if isinstance(node, list):
            ids = [f"{'.'.join(map(str, path[:depth]))}.{i} is {item['id']}"
                   for i, item in enumerate(node) if isinstance(item, dict) and "id" in item]
            if isinstance(part, str):
                return (f" ({here} is a list: address its items by index"
                        + (f"; {', '.join(_shown(x) for x in ids)}" if ids else "") + ")")
            if part >= len(node):
                return f" ({here} has {len(node)} items, 0 to {len(node) - 1})"
            node = node[part]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return ""
    return ""


def apply_overrides(data: object, specs: list[str]) -> tuple[object, dict[Path, str]]:
    """Apply each override in order; returns the data and which paths came from which --set."""
    origins: dict[Path, str] = {}
    for spec in specs:
        path, value = parse_override(spec)
        if not set_path(data, path, value):
            raise _bad(spec, "no such place in the scenario: "
                       f"{'.'.join(map(str, path))} does not exist{_why_missing(data, path)}")
        origins[path] = _shown(spec)
    return data, origins
