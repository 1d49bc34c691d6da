"""The built-in scenarios: ``scenarios/NAME.yaml`` with ``scenarios/NAME.md`` beside it.

The folder is the repository's ``scenarios/`` (found from this file's place in a source checkout
or editable install), or ``$DIPLOSIM_SCENARIOS`` when set.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from diplosim.errors import DiplosimError
from diplosim.scenario.loader import load_scenario
from diplosim.scenario.schema import Scenario

__all__ = ["BuiltIn", "builtin", "builtin_scenarios", "scenarios_folder"]

#: The scenarios that are examples of the file format rather than cases from the seeds.
NOT_CASES = ("example",)


def scenarios_folder() -> Path:
    override = os.environ.get("DIPLOSIM_SCENARIOS")
    folder = Path(override) if override else Path(__file__).resolve().parents[3] / "scenarios"
    if not folder.is_dir():
        raise DiplosimError(f"no built-in scenarios folder at {folder} (set DIPLOSIM_SCENARIOS "
                            "to the repository's scenarios/ folder)")
    return folder


@dataclass(frozen=True)
class BuiltIn:
    name: str
    path: Path
    notes: Path
    scenario: Scenario

    @property
    def question(self) -> str:
        """The first paragraph under the notes' ``## Question`` heading."""
        text = self.notes.read_text(encoding="utf-8") if self.notes.exists() else ""
        m = re.search(r"^## Question\s*\n+(.+?)(?:\n\s*\n|\Z)", text, re.M | re.S)
        return " ".join(m.group(1).split()) if m else ""


def builtin(name: str) -> BuiltIn:
    folder = scenarios_folder()
    path = folder / f"{name}.yaml"
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name) or not path.exists():
        have = ", ".join(b.name for b in builtin_scenarios())
        raise DiplosimError(f"no built-in scenario '{name}' (built-in: {have})")
    return BuiltIn(name, path, folder / f"{name}.md", load_scenario(path))


def builtin_scenarios(cases_only: bool = True) -> list[BuiltIn]:
    """Every ``scenarios/*.yaml``, by name (without the format example unless asked)."""
    folder = scenarios_folder()
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    return [builtin(n) for n in names if not (cases_only and n in NOT_CASES)]
