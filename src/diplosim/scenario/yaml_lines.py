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

__all__ = ["MAX_ALIASES", "MAX_INT_DIGITS", "MAX_NODES", "MAX_TEXT", "Lines", "YamlProblem",
           "parse_yaml"]

Path = tuple[str | int, ...]
Lines = dict[Path, int]
#: Upper bound on values built, aliases expanded (guards against "billion laughs" documents).
MAX_NODES = 200_000
#: Upper bound on alias uses (``*name``) and on the text of all values with aliases expanded:
#: 100,000 aliases of a 1 MB string would otherwise make 100 GB of text for the schema to check.
MAX_ALIASES = 10_000
MAX_TEXT = 10_000_000
#: Digits in a whole number (any base): int64 needs 19; Python refuses to convert more than
#: 4,300, and a long base-60 number (``1:2:3:...``) costs quadratic time to build.
MAX_INT_DIGITS = 100


_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class YamlProblem(Exception):
    def __init__(self, line: int | None, message: str, path: Path = ()):
        self.line, self.message, self.path = line, message, path
        super().__init__(message)


class _Budget:
    """What is left to build: values, alias uses and characters (aliases expanded)."""

    def __init__(self) -> None:
        self.nodes, self.aliases, self.text = MAX_NODES, MAX_ALIASES, MAX_TEXT
        self.seen: set[int] = set()
        self.merged: dict[int, int] = {}  # mapping node -> entries its merge keys brought in

    def spend(self, node: Node, path: Path, lines: Lines, key: bool = False) -> None:
        line = node.start_mark.line + 1
        if id(node) in self.seen:  # an alias: its node's line is the anchor's; blame the use
            line = lines.get(path) or lines.get(path[:-1]) or line
        self.nodes -= 0 if key else 1
        if self.nodes < 0:
            raise YamlProblem(line, f"document too large: more than {MAX_NODES:,} values "
                              "(aliases expanded)", path)
        if id(node) in self.seen:  # the composer gives every use of an anchor the same node
            self.aliases -= 1
            if self.aliases < 0:
                raise YamlProblem(line, f"too many aliases: more than {MAX_ALIASES:,} uses of "
                                  "*anchors", path)
        else:
            self.seen.add(id(node))
        if isinstance(node, ScalarNode):
            self.text -= len(node.value)
            if self.text < 0:
                raise YamlProblem(line, f"document too large: more than {MAX_TEXT:,} "
                                  "characters of values (aliases expanded)", path)


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (only true/false, never yes/no/on/off) and, as in YAML
    1.2, no implicit timestamps: a date such as 2022-02-24 stays text, which the schema reads
    as a date (and the JSON schema, a string of format date, accepts alike)."""


_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _construct_int(loader: yaml.SafeLoader, node: ScalarNode) -> int:
    """PyYAML's whole numbers (decimal, 0x, 0o, 0b, base 60), refused past MAX_INT_DIGITS."""
    digits = len(node.value.replace("_", "").lstrip("+-"))
    if digits > MAX_INT_DIGITS:
        raise YamlProblem(node.start_mark.line + 1, f"a whole number of {digits:,} digits; at "
                          f"most {MAX_INT_DIGITS} are accepted")
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


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
        return _build(node, (), lines, loader, _Budget()), lines
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


def _build(node: Node, path: Path, lines: Lines, loader: _Loader, budget: _Budget) -> object:
    budget.spend(node, path, lines)
    lines.setdefault(path, node.start_mark.line + 1)
    if not isinstance(node, ScalarNode) and node.tag not in _COLLECTION_TAGS:
        raise YamlProblem(node.start_mark.line + 1,
                          f"invalid YAML: the tag '{node.tag}' is not allowed")
    if isinstance(node, MappingNode):
        if id(node) not in budget.merged:  # flattened once, however often it is aliased
            explicit = len(node.value)
            loader.flatten_mapping(node)  # merge keys (<<) come first; explicit keys override
            budget.merged[id(node)] = len(node.value) - explicit
        merged = budget.merged[id(node)]
        out: dict[str, object] = {}
        written: set[str] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem(key_node.start_mark.line + 1, "a mapping key must be plain text")
            key = key_node.value
            budget.spend(key_node, (*path, key), lines, key=True)
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
    try:
        return loader.construct_object(node, deep=True)
    except YamlProblem as e:
        raise YamlProblem(e.line, e.message, path) from None
    except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError):
        # PyYAML's own constructors fail this way on `0x_`, `!!int abc`, `!!float x`, `!!int`
        kind = node.tag.rsplit(":", 1)[-1]
        shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
        raise YamlProblem(node.start_mark.line + 1, f"invalid YAML: not a valid {kind}: "
                          f"'{printable(shown)}'", path) from None
