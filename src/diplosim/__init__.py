"""diplosim: simulate and measure TikTok diplomacy.

``diplosim.run(scenario, out)`` simulates; ``diplosim.load_run(path)`` opens a run folder for
the metrics in ``diplosim.analysis``. Both are imported on first use (the engine pulls Numba).
"""

from __future__ import annotations

from typing import Any

from diplosim._version import __version__

__all__ = ["__version__", "load_run", "run"]


def __getattr__(name: str) -> Any:
    if name == "run":
        from diplosim.engine.engine import simulate

        return simulate
    if name == "load_run":
        from diplosim.analysis.run import load_run

        return load_run
    raise AttributeError(f"module 'diplosim' has no attribute {name!r}")
