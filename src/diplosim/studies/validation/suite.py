"""Run the validation worlds at both sizes with several seeds and score every finding.

Each finding is a row: the published value with its source, the simulated value at each of
the two sizes (mean over the seeds and 95% Student's t interval), the tolerance, whether the
value depends on the size (the two sizes' means differ by more than their noise: Welch's 95%
interval of the difference excludes 0) and pass or fail. A finding passes when, at both sizes,
the whole interval lies inside the tolerance; a value that could not be computed (a claim that
never reached the threshold, a mechanism not modelled) fails.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import yaml

from diplosim.analysis.run import load_run
from diplosim.analysis.uncertainty import difference, t975
from diplosim.engine.engine import simulate
from diplosim.scenario.loader import parse_scenario
from diplosim.studies.validation.findings import FINDINGS, Finding, Replicate, part_of
from diplosim.studies.validation.world import (
    RANKINGS,
    SIZES,
    attention_scenario,
    validation_scenario,
)

__all__ = ["Row", "SizeResult", "from_json", "runs_per_suite", "to_json", "validate"]

def _clean(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, list):
        return [_clean(v) for v in x]
    return x


@dataclass
class SizeResult:
    users: int
    mean: float
    ci_low: float
    ci_high: float
    values: list[float]
    passed: bool


@dataclass
class Row:
    id: str
    part: str          # calibration, validation (both scored), resharing, illustration or
                       # diagnostic (shown, never scored)
    finding: str
    source: str
    published: str
    tolerance: str
    fitted: str
    sizes: list[SizeResult]
    size_dependent: bool | None  # None: not computable at one of the sizes
    passed: bool

    def as_dict(self) -> dict:
        """JSON-safe: an infinite or undefined value becomes null."""
        d = asdict(self)
        d["sizes"] = [{k: _clean(v) for k, v in s.items()} for s in d["sizes"]]
        return d


def interval(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95% t-interval; with any value not finite, the mean of all (inf or nan) and
    an interval that fails every tolerance."""
    x = np.asarray(values, float)
    if x.size == 0 or not np.isfinite(x).all():
        m = float(np.mean(x)) if x.size else math.nan
        return m, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, mean, mean
    half = t975(x.size - 1) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return mean, mean - half, mean + half


def size_dependent(a: list[float], b: list[float]) -> bool | None:
    """Welch's 95% interval of the difference of the two sizes' means excludes 0 (None when a
    size has a value not computed)."""
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return None
    d = difference(b, a, paired=False)  # different worlds: not paired by seed
    if math.isnan(d.low):
        return None
    return bool(d.low > 0 or d.high < 0)


def runs_per_suite(quick: bool) -> int:
    size = SIZES["quick" if quick else "full"]
    return 2 * size.seeds * (len(RANKINGS) + 1)


def validate(quick: bool = False, out: Path | None = None,
             progress: Callable[[str], None] | None = None) -> list[Row]:
    """Run both sizes' seeds and score every finding; run folders go to ``out`` (kept) or a
    temporary folder."""
    size = SIZES["quick" if quick else "full"]
    values: dict[str, list[list[float]]] = {f.id: [[], []] for f in FINDINGS}
    with tempfile.TemporaryDirectory() as tmp:
        base = out or Path(tmp)
        for which, (users, attention_users) in enumerate(zip(size.users, size.attention_users,
                                                             strict=True)):
            for k in range(size.seeds):
                seed = 1000 + k
                runs = {}
                for ranking in RANKINGS:
                    doc = validation_scenario(users, size.days, seed, ranking)
                    scenario = parse_scenario(yaml.safe_dump(doc),
                                              name=f"validation:{ranking}")
                    folder = base / f"users{users}" / f"seed{seed}" / ranking
                    simulate(scenario, folder)
                    runs[ranking] = load_run(folder)
                    if progress is not None:
                        progress(f"{users:,} users, seed {k + 1}/{size.seeds}, {ranking}")
                folder = base / f"users{users}" / f"seed{seed}" / "attention"
                simulate(attention_scenario(attention_users, seed), folder)
                if progress is not None:
                    progress(f"{users:,} users, seed {k + 1}/{size.seeds}, attention")
                rep = Replicate(runs, load_run(folder), users, size)
                for f in FINDINGS:
                    values[f.id][which].append(float(f.measure(rep)))
    return [_row(f, size.users, values[f.id]) for f in FINDINGS]


def _row(f: Finding, users: tuple[int, int], values: list[list[float]]) -> Row:
    sizes = []
    for n, v in zip(users, values, strict=True):
        mean, lo, hi = interval(v)
        ok = bool(math.isfinite(lo) and math.isfinite(hi) and f.low <= lo and hi <= f.high)
        sizes.append(SizeResult(n, mean, lo, hi, [round(x, 6) for x in v], ok))
    part = part_of(f.id)
    return Row(f.id, part, f.finding, f.source, f.published, f.tolerance, f.fitted, sizes,
               size_dependent(*values), part == "diagnostic" or all(s.passed for s in sizes))


def to_json(rows: list[Row], quick: bool) -> str:
    return json.dumps({"quick": quick, "size": asdict(SIZES["quick" if quick else "full"]),
                       "rows": [r.as_dict() for r in rows]}, indent=2, allow_nan=False,
                      default=str)


def from_json(text: str) -> tuple[list[Row], bool]:
    """The rows (and whether quick) of a saved ``to_json``; a null value is back to nan."""
    doc = json.loads(text)

    def value(v):
        return math.nan if v is None else [value(x) for x in v] if isinstance(v, list) else v

    def part(r: dict) -> str:  # a saved row takes the part its finding has now
        try:
            return part_of(r["id"])
        except KeyError:
            return r["part"]

    rows = [Row(**{**r, "part": part(r), "sizes": [SizeResult(**{k: value(v)
                                                                 for k, v in s.items()})
                                                   for s in r["sizes"]]})
            for r in doc["rows"]]
    return rows, bool(doc["quick"])
