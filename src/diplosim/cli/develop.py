"""Maintainers' commands, hidden from ``diplosim --help``: rebuild the data files shipped with
the package (the country table, the report map's shapes) from their published sources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from diplosim.cli.terminal import out

__all__ = ["build_shapes", "build_table"]


def build_table(
    shared: Annotated[Path, typer.Option(help="The shared real data's world folder "
                                         "(mledoze/countries, World Bank).")]
    = Path("../shared/data/world"),
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Where the tables go (default: the package's world/data).")] = None,
) -> None:
    """Rebuild the shipped country table (countries.csv, languages.csv, built_with.json) from
    the shared real data, CLDR language shares (babel) and time zones (tzdata); a maintainers'
    command, run when the pinned babel or tzdata change."""
    from diplosim.world.build_table import DATA_DIR, build

    build(shared, out_dir or DATA_DIR)


def build_shapes(
    topojson: Annotated[Path, typer.Argument(help="world-atlas' countries-110m.json.",
                                             show_default=False)],
    countries: Annotated[Path, typer.Option(help="mledoze/countries' countries.json (ISO "
                                            "numeric -> alpha-2).", show_default=False)],
) -> None:
    """Rebuild the report map's country shapes (world/data/country_shapes.json) from Natural
    Earth's 1:110m countries as the world-atlas npm package ships them; a maintainers'
    command, run once (the output is committed)."""
    from diplosim.world.build_shapes import OUT, build

    shapes = build(topojson, countries)
    out.print(f"{OUT}: {len(shapes['shapes'])} shapes, {len(shapes['points'])} points, "
              f"{OUT.stat().st_size:,} bytes", markup=False)
