"""Strings from data in the report's charts are shown as text: Plotly reads ``<a href>``,
``<span style>`` and other tags in chart text, so every string of a figure but diplosim's own
templates reaches Plotly escaped (``&lt;``), and no chart draws a link from data."""

from __future__ import annotations

import json
import os
import re

import plotly.graph_objects as go
import pytest

from diplosim.report import write_report
from diplosim.report.html import chart_text, figure_json
from tests.report.browser import chromium, open_report
from tests.report.conftest import EVIL, EVIL_IMG, EVIL_LINK

_FIGURES = re.compile(r'<script type="application/json" data-plot="[^"]*">(.*?)</script>', re.S)


def _strings(value, key=None):
    """(key, string) for every string in a figure's JSON."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)


def _figure_strings(html: str) -> list[tuple[str, str]]:
    figures = _FIGURES.findall(html)
    assert figures
    return [s for f in figures for s in _strings(json.loads(f))]


def test_a_figures_strings_reach_plotly_escaped_but_its_templates():
    fig = go.Figure(go.Bar(x=[EVIL_LINK, "a & b"], y=[1, 2], name=EVIL_LINK, text=[EVIL_IMG, ""],
                           hovertemplate="%{x}<br>%{y}<extra></extra>"))
    fig.add_annotation(text=EVIL_LINK, x=0, y=1)
    fig.update_layout(updatemenus=[{"buttons": [{"label": EVIL_LINK, "method": "skip"}]}])
    strings = list(_strings(json.loads(figure_json(fig))))
    assert [s for k, s in strings if "<" in s and k != "hovertemplate"] == []
    assert ("hovertemplate", "%{x}<br>%{y}<extra></extra>") in strings
    assert sum(s == chart_text(EVIL_LINK) for _, s in strings) == 4  # x, name, note, menu
    assert ("x", "a &amp; b") in strings  # Plotly shows "a & b"
    assert "<" not in figure_json(fig)  # and the JSON is safe inside its <script> element


def _no_markup_from_data(html: str) -> None:
    strings = _figure_strings(html)
    markup = [(k, s) for k, s in strings if "<" in s and k not in ("hovertemplate",
                                                                   "texttemplate")]
    assert markup == []
    assert any(s == chart_text(EVIL_LINK) or chart_text(EVIL_LINK) in s for _, s in strings)
    # templates carry only diplosim's tags, never a link
    assert [s for k, s in strings if "<a" in s.lower()] == []


@pytest.fixture(scope="module")
def reports(hostile_run, hostile_import, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("link_reports")
    return {"run": write_report(hostile_run, out / "run.html"),
            "import": write_report(hostile_import, out / "import.html")}


@pytest.mark.parametrize("which", ["run", "import"])
def test_no_chart_carries_a_link_or_tag_from_data(reports, which):
    _no_markup_from_data(reports[which].read_text(encoding="utf-8"))


@pytest.mark.parametrize("which", ["run", "import"])
def test_no_chart_draws_a_link_from_data_in_chromium(reports, which):
    if chromium() is None or os.environ.get("DIPLOSIM_SKIP_BROWSER"):
        pytest.skip("needs Debian chromium (make browser)")
    page = open_report(reports[which])
    assert page.dialogs == [] and page.page_errors == []
    assert [h for h in page.links if "evil.example" in h] == []
    assert page.plots >= 4
    # the names are drawn as they are, markup and all
    assert EVIL_LINK in page.plot_text
    if which == "import":
        assert EVIL in page.plot_text and EVIL_IMG in page.plot_text
