"""What every report section is made of: a section, its tables, the palette, and the note a
section shows when the folder lacks the tables it needs."""

from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go

from diplosim.analysis.run import Run

__all__ = ["MAX_PANELS", "MAX_SERIES", "PALETTE", "Section", "Table", "needs"]

#: Colours for up to ten series (Plotly's default qualitative palette, "Plotly").
PALETTE = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692",
           "#b6e880", "#ff97ff", "#fecb52")
MAX_SERIES = 10  # lines or bar groups per panel before the rest are left out (and said so)
MAX_PANELS = 6


@dataclass
class Table:
    title: str
    rows: list[dict]
    formats: dict[str, str] = field(default_factory=dict)  # column -> "int", "pct", "f3", "f1"


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    figure: go.Figure | None = None
    tables: list[Table] = field(default_factory=list)
    missing: str | None = None   # set when the run lacks the tables this section needs
    notes: list[str] = field(default_factory=list)
    pre: str | None = None       # preformatted text (the scenario)


def needs(run: Run, sid: str, title: str, *tables: str) -> Section | None:
    absent = [t for t in tables if not run.has(t)]
    if absent:
        return Section(sid, title, missing=f"This run folder has no {', '.join(absent)} "
                                           f"table{'s' if len(absent) > 1 else ''}, so this "
                                           "section cannot be measured.")
    return None
