"""One self-contained HTML file per report: Plotly's JavaScript inlined, no external URL, and a
Content-Security-Policy that lets only the report's own two scripts run and forbids every
network request, so the file opens offline and nothing in it can phone home.

Every string from data reaches the page through Jinja2 with autoescaping on, or inside the
figures' JSON, where ``<``, ``>`` and ``&`` are written as ``\\u003c`` and so on and the JSON is
parsed, never executed. Plotly itself reads a few HTML tags in chart text (``<a href>``,
``<span style>``, ``<b>``...): every string of a figure but its templates is written with
``&lt;``, ``&gt;`` and ``&amp;``, which Plotly shows as the characters, so a name shows as it is
and never as a link.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache

import jinja2
import plotly.io as pio
from plotly.offline import get_plotlyjs

from diplosim.report.sections import Section, Table

__all__ = ["cell", "chart_text", "figure_json", "render_page"]

_BOOT = """
document.querySelectorAll('script[type="application/json"][data-plot]').forEach(function (el) {
  var fig = JSON.parse(el.textContent);
  var div = document.getElementById(el.getAttribute('data-plot'));
  Plotly.newPlot(div, fig.data, fig.layout, {displaylogo: false, responsive: true});
});
""".strip()


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("diplosim.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["cell"] = cell
    return env


#: Figure keys whose strings are Plotly templates written by diplosim (their tags are ours;
#: data reach them only through ``%{...}``, which takes the escaped values).
_TEMPLATES = frozenset({"hovertemplate", "texttemplate"})


def chart_text(value: str) -> str:
    """A string as Plotly chart text that shows it as it is: no tag in it is read as HTML."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(value, key: str | None = None):
    """Every string of a figure (its traces' names, labels, categories and text, annotations,
    menus, titles) as ``chart_text``, but its templates."""
    if isinstance(value, str):
        return value if key in _TEMPLATES else chart_text(value)
    if isinstance(value, list):
        return [_plain(v, key) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, k) for k, v in value.items()}
    return value


def figure_json(fig) -> str:
    """A figure as JSON that is safe inside a ``<script type="application/json">`` element, its
    strings shown by Plotly as text (``_plain``)."""
    text = json.dumps(_plain(json.loads(pio.to_json(fig, validate=False, pretty=False))),
                      separators=(",", ":"), ensure_ascii=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def cell(value: object, fmt: str | None = None) -> str:
    """A table cell as text (escaped later by the template)."""
    if value is None:
        return "–"
    if isinstance(value, float) and value != value:
        return "–"
    if fmt == "pct" and isinstance(value, int | float):
        return f"{value:.2%}"
    if fmt == "int" and isinstance(value, int | float):
        return f"{round(value):,}"
    if fmt in ("f1", "f2", "f3") and isinstance(value, int | float):
        return f"{value:,.{fmt[1]}f}"
    if fmt == "num" and isinstance(value, int | float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    if fmt == "id":
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def render_page(title: str, subtitle: str, sections: list[Section], facts: Table | None) -> str:
    plotly_js = get_plotlyjs()
    for s in sections:
        if s.figure is not None:
            s.figure.update_layout(margin={"t": 40, "b": 50, "l": 70, "r": 20},
                                   template="plotly_white")
    figures = {s.id: figure_json(s.figure) for s in sections if s.figure is not None}
    csp = ("default-src 'none'; "
           f"script-src {_sha256(plotly_js)} {_sha256(_BOOT)}; "
           "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
           "connect-src 'none'; base-uri 'none'; form-action 'none'")
    return _env().get_template("report.html.j2").render(
        title=title, subtitle=subtitle, sections=sections, facts=facts, figures=figures,
        csp=csp, plotly_js=plotly_js, boot=_BOOT)


