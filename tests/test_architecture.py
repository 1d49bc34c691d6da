"""The house's layout holds: the layers' contract (import-linter, configured in pyproject.toml),
no import circle between modules, no module importing the package's ``__init__``, and modules
small enough to read (about 400 lines; the parameter table excepted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx

from tests.conftest import ROOT

SRC = ROOT / "src" / "diplosim"
#: "About 400 lines": a module may run a little over while it has one job.
MAX_LINES = 420
#: The one table of model constants is long by design (one row per constant, with its source).
LONG_BY_DESIGN = {"parameters.py"}


def test_the_layers_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert re.search(r"Contracts: [4-9]\d* kept, 0 broken", done.stdout), done.stdout[-2000:]


def test_no_module_imports_another_in_a_circle():
    graph = grimp.build_graph("diplosim", exclude_type_checking_imports=True)
    g = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            # a package's __init__ importing its own submodules is how packages expose names
            if not imported.startswith(module + "."):
                g.add_edge(module, imported)
    circles = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert circles == [], f"import circles: {circles}"


def test_no_module_imports_the_package_init():
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if p.name != "__main__.py"
                 and re.search(r"^\s*from diplosim import ", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == [], f"import from diplosim._version (or the module itself): {offenders}"


def test_modules_stay_small_enough_to_read():
    long = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py")
            if p.name not in LONG_BY_DESIGN
            and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"
