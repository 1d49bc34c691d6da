"""The HTML report and comparison: self-contained, safe with hostile data, honest about what a
folder lacks, and rendered by a real browser (Debian's chromium, headless)."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from diplosim.analysis.run import load_run
from diplosim.report import write_comparison, write_report
from tests.conftest import EXAMPLE
from tests.report.browser import chromium, open_report
from tests.report.conftest import EVIL, EVIL_CLOSE, EVIL_IMG, cli, write_folder

SECTION_IDS = ["reach", "map", "favourability", "narratives", "claims", "cascades", "actors",
               "coordination", "events",
               "scenario"]


class _Scan(HTMLParser):
    """Collects every attribute value and the text of every <script> element."""

    def __init__(self):
        super().__init__()
        self.attrs: list[tuple[str, str, str]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        if tag == "script":
            self._in_script, self._buf = dict(attrs), []

    def handle_data(self, data):
        if self._in_script is not None:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._buf)))
            self._in_script = None


def _scan(path: Path) -> _Scan:
    scan = _Scan()
    scan.feed(path.read_text(encoding="utf-8"))
    return scan


def _values(v) -> list:
    """A figure's array as a list (Plotly writes numeric arrays as base64 typed arrays)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    return list(v)


def _needs_browser():
    if chromium() is None and os.environ.get("DIPLOSIM_SKIP_BROWSER") != "1":
        pytest.fail("Debian's chromium is not installed: `make test` installs it "
                    "(set DIPLOSIM_SKIP_BROWSER=1 to skip the browser tests on purpose)")
    if chromium() is None:
        pytest.skip("DIPLOSIM_SKIP_BROWSER=1")


def test_run_writes_the_report_and_ends_with_its_path(example_run):
    out = example_run
    report = out / "report.html"
    assert report.exists()
    result = cli("run", EXAMPLE, "--quiet",
                 "--out", out.parent / "again", "--set", "world.users=1500")
    assert result.output.strip().splitlines()[-1] == f"report: {out.parent / 'again'}/report.html"


def test_the_report_is_one_file_that_needs_no_network(example_run):
    report = example_run / "report.html"
    scan = _scan(report)
    # no attribute anywhere loads or links to anything outside the file
    external = [(t, k, v) for t, k, v in scan.attrs if k in ("src", "href", "action", "data")
                and not v.startswith("#")]
    assert external == []
    csp = next(v for t, k, v in scan.attrs if k == "content" and "default-src" in v)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    # only the two inline scripts run (Plotly and the page's), each allowed by its own hash
    code = [text for attrs, text in scan.scripts if attrs.get("type") != "application/json"]
    assert len(code) == 2
    assert len(code[0]) > 1_000_000  # Plotly's JavaScript itself, inlined
    for text in code:
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    figures = [json.loads(text) for attrs, text in scan.scripts
               if attrs.get("type") == "application/json"]
    assert len(figures) == 7


def test_the_report_shows_the_runs_figures(example_run):
    run_dir = example_run
    run = load_run(run_dir)
    figures = {attrs["data-plot"]: json.loads(text) for attrs, text in
               _scan(run_dir / "report.html").scripts if attrs.get("type") == "application/json"}
    reach = figures["plot-reach"]["data"]
    # one bar series per actor, its bars the mean daily share of each country's users reached
    assert sorted(t["name"] for t in reach) == sorted(
        a for (a,) in run.con.execute("SELECT DISTINCT actor FROM audience").fetchall())
    us = run.con.execute("""
        SELECT sum(unique_viewers) / count(DISTINCT day) /
               (SELECT max(n) FROM attitudes WHERE country = 'US')
        FROM audience WHERE actor = 'us_state_dept' AND country = 'US'""").fetchone()[0]
    trace = next(t for t in reach if t["name"] == "us_state_dept")
    assert _values(trace["y"])[_values(trace["x"]).index("US")] == pytest.approx(us)
    # the favourability plot has one panel per foreign focal country and a line per country
    fav = figures["plot-favourability"]
    assert {a["text"] for a in fav["layout"]["annotations"]} >= {
        "toward US", "toward FR", "toward RU", "toward UA",
        "influencer_briefing: us_state_dept", "ban: US", "policy: platform"}
    # the cascade CCDF starts at 1 (every cascade has size >= 1) and falls
    ccdf = figures["plot-cascades"]["data"][0]
    x, y = _values(ccdf["x"]), _values(ccdf["y"])
    assert x[0] == 1 and y[0] == pytest.approx(1.0)
    assert all(a > b for a, b in itertools.pairwise(y))
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    for sid in SECTION_IDS:
        assert f'<section id="{sid}">' in html


