"""Fuzzing every input diplosim reads: the scenario loader and each importer.

``make fuzz`` runs ``FUZZ_EXAMPLES`` (10,000) examples per target and writes the count each
target really ran to ``fuzz-results.json``; ``make test`` runs a quick ``DIPLOSIM_FUZZ_EXAMPLES``
(default 60) of the same tests.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

#: Examples per target: ``make fuzz`` sets 10000.
EXAMPLES = int(os.environ.get("DIPLOSIM_FUZZ_EXAMPLES", "60"))
COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="session", autouse=True)
def _report_counts():
    yield
    out = os.environ.get("DIPLOSIM_FUZZ_RESULTS")
    if out and COUNTS:
        path = Path(out)
        old = json.loads(path.read_text()) if path.exists() else {}
        old.update({"examples_per_target_asked": EXAMPLES, "targets": {
            **old.get("targets", {}), **dict(sorted(COUNTS.items()))}})
        path.write_text(json.dumps(old, indent=2) + "\n")
