"""The one family of errors diplosim raises; only ``diplosim.cli`` turns them into exit codes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DiplosimError", "Problem", "ScenarioError", "printable"]


def printable(text: str) -> str:
    """Text from data made safe for one line of a terminal: control characters (newlines, ANSI
    escapes) are shown as escapes instead of acting."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


class DiplosimError(Exception):
    """Base class of every error diplosim raises for bad input or bad state."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, line, field path) and what was expected."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(DiplosimError):
    """A scenario that does not validate; ``problems`` holds every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.path))
        super().__init__("\n".join(str(p) for p in self.problems))
