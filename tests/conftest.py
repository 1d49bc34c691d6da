"""Shared fixtures: the example scenario and the real data folder beside the project."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "example.yaml"
#: The example scenario's text, read once for every test that plans runs from it.
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")
MAPS = ROOT / "maps"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE_TEXT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"the shared data folder is expected at {SHARED_DATA}"
    return SHARED_DATA
