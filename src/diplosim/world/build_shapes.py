"""Build the country shapes the report's map draws (``world/data/country_shapes.json``) from
Natural Earth's 1:110m countries as the ``world-atlas`` npm package ships them (TopoJSON).

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    diplosim build-shapes package/countries-110m.json \\
        --countries ../shared/data/world/countries.json

Countries too small for the 1:110m shapes get a point (mledoze/countries' ``latlng``), which
the map draws as a dot. Run once; the output is committed with its source, so the report never
loads a map from the network. Natural Earth is in the public domain; world-atlas (Mike
Bostock) is under the ISC licence; mledoze/countries under ODbL 1.0. Shapes are keyed by ISO
3166-1 alpha-2 code (ISO numeric ids mapped through mledoze/countries' ``ccn3``; three shapes
without an id are named by hand), with coordinates
rounded to 0.1 degree; Antarctica is left out (nobody there is simulated).
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["build", "decode"]

OUT = Path(__file__).parent / "data" / "country_shapes.json"
#: Shapes world-atlas ships without an ISO numeric id, by their Natural Earth name.
UNNAMED = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}
SKIP = {"010"}  # Antarctica


def _arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Every arc as absolute longitude/latitude points (TopoJSON's delta-encoded, quantised
    positions undone with its ``transform``)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]  # ~i: the arc walked backwards
        points.extend(arc if not points else arc[1:])  # arcs share their end points
    return points


def _unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) made continuous: each
    longitude moved by 360 degrees where it jumps by more than 180 from the point before, so
    the ring runs past 180 instead of being drawn across the whole map."""
    out: list[tuple[float, float]] = []
    for lon, lat in points:
        if out:
            while lon - out[-1][0] > 180:
                lon -= 360
            while lon - out[-1][0] < -180:
                lon += 360
        out.append((lon, lat))
    if min(lon for lon, _ in out) < -180:  # drawn east of 180, beside the rest of the country
        out = [(lon + 360, lat) for lon, lat in out]
    return out


def decode(topo: dict, codes: dict[str, str]) -> dict[str, list[list[list[float]]]]:
    """ISO alpha-2 code -> the country's rings (each a flat [lon, lat, lon, lat, ...] list)."""
    arcs = _arcs(topo)
    shapes: dict[str, list] = {}
    for g in topo["objects"]["countries"]["geometries"]:
        gid = g.get("id")
        if gid in SKIP:
            continue
        code = codes.get(gid) if gid else UNNAMED.get(g["properties"]["name"])
        if code is None:
            raise ValueError(f"no ISO alpha-2 code for {g['properties']['name']} (id {gid})")
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                flat = [round(v, 1) for point in _unwrap(_ring(ring, arcs)) for v in point]
                shapes.setdefault(code, []).append(flat)
    return dict(sorted(shapes.items()))


def build(topojson: Path, countries_json: Path, out: Path = OUT) -> dict:
    """Decode world-atlas' ``countries-110m.json`` (``topojson``) with mledoze/countries'
    ``countries.json`` (ISO numeric -> alpha-2, and each country's centre) into ``out``
    (``diplosim build-shapes``); returns what was written."""
    topo = json.loads(topojson.read_text(encoding="utf-8"))
    countries = json.loads(countries_json.read_text(encoding="utf-8"))
    codes = {c["ccn3"]: c["cca2"] for c in countries if c.get("ccn3")}
    shapes = {"source": "Natural Earth 1:110m Admin 0 countries (public domain), as TopoJSON in "
                        "the world-atlas npm package 2.0.2 by Mike Bostock (ISC licence); "
                        "decoded by diplosim.world.build_shapes, rings crossing the antimeridian "
                        "made continuous, coordinates rounded to 0.1 degree, Antarctica left out",
              "shapes": decode(topo, codes)}
    # countries too small for 1:110m (Singapore, Hong Kong, Bahrain...) are drawn as a dot at
    # the centre mledoze/countries gives them (``latlng``, latitude first)
    shapes["points_source"] = ("mledoze/countries latlng (ODbL), for countries with no 1:110m "
                               "shape")
    shapes["points"] = {c["cca2"]: [round(c["latlng"][1], 2), round(c["latlng"][0], 2)]
                        for c in sorted(countries, key=lambda c: c["cca2"])
                        if c["cca2"] not in shapes["shapes"] and c.get("latlng")}
    out.write_text(json.dumps(shapes, separators=(",", ":")) + "\n", encoding="utf-8")
    return shapes
