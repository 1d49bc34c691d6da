"""The model hash: what a run records so that no sweep reuses a run of other code or data."""

from __future__ import annotations

import shutil

import diplosim._version as version


def _hash_of(folder, monkeypatch) -> str:
    monkeypatch.setattr(version, "_PACKAGE", folder)
    version.model_hash.cache_clear()
    try:
        return version.model_hash()
    finally:
        version.model_hash.cache_clear()


def test_the_hash_follows_code_and_data_not_caches(tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    shutil.copytree(version._PACKAGE / "world", pkg / "world",
                    ignore=shutil.ignore_patterns("__pycache__"))
    first = _hash_of(pkg, monkeypatch)
    assert len(first) == 16 and first == _hash_of(pkg, monkeypatch)
    (pkg / "world" / "__pycache__").mkdir(exist_ok=True)
    (pkg / "world" / "__pycache__" / "x.nbi").write_bytes(b"compiled")
    assert _hash_of(pkg, monkeypatch) == first            # compiled caches do not count
    code = next((pkg / "world").glob("*.py"))
    code.write_text(code.read_text() + "\n# a changed rule\n")
    assert _hash_of(pkg, monkeypatch) != first
    data = pkg / "world" / "data" / "favourability.csv"      # a shipped poll table
    before = _hash_of(pkg, monkeypatch)
    data.write_text(data.read_text() + "\n")
    assert _hash_of(pkg, monkeypatch) != before


def test_layers_that_only_read_runs_do_not_count(tmp_path, monkeypatch):
    """A change to the command line, the report or the studies leaves finished runs usable."""
    pkg = tmp_path / "pkg"
    for part in ("opinion", "cli"):
        shutil.copytree(version._PACKAGE / part, pkg / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    first = _hash_of(pkg, monkeypatch)
    page = next((pkg / "cli").glob("*.py"))
    page.write_text(page.read_text() + "\n# a changed help text\n")
    assert _hash_of(pkg, monkeypatch) == first
    rule = pkg / "opinion" / "persuasion.py"
    rule.write_text(rule.read_text() + "\n# a changed rule\n")
    assert _hash_of(pkg, monkeypatch) != first
