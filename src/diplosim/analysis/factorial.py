"""A factorial sweep's main effects and interactions, with intervals: when a sweep varies two or
more fields and holds every combination, each field's effect (a level against the baseline
column's level, averaged over the other fields' levels) and each pair's interaction (the
difference of differences, averaged over the rest) are computed seed by seed, so the interval
is the paired t interval over seeds, and Holm's correction is taken over all of them together.
For a 2 x 2 design (content, with and without a counter-campaign) the interaction is how much
the counter-campaign changes content's effect. Reference: Montgomery (2017), Design and
Analysis of Experiments, ch. 5 (effects of a two-factor factorial design)."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

from diplosim.analysis.uncertainty import Difference, difference, holm

__all__ = ["factorial_effects"]


def _key(v: object) -> str:
    return json.dumps(v, sort_keys=True) if not isinstance(v, str) else v


def factorial_effects(cols: list, metrics: list[dict], order: dict) -> list[dict]:
    """Rows ``group``, ``metric``, ``kind`` (main, interaction), ``effect`` (its label) and
    ``value`` (a paired ``Difference`` over the seeds every column holds, with Holm's p over
    all rows). ``cols[0]`` is the baseline: its levels are the reference. Empty unless the
    columns are a complete factorial sweep of two or more fields."""
    if any(c.values is None for c in cols) or len({tuple(c.values) for c in cols}) != 1:
        return []
    fields = [f for f in cols[0].values
              if len({_key(c.values[f]) for c in cols}) > 1]
    if len(fields) < 2:
        return []
    levels = {f: list(dict.fromkeys(_key(c.values[f]) for c in cols)) for f in fields}
    cell = {tuple(_key(c.values[f]) for f in fields): m for c, m in zip(cols, metrics,
                                                                           strict=True)}
    if len(cell) != len(cols) or len(cell) != _product(len(v) for v in levels.values()):
        return []  # not every combination (or one twice): no effects
    ref = {f: _key(cols[0].values[f]) for f in fields}
    seeds = sorted(set.intersection(*(set(m) for m in metrics)))
    if len(seeds) < 2:
        return []
    rows = []
    for key in order:
        def y(assign: dict[str, str], seed: int, key=key) -> float | None:
            v = cell[tuple(assign[f] for f in fields)][seed].get(key)
            return None if v is None else float(v)

        for f in fields:
            for level in levels[f]:
                if level != ref[f]:
                    per_seed = _averaged(fields, levels, [f], lambda a, s, f=f, level=level: _d(
                        y({**a, f: level}, s), y({**a, f: ref[f]}, s)), seeds)
                    rows.append(_row(key, "main", f"{f}={level}", per_seed))
        for f, g in itertools.combinations(fields, 2):
            for lf, lg in itertools.product(levels[f], levels[g]):
                if lf == ref[f] or lg == ref[g]:
                    continue
                def contrast(a, s, f=f, g=g, lf=lf, lg=lg):
                    both, onlyf = y({**a, f: lf, g: lg}, s), y({**a, f: lf, g: ref[g]}, s)
                    onlyg, neither = y({**a, f: ref[f], g: lg}, s), y({**a, f: ref[f],
                                                                        g: ref[g]}, s)
                    return _d(_d(both, onlyg), _d(onlyf, neither))
                per_seed = _averaged(fields, levels, [f, g], contrast, seeds)
                rows.append(_row(key, "interaction", f"{f}={lf} × {g}={lg}", per_seed))
    rows = [r for r in rows if r["value"].n >= 2]
    for r, p in zip(rows, holm([r["value"].p for r in rows]), strict=True):
        r["value"] = replace(r["value"], holm=p)
    return rows


def _product(xs) -> int:
    out = 1
    for x in xs:
        out *= x
    return out


def _d(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _averaged(fields, levels, fixed, contrast, seeds) -> list[float | None]:
    """Per seed: the contrast averaged over every level of the fields not in ``fixed`` (None
    when any cell is missing)."""
    rest = [f for f in fields if f not in fixed]
    out = []
    for s in seeds:
        vals = [contrast(dict(zip(rest, combo, strict=True)), s)
                for combo in itertools.product(*(levels[f] for f in rest))]
        out.append(None if any(v is None for v in vals) else sum(vals) / len(vals))
    return out


def _row(key: tuple[str, str], kind: str, effect: str, per_seed: list) -> dict:
    value: Difference = difference(per_seed, [0.0 if v is not None else None
                                              for v in per_seed])
    return {"group": key[0], "metric": key[1], "kind": kind, "effect": effect, "value": value}
