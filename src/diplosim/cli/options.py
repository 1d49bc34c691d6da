"""Arguments and options several commands share, and the checks Typer runs on them as it
parses (an output path through '..' is refused before a command starts)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from diplosim.paths import safe_out

__all__ = ["ForceOption", "Format", "ScenarioArg", "SetOption", "VariantOption", "into_path",
           "out_path", "resume_path", "safe_path"]


class Format(StrEnum):
    table = "table"
    json = "json"


SetOption = Annotated[
    list[str],
    typer.Option("--set", metavar="KEY.PATH=VALUE",
                 help="Override a scenario field, e.g. --set platform.ranking=social "
                      "(repeatable; values are read as YAML)."),
]
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
VariantOption = Annotated[
    str | None,
    typer.Option("--variant", metavar="ID", help="Apply one of the scenario's declared variants "
                 "(before any --set); the run is named NAME-ID."),
]


ForceOption = Annotated[bool, typer.Option(
    "--force", help="Write over an existing file of another kind, or into a folder diplosim "
    "did not make (only files named as diplosim's outputs are replaced); never over an "
    "input.")]


def safe_path(option: str) -> Callable[[Path | None], Path | None]:
    """A Typer callback refusing an output path through '..' (``paths.safe_out``)."""
    def check(value: Path | None) -> Path | None:
        return None if value is None else safe_out(value, option)
    return check


out_path, into_path, resume_path = (safe_path(o) for o in ("--out", "--into", "--resume"))
