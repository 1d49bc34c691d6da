"""A sweep's plan: every combination of the varied fields, each replicated with its own seed,
validated before anything runs (a bad value is an error naming its ``--vary`` or ``--set``), and
written as the sweep folder's ``sweep.json`` (``diplosim.store.sweeps``)."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import yaml

from diplosim.errors import DiplosimError
from diplosim.scenario.loader import parse_scenario
from diplosim.store.sweeps import BASE, VARIANT, Sweep, format_value, save_plan

__all__ = ["parse_vary", "plan_sweep"]


def parse_vary(specs: list[str]) -> list[tuple[str, list[object]]]:
    """``KEY=V1,V2,...`` (values read as YAML) into (key, values), in the order given."""
    out: list[tuple[str, list[object]]] = []
    for spec in specs:
        key, eq, values = spec.partition("=")
        key = key.strip()
        if not eq or not key or not values.strip():
            raise DiplosimError(f"--vary {spec}: expected KEY.PATH=VALUE1,VALUE2,...")
        if any(k == key for k, _ in out):
            raise DiplosimError(f"--vary {spec}: {key} is varied twice")
        parsed = [yaml.safe_load(v) for v in values.split(",") if v.strip()]
        out.append((key, parsed))
    return out


def plan_sweep(scenario_text: str, name: str, vary: list[tuple[str, list[object]]],
               replicates: int, out: Path, fixed: list[str] | None = None) -> Sweep:
    """Validate every combination up front (a bad value is an error before anything runs).
    ``fixed`` overrides (``--set``) apply to every run, before the varied fields."""
    if replicates < 1:
        raise DiplosimError(f"--replicates {replicates}: expected 1 or more")
    fixed = list(fixed or [])
    base = parse_scenario(scenario_text, name, fixed)
    keys = [k for k, _ in vary]
    runs = []
    for c, values in enumerate(itertools.product(*(v for _, v in vary))):
        chosen = dict(zip(keys, values, strict=True))
        variant = chosen.get(VARIANT)
        variant = None if variant in (None, BASE) else str(variant)
        overrides = fixed + [f"{k}={format_value(v)}" for k, v in chosen.items() if k != VARIANT]
        parse_scenario(scenario_text, name, overrides, variant)  # raises naming the --set
        for r in range(replicates):
            seed = base.seed + r
            runs.append({"combination": c, "replicate": r, "seed": seed, "variant": variant,
                         "values": dict(zip(keys, values, strict=True)),
                         "overrides": [*overrides, f"seed={seed}"],
                         "folder": f"runs/c{c:03d}-r{r:02d}"})
    plan = {"kind": "diplosim sweep", "scenario_name": name, "scenario_text": scenario_text,
            "scenario_sha256": hashlib.sha256(scenario_text.encode()).hexdigest(),
            "fixed": fixed, "vary": [[k, v] for k, v in vary], "replicates": replicates,
            "runs": runs}
    return save_plan(Path(out), "sweep.json", plan, "sweep",
                     ("scenario_sha256", "fixed", "vary", "replicates"),
                     "a different sweep (another scenario, --set, --vary or --replicates)")
