"""Commands about scenarios before anything runs: validate, world, schema, scenarios and
parameters."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from diplosim.cli.options import (
    ForceOption,
    Format,
    ScenarioArg,
    SetOption,
    VariantOption,
    out_path,
)
from diplosim.cli.terminal import err, human_bytes, out, writing
from diplosim.errors import printable
from diplosim.paths import safe_out
from diplosim.scenario import Scenario, load_scenario
from diplosim.scenario.loader import load_with_variants

__all__ = ["parameters", "scenarios_", "schema_", "validate", "world"]


def validate(scenario: ScenarioArg, set_: SetOption = None,  # type: ignore[assignment]
             variant: VariantOption = None) -> None:
    """Check a scenario; print every problem (exit 1) or a one-screen summary (exit 0)."""
    if variant is None:  # every declared variant must load too; the file is parsed once
        s, _ = load_with_variants(scenario, set_ or [])
    else:
        s = load_scenario(scenario, set_ or [], variant)
    _print_summary(s)
    print_warnings(s)
    out.print(f"[green]OK[/green] {scenario} is a valid scenario.", markup=True)


def print_warnings(s: Scenario) -> None:
    """What a valid scenario may still get wrong (``scenario.warnings``), on stderr."""
    from diplosim.scenario.warnings import language_warnings

    for line in language_warnings(s):
        err.print(f"warning: {printable(line)}", markup=False, soft_wrap=True)


def _print_summary(s: Scenario) -> None:
    from diplosim.world.countries import country_table

    table = country_table()
    out.print(f"[bold]{s.name}[/bold]  seed {s.seed}, {s.duration_days} days, "
              f"{s.world.users:,} users in {len(s.world.countries)} countries", markup=True)
    p = s.platform
    fc = (f"fact-check after {p.moderation.fact_check_delay_hours:g} h"
          if p.moderation.fact_check else "no fact-checking")
    out.print(f"platform: {p.ranking} ranking, state-media labels "
              f"{'on' if p.state_media_labels else 'off'}, {fc}, diversity {p.diversity:g}",
              markup=False)
    out.print("countries: " + ", ".join(f"{c} ({table[c].name})" for c in s.world.countries),
              markup=False)
    if s.issues:
        out.print("issues: " + printable(", ".join(f"{i.id} ({i.negative} -1 .. +1 "
                                                   f"{i.positive})" for i in s.issues)),
                  markup=False)
    if s.claims:
        out.print("claims: " + ", ".join(f"{c.id} ({'true' if c.true else 'false'})"
                                         for c in s.claims), markup=False)
    _print_actors_and_events(s)
    if s.parameters:
        out.print("parameters overridden: " + ", ".join(f"{k}={v:g}" for k, v in
                                                         s.parameters.items()), markup=False)


def _print_actors_and_events(s: Scenario) -> None:
    actors = Table("actor", "type", "country", "accounts", "campaigns", "posts/day",
                   title="Actors", title_justify="left")
    for a in s.actors:
        rate = sum(c.posts_per_day for c in a.campaigns) * a.accounts
        actors.add_row(a.id, a.type, a.country + (f" in {a.host_country}" if a.host_country
                       else ""), f"{a.accounts:,}", ", ".join(c.id for c in a.campaigns) or "-",
                       f"{rate:g}")
    out.print(actors)
    if s.events:
        events = Table("day", "event", "what", title="Timeline", title_justify="left")
        for e in sorted(s.events, key=lambda e: e.day):
            detail = e.model_dump(exclude={"day", "type"}, exclude_none=True)
            events.add_row(f"{e.day:g}", e.type, printable(", ".join(
                f"{k}={_show(v)}" for k, v in detail.items() if v != [])))
        out.print(events)


def _show(value: object) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    return f"{value:g}" if isinstance(value, float) else str(value)


def world(
    scenario: ScenarioArg,
    users: Annotated[int | None, typer.Option(min=1, help="Users (default: the scenario's).")]
    = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed (default: the scenario's).")]
    = None,
    format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    out_file: Annotated[Path | None, typer.Option(
        "--out", callback=out_path, help="Also write the JSON here.")]
    = None,
    set_: SetOption = None,  # type: ignore[assignment]
    variant: VariantOption = None,
    force: Annotated[bool, typer.Option("--force", help="Skip the memory check, and write "
                                        "--out over a file that is not JSON.")] = False,
) -> None:
    """Synthesise the scenario's population; print users per country and the state's memory."""
    from diplosim.engine.limits import check_world_memory
    from diplosim.store.folders import check_output_file
    from diplosim.store.writer import write_json_atomic
    from diplosim.world.census import world_summary
    from diplosim.world.population import synthesise

    s = load_scenario(scenario, set_ or [], variant)
    if out_file is not None:
        check_output_file(out_file, "json", [scenario], "--out", force)
    if not force:
        check_world_memory(s, s.world.users if users is None else users, scenario)
    pop = synthesise(s, users=users, seed=seed)
    summary = world_summary(pop)
    if format is Format.json:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        _print_world(pop)
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(out_file, summary)
        (err if format is Format.json else out).print(f"world summary written to {out_file}",
                                                      markup=False)


def _print_world(pop) -> None:
    from diplosim.world.census import country_rows

    t = Table("country", "users", "share", "platform users", "source", "main languages", "UTC",
              title=f"{pop.size:,} users", title_justify="left")
    for c in country_rows(pop):
        t.add_row(f"{c['code']} {c['name']}", f"{c['users']:,}", f"{c['share']:.1%}",
                  f"{c['platform_users_m']:,.1f}M",
                  "estimate" if c["estimated"] else "published", ", ".join(c["languages"]),
                  f"{c['utc_offset_hours']:+g}")
    out.print(t)
    out.print(f"state: {human_bytes(pop.nbytes)} ({pop.nbytes / max(pop.size, 1):.0f} bytes per "
              f"user; {len(pop.focal)} focal countries, {len(pop.issues)} issues, "
              f"{len(pop.claims)} claims)", markup=False)


def scenarios_() -> None:
    """List the built-in scenarios: name, question, size and variants (run one with
    `diplosim run scenarios/NAME.yaml [--variant ID]`)."""
    from diplosim.scenario.builtin import builtin_scenarios

    t = Table("scenario", "question", "users x days", "variants", title="Built-in scenarios "
              "(scenarios/NAME.yaml; notes and results in scenarios/NAME.md)",
              title_justify="left")
    for b in builtin_scenarios():
        s = b.scenario
        t.add_row(b.name, printable(b.question), f"{s.world.users:,} x {s.duration_days}",
                  ", ".join(v.id for v in s.variants) or "-")
    out.print(t)


def parameters() -> None:
    """List the model's parameter table: name, default, unit, accepted range, the range a
    sensitivity analysis varies it over, and source."""
    from diplosim.parameters import PARAMETERS

    t = Table("name", "value", "unit", "accepted", "sensitivity range", "source")
    for p in PARAMETERS.values():
        t.add_row(p.name, f"{p.value:g}", p.unit, f"{p.low:g}..{p.high:g}",
                  f"{p.sa_low:g}..{p.sa_high:g}: {p.sa_reason}", p.source)
    out.print(t)


def schema_(
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the schema to this file "
                                                  "(default: print it).")] = None,
    force: ForceOption = False,
) -> None:
    """Write the JSON Schema of a scenario file, every field described, for editors: put
    `# yaml-language-server: $schema=scenario.schema.json` at the top of a scenario to have
    its fields completed and checked while you type."""
    from diplosim.scenario.json_schema import json_schema_text
    from diplosim.store.folders import check_output_file
    from diplosim.store.writer import write_text_atomic

    text = json_schema_text()
    if out_file is None:
        sys.stdout.write(text)
        return
    target = check_output_file(safe_out(out_file, "--out"), "json", (), "--out", force)
    with writing(out_file):
        write_text_atomic(target, text)
    out.print(f"schema: {printable(str(out_file))}")
