"""Load a scenario file: read, parse with line numbers, apply ``--set``, validate, cross-check.

Every problem found is reported at once as one ``ScenarioError`` naming file, line and field.
"""

from __future__ import annotations

from pathlib import Path as FilePath

from pydantic import ValidationError

from diplosim.errors import Problem, ScenarioError
from diplosim.scenario.messages import format_path, pydantic_problems
from diplosim.scenario.overrides import apply_overrides
from diplosim.scenario.references import reference_problems
from diplosim.scenario.schema import Scenario
from diplosim.scenario.yaml_lines import Lines, YamlProblem, parse_yaml

__all__ = ["MAX_SCENARIO_BYTES", "load_scenario", "parse_scenario"]

Path = tuple[str | int, ...]
#: Scenario files are small; a bigger one is a mistake (or an attack on the parser).
MAX_SCENARIO_BYTES = 5_000_000


def _line(path: Path, lines: Lines) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError([Problem(name, None, "", f"file too large: {len(raw)} bytes, "
                                     f"expected at most {MAX_SCENARIO_BYTES}")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        problem = Problem(name, line, "", f"not valid UTF-8 text (byte {e.start})")
        raise ScenarioError([problem]) from None


def parse_scenario(raw: bytes | str, name: str = "<scenario>",
                   overrides: list[str] | None = None) -> Scenario:
    """Validate scenario text (bytes or str); ``name`` is used in messages."""
    text = _decode(raw, name) if isinstance(raw, bytes) else raw
    try:
        data, lines = parse_yaml(text)
    except YamlProblem as e:
        raise ScenarioError([Problem(name, e.line, "", e.message)]) from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ScenarioError([Problem(name, 1, "", f"expected a mapping of sections "
                                     f"(name, world, actors, ...), got {got}")])
    data, origins = apply_overrides(data, overrides or [])

    found: list[tuple[Path, str]] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        found += pydantic_problems(e, Scenario, data)
    found += reference_problems(data)
    if found:
        raise ScenarioError([_problem(p, m, name, lines, origins) for p, m in dict.fromkeys(found)])
    assert scenario is not None
    return scenario


def _problem(path: Path, message: str, name: str, lines: Lines,
             origins: dict[Path, str]) -> Problem:
    for origin, spec in origins.items():
        made_by_set = origin[: len(path)] == path and path not in lines
        if path[: len(origin)] == origin or made_by_set:
            return Problem(f"--set {spec}", None, format_path(path), message)
    return Problem(name, _line(path, lines), format_path(path), message)


def load_scenario(path: str | FilePath, overrides: list[str] | None = None) -> Scenario:
    """Read and validate a scenario file; raises ``ScenarioError`` listing every problem."""
    path = FilePath(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ScenarioError([Problem(str(path), None, "", f"cannot read: {e.strerror}")]) from None
    return parse_scenario(raw, path.name, overrides)
