"""``store.folders``: diplosim writes only into folders it made, of the same kind, and never
writes a single file over an input, a table of a diplosim folder or a file of another kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diplosim.errors import DiplosimError
from diplosim.store.folders import (
    MARKER,
    check_output_file,
    claim_folder,
    folder_kind,
    owns,
    record_files,
)
from diplosim.store.writer import RunWriter


def test_a_new_folder_gets_a_marker_and_is_claimed_again(tmp_path):
    out = tmp_path / "a" / "run"
    assert claim_folder(out, "run") == "new"
    marker = json.loads((out / MARKER).read_text())
    assert marker["kind"] == "run" and marker["files"] == [] and marker["version"]
    assert claim_folder(out, "run") == "same"
    (tmp_path / "empty").mkdir()
    assert claim_folder(tmp_path / "empty", "import") == "new"


def test_a_folder_diplosim_did_not_make_is_refused_unless_forced(tmp_path):
    (tmp_path / "report.html").write_text("<html>mine</html>")
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(DiplosimError, match=r"--out .*: a folder diplosim did not make \(it "
                       r"holds 2 entries: notes.txt, report.html; no \.diplosim marker\).*"
                       r"add --force") as e:
        claim_folder(tmp_path, "run")
    assert "no other file is touched" in str(e.value)
    assert not (tmp_path / MARKER).exists()
    assert claim_folder(tmp_path, "run", force=True) == "forced"
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not owns(tmp_path, "report.html")  # the user's page: a run does not remove it


def test_a_folder_of_another_kind_is_refused(tmp_path):
    claim_folder(tmp_path / "imp", "import")
    with pytest.raises(DiplosimError, match="a diplosim import folder, not a run folder"):
        claim_folder(tmp_path / "imp", "run")
    with pytest.raises(DiplosimError, match=r"Choose another --out\.$"):  # no --force offered
        claim_folder(tmp_path / "imp", "sweep", force=None)


@pytest.mark.parametrize("where", ["/", "home", "home-parent"])
def test_root_and_home_are_refused_even_with_force(where, monkeypatch, tmp_path):
    home = tmp_path / "home" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    folder = {"/": Path("/"), "home": home, "home-parent": home.parent}[where]
    with pytest.raises(DiplosimError, match="refused as an output folder"):
        claim_folder(folder, "run", force=True)


def test_a_file_is_not_a_folder(tmp_path):
    (tmp_path / "x").write_text("")
    with pytest.raises(DiplosimError, match="a file, not a folder"):
        claim_folder(tmp_path / "x", "run")


def test_folders_made_before_the_marker_keep_working(tmp_path):
    run = tmp_path / "old-run"
    run.mkdir()
    (run / "manifest.json").write_text(json.dumps({"diplosim_version": "0.1.0",
                                                   "scenario_hash": "ab", "completed": True}))
    (run / "posts.parquet").write_bytes(b"PAR1")
    (run / "report.html").write_text("<html></html>")
    assert folder_kind(run) == "run" and owns(run, "report.html")
    assert claim_folder(run, "run") == "same"
    assert json.loads((run / MARKER).read_text())["files"] == ["manifest.json", "posts.parquet",
                                                               "report.html"]
    imp = tmp_path / "old-import"
    imp.mkdir()
    (imp / "manifest.json").write_text(json.dumps({"kind": "import", "imports": []}))
    assert folder_kind(imp) == "import"
    with pytest.raises(DiplosimError, match="a diplosim import folder, not a run folder"):
        RunWriter(imp, {})


def test_the_run_writer_refuses_a_foreign_folder(tmp_path):
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(DiplosimError, match="a folder diplosim did not make"):
        RunWriter(tmp_path, {})
    assert (tmp_path / "manifest.json").read_text() == "{}"
    assert not (tmp_path / ".partial").exists()


def test_record_files(tmp_path):
    claim_folder(tmp_path / "r", "run")
    record_files(tmp_path / "r", ["report.html"])
    assert owns(tmp_path / "r", "report.html") and not owns(tmp_path / "r", "notes.txt")


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    claim_folder(folder, "import")
    (folder / "posts.parquet").write_bytes(b"PAR1....PAR1")
    (folder / "manifest.json").write_text('{"kind": "import"}')
    return folder


@pytest.mark.parametrize("name", ["posts.parquet", "manifest.json", ".diplosim",
                                  ".store/profiles.parquet", "new.parquet"])
def test_a_table_of_a_diplosim_folder_is_never_an_output(data, name):
    with pytest.raises(DiplosimError, match="data of"):
        check_output_file(data / name, "csv", [data], force=True)
    with pytest.raises(DiplosimError, match="data of"):  # an input or not
        check_output_file(data / name, "csv", [], force=True)


def test_an_input_is_never_an_output(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: x\n")
    with pytest.raises(DiplosimError, match="is an input of this command"):
        check_output_file(scenario, "json", [scenario], force=True)


@pytest.mark.parametrize(("name", "content", "kind", "found"), [
    ("s.yaml", "name: x\n", "html", "yaml"),
    ("t.parquet", b"PAR1xxxx", "csv", "parquet"),
    ("page.csv", "<!DOCTYPE html><html>", "csv", "html"),
    ("notes.txt", "mine", "csv", "text"),
    ("w.json", "{}", "csv", "json"),
])
def test_a_file_of_another_kind_is_replaced_only_with_force(tmp_path, name, content, kind,
                                                            found):
    path = tmp_path / name
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    with pytest.raises(DiplosimError, match=f"exists and holds {found}, not {kind}.*--force"):
        check_output_file(path, kind)
    assert check_output_file(path, kind, force=True) == path


def test_same_kind_new_and_empty_files_are_fine(tmp_path, data):
    (tmp_path / "r.html").write_text("<!doctype html><p>old")
    (tmp_path / "e.csv").write_text("")
    (tmp_path / "p.csv").write_text("account_a,account_b\n")
    for name, kind in (("r.html", "html"), ("e.csv", "csv"), ("p.csv", "csv"),
                       ("new.json", "json")):
        assert check_output_file(tmp_path / name, kind) == tmp_path / name
    assert check_output_file(data / "pairs.csv", "csv", [data])  # beside the tables: fine
    assert check_output_file(data / "report.html", "html", [data])
    with pytest.raises(DiplosimError, match="a folder; give a file name"):
        check_output_file(tmp_path, "html")


def test_a_page_of_a_run_inside_a_sweep_is_fine(tmp_path):
    sweep = tmp_path / "sweep"
    claim_folder(sweep, "sweep")
    claim_folder(sweep / "runs" / "c000-r00", "run")
    page = sweep / "runs" / "c000-r00" / "report.html"
    assert check_output_file(page, "html", [page.parent]) == page
    with pytest.raises(DiplosimError, match="data of"):
        check_output_file(page.parent / "posts.parquet", "csv")
