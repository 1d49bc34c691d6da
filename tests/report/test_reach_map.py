"""The report's map of reach: country shapes shipped with the package (right places, no gaps
for the countries a scenario simulates), a figure whose colours are the run's figures, and a
map that Chromium draws and re-colours from its menu without fetching anything."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from plotly.colors import sample_colorscale

from diplosim.analysis.run import load_run
from diplosim.report.reach_map import (
    NOT_SIMULATED,
    SCALE,
    country_points,
    country_shapes,
    reach_map,
)
from diplosim.scenario.loader import load_scenario
from diplosim.world.countries import country_table
from tests.conftest import EXAMPLE
from tests.report.browser import CHROMIUM_FLAGS, chromium
from tests.report.conftest import write_folder
from tests.report.test_report import _needs_browser, _scan


def _inside(x: float, y: float, ring: list[float]) -> bool:
    """Even-odd point-in-polygon test on a flat [lon, lat, ...] ring."""
    xs, ys = ring[0::2], ring[1::2]
    inside = False
    for i in range(len(xs)):
        x1, y1, x2, y2 = xs[i - 1], ys[i - 1], xs[i], ys[i]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _contains(code: str, lon: float, lat: float) -> bool:
    return any(_inside(lon, lat, ring) for ring in country_shapes()[code])


def _bbox(code: str) -> tuple[float, float, float, float]:
    rings = country_shapes()[code]
    lons = [v for r in rings for v in r[0::2]]
    lats = [v for r in rings for v in r[1::2]]
    return min(lons), min(lats), max(lons), max(lats)


@pytest.mark.parametrize(("code", "city", "lon", "lat"), [
    ("FR", "Paris", 2.35, 48.85), ("JP", "Tokyo", 139.69, 35.69), ("BR", "Brasilia", -47.88,
    -15.79), ("US", "Kansas City", -94.58, 39.10), ("RU", "Moscow", 37.62, 55.75),
    ("UA", "Kyiv", 30.52, 50.45), ("ID", "Jakarta", 106.85, -6.21), ("ZA", "Pretoria", 28.19,
    -25.75), ("AU", "Alice Springs", 133.88, -23.70), ("DE", "Berlin", 13.40, 52.52)])
def test_each_capital_lies_in_its_own_country_and_no_other(code, city, lon, lat):
    assert _contains(code, lon, lat), f"{city} is not inside {code}"
    others = [c for c in country_shapes() if c != code and _contains(c, lon, lat)]
    assert others == [], f"{city} also falls in {others}"


def test_shapes_cover_the_world_and_keep_their_extent():
    shapes = country_shapes()
    assert len(shapes) >= 170  # Natural Earth 1:110m has 177 units; Antarctica is left out
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in shapes)
    # the contiguous United States and Alaska, Hawaii and the Aleutians (west of 180 made
    # continuous rather than wrapping to +180)
    west, south, east, north = _bbox("US")
    assert -180 <= west <= -170 and 18 <= south <= 20 and -67.5 <= east <= -66 and north >= 71
    # Russia's far east crosses the antimeridian: drawn as one piece up to 190 degrees east
    west, _, east, _ = _bbox("RU")
    assert 19 <= west <= 21 and 185 <= east <= 191
    # no ring jumps across the map (a band drawn across the world)
    for code, rings in shapes.items():
        for ring in rings:
            lons = ring[0::2]
            assert max(abs(a - b) for a, b in itertools.pairwise(lons)) < 60, code


def test_every_country_is_drawn_as_a_shape_or_a_dot():
    """Countries too small for the 1:110m shapes are the small ones (Singapore, Hong Kong,
    Bahrain, Mauritius among those over a million people), and each has a dot instead."""
    table = country_table()
    shapes, points = country_shapes(), country_points()
    big = {c for c, row in table.items() if row.population > 1_000_000}
    assert len(big) > 150
    assert sorted(big - set(shapes)) == ["BH", "HK", "MU", "SG"]
    assert sorted(set(table) - set(shapes) - set(points)) == []
    lon, lat = points["SG"]
    assert 103.6 < lon < 104.1 and 1.2 < lat < 1.5


def test_a_small_country_is_a_dot_coloured_like_the_shapes(tmp_path):
    """A hand-built run: two actors, France and Singapore (no 1:110m shape); every colour and
    hover text is the share of users reached per day, against the largest share of the actor."""
    audience = {"day": [0, 1, 0, 1, 0, 0], "actor": ["emb", "emb", "emb", "emb", "tv", "tv"],
                "country": ["FR", "FR", "SG", "SG", "FR", "SG"],
                "unique_viewers": [30, 50, 10, 10, 5, 20]}
    attitudes = {"day": [0, 0], "country": ["FR", "SG"], "kind": ["favourability"] * 2,
                 "subject": ["US"] * 2, "n": [200, 100], "mean": [0.1, 0.2],
                 "share_pos": [0.3, 0.4], "share_neg": [0.1, 0.1]}
    folder = write_folder(tmp_path / "run", {"audience": audience, "attitudes": attitudes},
                          {"completed": True})
    sec = reach_map(load_run(folder))
    fig = sec.figure.to_plotly_json()
    codes = list(country_shapes())
    assert len(fig["data"]) == len(codes) + 2  # shapes, the dots, the colour bar
    dots = fig["data"][len(codes)]
    assert list(dots["x"]) == [country_points()["SG"][0]]
    # emb: FR (30 + 50) / 2 days / 200 users = 0.2, SG 10 / 100 = 0.1; tv: FR 5/200, SG 0.2
    emb, tv = (b["args"][0] for b in fig["layout"]["updatemenus"][0]["buttons"])
    assert [b["label"] for b in fig["layout"]["updatemenus"][0]["buttons"]] == ["emb", "tv"]
    fr = codes.index("FR")
    assert emb["fillcolor"][fr] == sample_colorscale(SCALE, [1.0])[0]
    assert emb["marker.color"][len(codes)] == [sample_colorscale(SCALE, [0.5])[0]]
    assert emb["text"][len(codes)] == ["SG: 10.00% of users reached per day by emb"]
    assert emb["marker.cmax"][-1] == pytest.approx(0.2)
    assert tv["fillcolor"][fr] == sample_colorscale(SCALE, [0.025 / 0.2])[0]
    assert tv["marker.color"][len(codes)] == [sample_colorscale(SCALE, [1.0])[0]]
    assert tv["text"][fr] == "FR: 2.50% of users reached per day by tv"
    assert emb["fillcolor"][codes.index("DE")] == NOT_SIMULATED
    assert any("drawn as dots: SG" in n for n in sec.notes)


def _figure(run_dir: Path) -> dict:
    figures = {attrs["data-plot"]: json.loads(text) for attrs, text in
               _scan(run_dir / "report.html").scripts if attrs.get("type") == "application/json"}
    return figures["plot-map"]


def test_the_map_colours_each_country_by_the_share_reached(example_run):
    run = load_run(example_run)
    fig = _figure(example_run)
    codes = list(country_shapes())
    assert [t.get("name") for t in fig["data"][:-1]] == codes
    assert fig["data"][-1]["marker"]["showscale"] is True  # the colour bar
    buttons = fig["layout"]["updatemenus"][0]["buttons"]
    # one entry per actor seen by anyone, the actor reaching most first
    totals = dict(run.con.execute("""
        WITH users AS (SELECT country, max(n) AS n FROM attitudes GROUP BY country)
        SELECT actor, sum(v) FROM (
            SELECT a.actor, sum(a.unique_viewers) / count(DISTINCT a.day) / u.n AS v
            FROM audience a JOIN users u USING (country) GROUP BY a.actor, a.country, u.n)
        GROUP BY actor""").fetchall())
    labels = [b["label"] for b in buttons]
    assert set(labels) == set(totals) or len(labels) >= 8
    assert [totals[a] for a in labels] == sorted((totals[a] for a in labels), reverse=True)
    simulated = {c for (c,) in run.con.execute("SELECT DISTINCT country FROM attitudes").fetchall()}
    for button in buttons[:3]:
        actor = button["label"]
        style = button["args"][0]
        share = dict(run.con.execute("""
            SELECT a.country, sum(a.unique_viewers) / count(DISTINCT a.day) /
                   (SELECT max(n) FROM attitudes t WHERE t.country = a.country)
            FROM audience a WHERE a.actor = ? GROUP BY a.country""", [actor]).fetchall())
        top = max(share.values())
        assert style["marker.cmax"][-1] == pytest.approx(top)
        for i, code in enumerate(codes):
            if code in simulated:
                value = share.get(code, 0.0)
                assert style["fillcolor"][i] == sample_colorscale(SCALE, [value / top])[0]
                assert style["text"][i] == (
                    f"{code}: {value:.2%} of users reached per day by {actor}")
            else:
                assert style["fillcolor"][i] == NOT_SIMULATED
    # the first actor's colours are the ones drawn before anyone touches the menu
    first = buttons[0]["args"][0]["fillcolor"]
    assert [t["fillcolor"] for t in fig["data"][:-1]] == first[:-1]
    # the example's focal countries are all drawn
    scenario = load_scenario(EXAMPLE)
    assert set(scenario.world.countries) <= set(codes)


def test_chromium_draws_the_map_and_its_menu_recolours_it(example_run):
    _needs_browser()
    from playwright.sync_api import sync_playwright

    report = example_run / "report.html"
    requests, errors, console = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1200})
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.goto(report.resolve().as_uri(), wait_until="load")
            page.wait_for_selector("#plot-map .scatterlayer .trace", timeout=60_000)
            traces = page.locator("#plot-map .scatterlayer .trace")
            assert traces.count() == len(country_shapes()) + 1
            fills = page.eval_on_selector_all(
                "#plot-map .scatterlayer .trace path.js-fill",
                "els => els.map(e => e.style.fill)")
            assert len(fills) == len(country_shapes())
            assert len(set(fills)) >= 4  # grey plus at least three shades of reach
            page.locator("#plot-map .updatemenu-header-group").click()
            buttons = page.locator("#plot-map .updatemenu-dropdown-button")
            assert buttons.count() >= 2
            buttons.nth(1).click()
            page.wait_for_timeout(300)
            after = page.eval_on_selector_all(
                "#plot-map .scatterlayer .trace path.js-fill",
                "els => els.map(e => e.style.fill)")
            assert after != fills  # another actor, other colours
            assert sum(a == b for a, b in zip(after, fills, strict=True)) >= 100  # grey stays
        finally:
            browser.close()
    assert errors == []
    assert [m for m in console if m[0] in ("error", "warning")] == []
    assert requests == [report.resolve().as_uri()]