def test_the_report_renders_in_chromium(example_run, tmp_path):
    _needs_browser()
    from PIL import Image, ImageStat

    report = example_run / "report.html"
    page = open_report(report, texts=("#actors table td",))
    assert page.page_errors == []
    assert [m for m in page.console if m[0] in ("error", "warning")] == []
    assert page.requests == [report.resolve().as_uri()]  # nothing fetched but the file itself
    assert page.plots == 7
    assert page.plot_paths > 200  # bars, lines and markers drawn as SVG
    # the actor with the most views on the platform ranks first
    first, _ = load_run(example_run).con.execute(
        "SELECT actor::VARCHAR AS a, sum(platform_views) AS v FROM posts WHERE actor IS NOT "
        "NULL GROUP BY 1 ORDER BY v DESC, a LIMIT 1").fetchone()
    assert page.texts["#actors table td"] == first
    image = Image.open(io.BytesIO(page.screenshot)).convert("RGB")
    assert image.height > 3000
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 500  # text, plots, colours: not blank
    background = max(colours)[0] / (image.width * image.height)
    assert background < 0.8
    assert min(ImageStat.Stat(image).stddev) > 20


def test_strings_from_data_are_shown_as_text_never_run(hostile_run):
    report = write_report(hostile_run)
    html = report.read_text(encoding="utf-8")
    for evil in (EVIL, EVIL_IMG, EVIL_CLOSE):
        assert evil not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # escaped in tables
    # in the figures' JSON: as chart text (&lt;, shown by Plotly as "<"), then JSON-escaped
    assert "\\u0026lt;script\\u0026gt;alert(1)" in html
    scan = _scan(report)
    assert [t for t, k, v in scan.attrs if t == "img"] == []
    assert len([1 for a, _ in scan.scripts if a.get("type") != "application/json"]) == 2
    _needs_browser()
    page = open_report(report, texts=("#actors table td", "header h1", "#reach .legendtext",
                                      "#narratives .annotation-text",
                                      "#map .updatemenu-header-group text"))
    assert page.dialogs == [] and page.page_errors == []
    assert page.texts["#actors table td"] == EVIL
    assert page.texts["header h1"] == f"diplosim report: {EVIL}"
    assert page.texts["#reach .legendtext"] == EVIL  # drawn by Plotly as SVG text
    assert page.texts["#narratives .annotation-text"] == f"{EVIL_CLOSE}: share on the positive side"
    assert page.texts["#map .updatemenu-header-group text"] == EVIL  # the map's actor menu
    assert page.plots == 7


def test_a_folder_with_some_tables_says_what_it_lacks(tmp_path):
    posts = {"post": [0, 1], "account": [1, 2], "actor": ["emb", None], "campaign": ["c", None],
             "impressions": [10, 5], "completions": [4, 1], "likes": [1, 0], "comments": [0, 0],
             "shares": [1, 0]}
    accounts = {"account": [1, 2], "actor": ["emb", None], "actor_type": ["embassy", "user"],
                "country": ["FR", "JP"], "followers_start": [0, 0], "followers_end": [3, 0]}
    folder = write_folder(tmp_path / "imported", {"posts": posts, "accounts": accounts},
                          {"completed": True})
    html = write_report(folder).read_text(encoding="utf-8")
    sections = dict(re.findall(r'<section id="(\w+)">(.*?)</section>', html, re.S))
    assert "no exposures table" in sections["reach"]
    assert "no attitudes table" in sections["favourability"]
    assert "no interactions table" in sections["cascades"]
    assert "not produced from a scenario" in sections["scenario"]
    assert "missing" not in sections["actors"] and "emb" in sections["actors"]
    assert re.search(r"<td[^>]*>emb</td>.*?<td[^>]*>10</td>", sections["actors"], re.S)


def test_compare_puts_rankings_side_by_side(ranking_runs, tmp_path):
    dirs = [ranking_runs[r] for r in ("engagement", "social", "chronological")]
    result = cli("compare", *dirs, "--format", "json")
    data = json.loads(result.output)
    assert data["runs"] == ["engagement", "social", "chronological"]
    rows = {(r["group"], r["metric"]): r for r in data["rows"]}
    assert rows[("setup", "platform.ranking")]["social"] == "social"
    for d in dirs:
        total = load_run(d).con.execute("SELECT sum(impressions) FROM posts").fetchone()[0]
        assert rows[("run", "impressions")][d.name] == total
    # the seeds' claim in miniature: accounts without followers (the citizens' group) are seen
    # on the platform through a For You feed and not on feeds of follows (plus trending, which
    # their engagement does not reach); platform views, as the accounts are kept whole
    crowd = rows[("actor platform views", "ua_citizens")]
    assert crowd["engagement"] > 100_000
    assert crowd["social"] < 0.01 * crowd["engagement"]
    assert crowd["chronological"] < 0.01 * crowd["engagement"]
    table = cli("compare", *dirs).output
    assert "platform.ranking" in table and "chronological" in table
    out = write_comparison(dirs, tmp_path / "compare.html")
    _needs_browser()
    page = open_report(out)
    assert page.page_errors == [] and page.dialogs == []
    assert [m for m in page.console if m[0] in ("error", "warning")] == []
    assert page.plots == 5
    assert page.requests == [out.resolve().as_uri()]
