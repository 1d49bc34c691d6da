"""Parse YAML safely into plain data, remembering the line of every mapping key and list item.

PyYAML's ``SafeLoader`` (the loader behind ``yaml.safe_load``) composes the node tree; we build
the data from it ourselves so that each value keeps its line, keys stay text (``true:`` and
``NO:`` are keys, not booleans), and only YAML 1.2 booleans are booleans (``NO`` is Norway).
"""

from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["Lines", "YamlProblem", "parse_yaml"]

Path = tuple[str | int, ...]
Lines = dict[Path, int]
#: Upper bound on values built, aliases expanded (guards against "billion laughs" documents).
MAX_NODES = 200_000


class YamlProblem(Exception):
    def __init__(self, line: int | None, message: str):
        self.line, self.message = line, message
        super().__init__(message)


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false, never yes/no/on/off."""


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _mark_line(error: yaml.YAMLError) -> int | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def parse_yaml(text: str) -> tuple[object, Lines]:
    """Return the document's data and the 1-based line of every path in it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: Lines = {}
        budget = [MAX_NODES]
        return _build(node, (), lines, loader, budget), lines
    except yaml.YAMLError as e:
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise YamlProblem(_mark_line(e), f"invalid YAML: {problem}") from None
    except RecursionError:
        raise YamlProblem(None, "invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def _build(node: Node, path: Path, lines: Lines, loader: _Loader, budget: list[int]) -> object:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(node.start_mark.line + 1,
                          f"document too large: more than {MAX_NODES} values (aliases expanded)")
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        loader.flatten_mapping(node)
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(key_node.start_mark.line + 1, "a mapping key must be plain text")
            key = key_node.value
            if key in out:
                raise YamlProblem(key_node.start_mark.line + 1, f"duplicate key '{key}'")
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*path, key), lines, loader, budget)
        return out
    if isinstance(node, SequenceNode):
        return [_build(item, (*path, i), lines, loader, budget)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
