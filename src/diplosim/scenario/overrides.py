"""``--set key.path=value``: change any scenario field from the command line before validation."""

from __future__ import annotations

import re

from diplosim.errors import Problem, ScenarioError, printable
from diplosim.scenario.yaml_lines import YamlProblem, parse_yaml

__all__ = ["apply_overrides", "parse_override"]

Path = tuple[str | int, ...]
_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$")


def _bad(spec: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(f"--set {printable(spec)}", None, "", message)])


def parse_override(spec: str) -> tuple[Path, object]:
    """``actors[0].campaigns[1].posts_per_day=5`` -> (path, value); values are read as YAML."""
    key, sep, text = spec.partition("=")
    if not sep or not key.strip():
        raise _bad(spec, "expected key.path=value, e.g. platform.ranking=social")
    path: list[str | int] = []
    for part in key.strip().split("."):
        if part.isdigit():
            path.append(int(part))
            continue
        m = _PART.match(part)
        if not m:
            shown = printable(part)
            raise _bad(spec, f"expected a field name or [index] in the key, got '{shown}'")
        path.append(m.group(1))
        path.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    try:
        value, _ = parse_yaml(text)
    except YamlProblem as e:
        raise _bad(spec, e.message) from None
    return tuple(path), value


def apply_overrides(data: object, specs: list[str]) -> tuple[object, dict[Path, str]]:
    """Apply each override in order; returns the data and which paths came from which --set."""
    origins: dict[Path, str] = {}
    for spec in specs:
        path, value = parse_override(spec)
        node = data
        for depth, part in enumerate(path[:-1]):
            nxt = path[depth + 1]
            if isinstance(node, dict) and isinstance(part, str):
                node = node.setdefault(part, [] if isinstance(nxt, int) else {})
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                raise _bad(spec, f"no such place in the scenario: {part!r} does not exist")
        last = path[-1]
        if isinstance(node, dict) and isinstance(last, str):
            node[last] = value
        elif isinstance(node, list) and isinstance(last, int) and last <= len(node):
            node[last:last + 1] = [value]
        else:
            raise _bad(spec, f"no such place in the scenario: {last!r} does not exist")
        origins[path] = printable(spec)
    return data, origins
