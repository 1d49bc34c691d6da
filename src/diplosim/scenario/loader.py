"""Load a scenario file: read, parse with line numbers, apply ``--set``, validate, cross-check.

Every problem found is reported at once as one ``ScenarioError`` naming file, line and field.
"""

from __future__ import annotations

from pathlib import Path as FilePath

from pydantic import ValidationError

from diplosim.errors import Problem, ScenarioError
from diplosim.scenario.messages import format_path, pydantic_problems
from diplosim.scenario.overrides import apply_overrides, parse_key, remove_path, set_path
from diplosim.scenario.references import reference_problems
from diplosim.scenario.schema import Scenario
from diplosim.scenario.yaml_lines import Lines, YamlProblem, parse_yaml

__all__ = ["MAX_SCENARIO_BYTES", "apply_variant", "load_scenario", "parse_scenario",
           "read_scenario_text"]

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


def apply_variant(data: dict, variant: str, name: str, lines: Lines) -> dict:
    """The scenario data with variant ``variant`` applied: its ``set`` fields changed, its
    ``remove`` items dropped, ``-VARIANT`` added to the name (so its run folder differs)."""
    declared = data.get("variants") if isinstance(data.get("variants"), list) else []
    ids = [v.get("id") for v in declared if isinstance(v, dict)]
    if variant not in ids:
        have = ", ".join(map(str, ids)) if ids else "none"
        raise ScenarioError([Problem(name, lines.get(("variants",)), "variants",
                                     f"no variant '{variant}' (this scenario's variants: {have})")])
    i = ids.index(variant)
    spec = declared[i]
    where = ("variants", i)

    def bad(field: str, message: str) -> ScenarioError:
        return ScenarioError([Problem(name, _line((*where, field), lines),
                                      format_path((*where, field)), message)])

    sets = spec.get("set") or {}
    removes = spec.get("remove") or []
    if not isinstance(sets, dict) or not isinstance(removes, list):
        raise bad("set", "expected `set` as a mapping of field paths to values and `remove` "
                  "as a list of paths")
    for key, value in sets.items():
        path = parse_key(str(key))
        if path is None or not set_path(data, path, value):
            raise bad("set", f"no such place in the scenario: {key}")
    paths = [(str(key), parse_key(str(key))) for key in removes]
    # last index first, so earlier indices still point at the same items; parts are keyed
    # (kind, value) so a name and an index at the same depth never compare directly
    def position(kp: tuple[str, Path | None]) -> list[tuple[int, int | str]]:
        return [(0, p) if isinstance(p, int) else (1, p) for p in kp[1] or ()]

    for key, path in sorted(paths, key=position, reverse=True):
        if path is None or not remove_path(data, path):
            raise bad("remove", f"nothing to remove at {key}")
    data["name"] = f"{data.get('name')}-{variant}"
    return data


def parse_scenario(raw: bytes | str, name: str = "<scenario>",
                   overrides: list[str] | None = None, variant: str | None = None) -> Scenario:
    """Validate scenario text (bytes or str); ``name`` is used in messages. ``variant`` applies
    one of the scenario's declared variants before the overrides."""
    text = _decode(raw, name) if isinstance(raw, bytes) else raw
    try:
        data, lines = parse_yaml(text)
    except YamlProblem as e:
        raise ScenarioError([Problem(name, e.line, "", e.message)]) from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ScenarioError([Problem(name, 1, "", f"expected a mapping of sections "
                                     f"(name, world, actors, ...), got {got}")])
    if variant is not None:
        data = apply_variant(data, variant, name, lines)
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


def load_scenario(path: str | FilePath, overrides: list[str] | None = None,
                  variant: str | None = None) -> Scenario:
    """Read and validate a scenario file; raises ``ScenarioError`` listing every problem."""
    path = FilePath(path)
    return parse_scenario(read_scenario_text(path), path.name, overrides, variant)


def read_scenario_text(path: str | FilePath) -> str:
    """A scenario file's text (UTF-8, size-checked); errors name the file."""
    path = FilePath(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ScenarioError([Problem(str(path), None, "", f"cannot read: {e.strerror}")]) from None
    return _decode(raw, path.name)
