"""The locked install: what `make install` puts on a fresh machine is exactly what was tested."""

from __future__ import annotations

import json
import re
import tomllib

from diplosim.world import build_table
from tests.conftest import ROOT


def _lock() -> dict[str, list[dict]]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    packages: dict[str, list[dict]] = {}
    for p in lock["package"]:
        packages.setdefault(p["name"], []).append(p)
    return packages


def test_the_lock_comes_from_pypi_alone():
    for name, versions in _lock().items():
        for p in versions:
            source = p["source"]
            if name == "diplosim":
                assert source == {"editable": "."}
            else:
                assert source == {"registry": "https://pypi.org/simple"}, (name, source)


def test_one_uv_version_everywhere():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (pinned,) = re.findall(r"^UV_VERSION := (\S+)$", makefile, re.M)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"uv=={pinned}" in pyproject["project"]["optional-dependencies"]["dev"]
    assert [p["version"] for p in _lock()["uv"]] == [pinned]


def test_the_lock_holds_the_versions_that_built_the_country_tables():
    recorded = json.loads((build_table.DATA_DIR / build_table.BUILT_WITH).read_text())
    lock = _lock()
    for name in build_table.BUILDER_PACKAGES:
        assert [p["version"] for p in lock[name]] == [recorded[name]], name


def test_pyproject_keeps_ranges_for_users():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert len(deps) >= 10
    assert all(">=" in d and "==" not in d for d in deps), deps
