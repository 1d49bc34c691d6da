"""Load a scenario file: read, parse with line numbers, apply ``--set``, validate, cross-check.

Every problem found is reported at once as one ``ScenarioError`` naming file, line and field.
The file is size-checked before it is read and parsed once, however many variants it declares.
"""

from __future__ import annotations

import copy
import os
import stat
from pathlib import Path as FilePath

from pydantic import ValidationError

from diplosim.errors import Problem, ScenarioError, printable
from diplosim.scenario.messages import format_path, pydantic_problems
from diplosim.scenario.overrides import apply_overrides, parse_key, remove_path, set_path
from diplosim.scenario.references import reference_problems
from diplosim.scenario.schema import MAX_VARIANTS, Scenario
from diplosim.scenario.yaml_lines import Lines, YamlProblem, parse_yaml

__all__ = ["MAX_SCENARIO_BYTES", "apply_variant", "load_scenario", "load_with_variants",
           "parse_scenario", "parse_with_variants", "read_scenario_text"]

Path = tuple[str | int, ...]
#: Scenario files are small; a bigger one is a mistake (or an attack on the parser).
MAX_SCENARIO_BYTES = 5_000_000
#: Values checked when every variant is validated (variants x values outside ``variants``):
#: a few seconds on one core; 1,000 variants of a scenario of 1,000 values, or 20 of 50,000.
MAX_VARIANT_CHECKS = 1_000_000


def _too_large(name: str, size: int | None) -> ScenarioError:
    got = (f"{size:,} bytes" if size is not None else
           f"more than {MAX_SCENARIO_BYTES:,} bytes (reading stopped there)")
    return ScenarioError([Problem(name, None, "", f"file too large: {got}; a scenario may have "
                                  f"at most {MAX_SCENARIO_BYTES:,} bytes "
                                  f"({MAX_SCENARIO_BYTES / 1e6:g} MB)")])


def _line(path: Path, lines: Lines) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_SCENARIO_BYTES:
        raise _too_large(name, len(raw))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        problem = Problem(name, line, "", f"not valid UTF-8 text (byte {e.start})")
        raise ScenarioError([problem]) from None


def apply_variant(data: dict, variant: str, name: str, lines: Lines,
                  declared: object = None, index: int | None = None) -> dict:
    """The scenario data with variant ``variant`` applied: its ``set`` fields changed, its
    ``remove`` items dropped, ``-VARIANT`` added to the name (so its run folder differs).
    ``declared``: the scenario's variants, when ``data`` is a copy made without them;
    ``index``: the variant's place among them, when the caller knows it."""
    declared = data.get("variants") if declared is None else declared
    declared = declared if isinstance(declared, list) else []
    if index is None:
        ids: dict[object, int] = {}
        for i, v in enumerate(declared):
            if isinstance(v, dict):
                ids.setdefault(v.get("id"), i)
        if variant not in ids:
            have = ", ".join(map(str, ids)) if ids else "none"
            raise ScenarioError([Problem(name, lines.get(("variants",)), "variants",
                                         f"no variant '{printable(variant)}' "
                                         f"(this scenario's variants: {printable(have)})")])
        index = ids[variant]
    i = index
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
    for field, keys in (("set", list(sets)), ("remove", removes)):
        if any((parse_key(str(k)) or ())[:1] == ("variants",) for k in keys):
            raise bad(field, "a variant cannot change `variants`")
    for key, value in sets.items():
        path = parse_key(str(key))
        # a copy: --set may change it afterwards, and the variant's own spec must not change
        if path is None or not set_path(data, path, copy.deepcopy(value)):
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
    data, lines = _parse(raw, name)
    if variant is not None:
        data = apply_variant(data, variant, name, lines)
    return _validate(data, overrides or [], name, lines)


def parse_with_variants(raw: bytes | str, name: str = "<scenario>",
                        overrides: list[str] | None = None) -> tuple[Scenario, list[Scenario]]:
    """The scenario and each of its declared variants (overrides applied to all), from one
    parse: the work grows with the number of variants times the size of the scenario without
    its variants, never with the square of the variants. Raises at the first that fails."""
    data, lines = _parse(raw, name)
    declared = data.get("variants")
    _check_variant_work(declared, lines, name)
    rest = {k: v for k, v in data.items() if k != "variants"}
    base = _validate(copy.deepcopy(data), overrides or [], name, lines)
    variants = []
    for i, v in enumerate(base.variants):
        one = apply_variant(copy.deepcopy(rest), v.id, name, lines, declared, i)
        # the variants list was checked with the base: not validated again for each variant
        scenario = _validate(one, overrides or [], name, lines)
        variants.append(scenario.model_copy(update={"variants": base.variants}))
    return base, variants


def _check_variant_work(declared: object, lines: Lines, name: str) -> None:
    count = len(declared) if isinstance(declared, list) else 0
    values = sum(1 for path in lines if path[:1] != ("variants",))
    if count * values > MAX_VARIANT_CHECKS:
        raise ScenarioError([Problem(name, lines.get(("variants",)), "variants", (
            f"too many variants for the size of this scenario: {count:,} variants x {values:,} "
            f"values = {count * values:,} values to check; at most {MAX_VARIANT_CHECKS:,} "
            "(declare fewer variants, or split the scenario)"))])


def _parse(raw: bytes | str, name: str) -> tuple[dict, Lines]:
    if isinstance(raw, str) and len(raw) > MAX_SCENARIO_BYTES:
        raise _too_large(name, len(raw))
    text = _decode(raw, name) if isinstance(raw, bytes) else raw
    try:
        data, lines = parse_yaml(text)
    except YamlProblem as e:
        raise ScenarioError([Problem(name, e.line, format_path(e.path), e.message)]) from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ScenarioError([Problem(name, 1, "", f"expected a mapping of sections "
                                     f"(name, world, actors, ...), got {got}")])
    variants = data.get("variants")
    if isinstance(variants, list) and len(variants) > MAX_VARIANTS:
        raise ScenarioError([Problem(name, lines.get(("variants", MAX_VARIANTS)), "variants",
                                     f"too many variants: {len(variants):,}; a scenario may "
                                     f"declare at most {MAX_VARIANTS:,}")])
    return data, lines


def _validate(data: dict, overrides: list[str], name: str, lines: Lines) -> Scenario:
    data, origins = apply_overrides(data, overrides)
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


def load_with_variants(path: str | FilePath, overrides: list[str] | None = None
                       ) -> tuple[Scenario, list[Scenario]]:
    """Read a scenario file once; validate it and every declared variant
    (``parse_with_variants``)."""
    path = FilePath(path)
    return parse_with_variants(read_scenario_text(path), path.name, overrides)


def read_scenario_text(path: str | FilePath) -> str:
    """A scenario file's text (UTF-8); its size is checked before it is read (for a pipe or a
    device, by reading at most one byte past the limit). Errors name the file."""
    path = FilePath(path)
    try:
        with path.open("rb") as f:
            info = os.fstat(f.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > MAX_SCENARIO_BYTES:
                raise _too_large(str(path), info.st_size)
            raw = f.read(MAX_SCENARIO_BYTES + 1)
    except OSError as e:
        raise ScenarioError([Problem(str(path), None, "", f"cannot read: {e.strerror}")]) from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise _too_large(str(path), None)
    return _decode(raw, path.name)
