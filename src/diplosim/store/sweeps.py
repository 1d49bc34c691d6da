"""The sweep folder, on the ground floor: its plan file, what a finished run looks like, and
reading them back. Anything that reads sweeps (the analysis, the studies, the pages) imports this
module, never the Ray code that runs them (``diplosim.distributed.sweep``); a sweep is planned,
every combination validated, by ``diplosim.scenario.sweeps``.

A sweep folder holds ``sweep.json`` (the plan: scenario text, what varies, every run's
overrides and folder), ``runs/cNNN-rNN/`` (ordinary run folders), ``runs.jsonl`` (where, when
and with how much memory each run ran) and ``sweep.parquet`` (the combined table,
``diplosim.analysis.sweeps``). The key ``variant`` varies the scenario's declared variants
(``base`` is the scenario as written), so ``--vary variant=base,no_ban --replicates 8`` runs each
variant with the same eight seeds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from diplosim.errors import DiplosimError
from diplosim.paths import inside
from diplosim.store.folders import claim_folder, record_files
from diplosim.store.writer import write_json_atomic

__all__ = ["BASE", "VARIANT", "Sweep", "format_value", "is_complete", "load_plan", "load_sweep",
           "log_run", "save_plan"]

#: The --vary key that chooses among the scenario's declared variants, and the scenario as written.
VARIANT, BASE = "variant", "base"


@dataclass
class Sweep:
    folder: Path
    plan: dict

    @property
    def runs(self) -> list[dict]:
        return self.plan["runs"]

    def run_folder(self, run: dict) -> Path:
        return inside(self.folder, run["folder"], f"{self.folder / 'sweep.json'}: folder")


def format_value(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def save_plan(out: Path, name: str, plan: dict, what: str, same: tuple[str, ...],
              different: str) -> Sweep:
    """Write a plan file of runs into ``out``; a folder already holding a plan that differs in
    any of the ``same`` keys is refused (the same plan is resumed)."""
    if (out / name).exists():
        old = load_plan(out, name, plan["kind"], what).plan
        if {k: old.get(k) for k in same} != {k: plan[k] for k in same}:
            raise DiplosimError(f"{out}: holds {different}; choose another --out")
    claim_folder(out, what, "--out", None)  # new, empty, or this kind's: never another's
    write_json_atomic(out / name, plan)
    record_files(out, [name, "runs", "runs.jsonl"])
    return Sweep(out, plan)


def load_sweep(folder: Path) -> Sweep:
    return load_plan(folder, "sweep.json", "diplosim sweep", "sweep")


def load_plan(folder: Path, name: str, kind: str, what: str) -> Sweep:
    """A plan file of runs (a sweep's, a sensitivity analysis'), checked: its kind, and that
    every run's folder lies inside ``folder``."""
    path = Path(folder) / name
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DiplosimError(f"{path}: not a {what} folder ({e})") from None
    if not isinstance(plan, dict) or plan.get("kind") != kind:
        raise DiplosimError(f"{path}: not a {kind} plan")
    runs = plan.get("runs")
    if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
        raise DiplosimError(f"{path}: runs: expected a list of runs")
    for i, r in enumerate(runs):  # a hand-edited plan cannot send a run outside the folder
        inside(Path(folder), r.get("folder"), f"{path}: runs[{i}].folder")
    return Sweep(Path(folder), plan)


def is_complete(folder: Path, scenario_hash: str | None = None,
                version: str | None = None, model: str | None = None) -> bool:
    """A finished run; if given, of this scenario, this diplosim version and this model hash
    (``diplosim._version.model_hash``: a run made by another version, or by the same version
    with other code or data, is done again before a sweep reuses it: its model may differ)."""
    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (bool(m.get("completed"))
            and (scenario_hash is None or m.get("scenario_hash") == scenario_hash)
            and (version is None or m.get("diplosim_version") == version)
            and (model is None or m.get("model_hash") == model))


def log_run(sweep: Sweep, run: dict, record: dict) -> None:
    """A line of ``runs.jsonl``: the run's folder (relative to the sweep) and where, when and
    with what memory it ran."""
    with open(sweep.folder / "runs.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({**record, "folder": run["folder"]}) + "\n")


