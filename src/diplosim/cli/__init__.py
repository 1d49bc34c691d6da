"""The ``diplosim`` command: each command parses its arguments, calls one library function and
prints the result.

The commands live by job: ``scenario`` (validate, world, schema, scenarios, parameters),
``run``, ``studies`` (sweep, sensitivity, studies, validate-model), ``compare`` and ``data``
(import, summary, report, coordination), and ``develop`` (maintainers' commands that rebuild
the shipped data, hidden from ``--help``); ``terminal`` and ``options`` hold what they share.
Library errors (``DiplosimError``) become a message on stderr and exit code 1 in ``main``, and
only there; usage errors are Typer's (exit 2).
"""

from __future__ import annotations

import typer

from diplosim.cli import compare, data, develop, run, scenario, studies
from diplosim.cli.terminal import fail
from diplosim.errors import DiplosimError

__all__ = ["app", "main"]

app = typer.Typer(
    help="Simulate and measure TikTok diplomacy. Start with `diplosim validate FILE`.",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
)

# In the order `diplosim --help` lists them.
for _name, _command in (
        ("validate", scenario.validate), ("world", scenario.world), ("run", run.run),
        ("sweep", studies.sweep), ("sensitivity", studies.sensitivity),
        ("summary", data.summary), ("report", data.report), ("compare", compare.compare),
        ("import", data.import_), ("coordination", data.coordination),
        ("scenarios", scenario.scenarios_), ("parameters", scenario.parameters),
        ("schema", scenario.schema_), ("validate-model", studies.validate_model),
        ("studies", studies.studies)):
    app.command(_name)(_command)
# Maintainers' commands: in the command reference, not in `diplosim --help`.
app.command("build-table", hidden=True)(develop.build_table)
app.command("build-shapes", hidden=True)(develop.build_shapes)


def main() -> None:
    """Entry point: usage errors are Typer's (exit 2); diplosim's own errors exit 1."""
    try:
        app()
    except DiplosimError as e:
        fail(e)
