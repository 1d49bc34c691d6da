"""Parse YAML safely into plain data, remembering the line of every mapping key and list item.

PyYAML's ``SafeLoader`` (the loader behind ``yaml.safe_load``) composes the node tree; we build
the data from it ourselves so that each value keeps its line, keys stay text (``true:`` and
``NO:`` are keys, not booleans), and only YAML 1.2 booleans are booleans (``NO`` is Norway).
"""

from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from diplosim.errors import printable

__all__ = ["Lines", "YamlProblem", "parse_yaml"]

Path = tuple[str | int, ...]
Lines = dict[Path, int]
#: Upper bound on values built, aliases expanded (guards against "billion laughs" documents).
MAX_NODES = 200_000


_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


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
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: Lines = {}
        budget = [MAX_NODES]
        return _build(node, (), lines, loader, budget), lines
    except yaml.YAMLError as e:
        problem = getattr(e, "problem", None) or getattr(e, "reason", None) or str(e)
        line = _mark_line(e)
        if isinstance(e, yaml.reader.ReaderError):  # a character YAML does not allow
            line = text[: e.position].count("\n") + 1
        raise YamlProblem(line, f"invalid YAML: {printable(str(problem))}") from None
    except RecursionError:
        raise YamlProblem(None, "invalid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def _build(node: Node, path: Path, lines: Lines, loader: _Loader, budget: list[int]) -> object:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(node.start_mark.line + 1,
                          f"document too large: more than {MAX_NODES} values (aliases expanded)")
    lines.setdefault(path, node.start_mark.line + 1)
    if not isinstance(node, ScalarNode) and node.tag not in _COLLECTION_TAGS:
        raise YamlProblem(node.start_mark.line + 1,
                          f"invalid YAML: the tag '{node.tag}' is not allowed")
    if isinstance(node, MappingNode):
        explicit = len(node.value)
        loader.flatten_mapping(node)  # merge keys (<<) come first; explicit keys override them
        merged = len(node.value) - explicit
        out: dict[str, object] = {}
        written: set[str] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(key_node.start_mark.line + 1, "a mapping key must be plain text")
            key = key_node.value
            if index < merged and key in out:
                continue  # of two merged mappings, the first listed wins
            if key in written:
                raise YamlProblem(key_node.start_mark.line + 1,
                                  f"duplicate key '{printable(key)}'")
            if index >= merged:
                written.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*path, key), lines, loader, budget)
        return out
    if isinstance(node, SequenceNode):
        return [_build(item, (*path, i), lines, loader, budget)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
