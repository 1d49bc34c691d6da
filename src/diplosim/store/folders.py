"""Where diplosim may write: it creates its output folders itself, writes only into folders it
made (of the same kind), and never writes a single file over an input or a file of another kind.

A folder diplosim creates (a run, an import, a sweep, a sensitivity analysis) holds a marker,
``.diplosim``: ``{"kind": ..., "version": ..., "files": [...]}``, ``files`` naming what diplosim
wrote there. A folder made before the marker existed is recognised by its manifest or plan file
(``KNOWN``) and given a marker the next time diplosim writes to it. Every command that writes
calls ``claim_folder`` (folders) or ``check_output_file`` (single files); the rules are in
docs/reliability.md ("Outputs never destroy what diplosim did not write").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from diplosim._version import __version__
from diplosim.errors import DiplosimError, printable
from diplosim.store.contract import IMPORTED_TABLES, SIMULATED_TABLES
from diplosim.store.files import read_manifest, write_json_atomic

__all__ = ["KINDS", "KNOWN", "MARKER", "check_folder", "check_output_file", "claim_folder",
           "drop_known", "folder_kind",
           "owns", "record_files", "refuse_root"]

#: The marker file in every folder diplosim creates.
MARKER = ".diplosim"
#: The kinds of folder diplosim writes.
KINDS = ("run", "import", "sweep", "sensitivity")
#: The names each kind of folder may hold that diplosim writes: what a folder made before the
#: marker is taken to own, and what ``--force`` replaces in a folder diplosim did not make.
KNOWN: dict[str, tuple[str, ...]] = {
    "run": ("manifest.json", *(f"{t}.parquet" for t in SIMULATED_TABLES), "report.html",
            ".partial"),
    "import": ("manifest.json", *(f"{t}.parquet" for t in IMPORTED_TABLES), ".store",
               "report.html"),
    "sweep": ("sweep.json", "runs.jsonl", "sweep.parquet", "runs", "report.html"),
    "sensitivity": ("sensitivity.json", "runs.jsonl", "runs", "indices.json",
                    "sensitivity.html"),
}
#: Files of a diplosim folder that are its data: never overwritten by a single-file output.
_DATA = {"manifest.json", MARKER, "sweep.json", "sensitivity.json", "runs.jsonl",
         "indices.json"}


def refuse_root(folder: Path, option: str) -> None:
    """Refuse the file system's root and the home folder (and its parent) as output folders:
    whatever ``--force`` says, diplosim does not write its tables there."""
    where = Path(folder).expanduser().resolve()
    home = Path.home().resolve()
    if where in {Path(where.anchor), home, home.parent}:
        raise DiplosimError(f"{option} {printable(str(folder))}: refused as an output folder "
                            f"(the file system's root or the home folder); give a folder of "
                            f"its own, e.g. {printable(str(Path(folder) / 'diplosim-out'))}")


def _marker(folder: Path) -> dict | None:
    m = read_manifest(folder / MARKER)
    return m if isinstance(m, dict) and m.get("kind") in KINDS else None


def _known_kind(folder: Path) -> str | None:
    """The kind of a folder made by a diplosim from before the marker, from its own files."""
    m = read_manifest(folder / "manifest.json")
    if isinstance(m, dict):
        if m.get("kind") == "import":
            return "import"
        if "diplosim_version" in m and "scenario_hash" in m:
            return "run"
    staged = read_manifest(folder / ".partial" / "manifest.json")  # a stopped run
    if isinstance(staged, dict) and "scenario" in staged:
        return "run"
    for name, kind in (("sweep.json", "sweep"), ("sensitivity.json", "sensitivity")):
        plan = read_manifest(folder / name)
        if isinstance(plan, dict) and plan.get("kind") == f"diplosim {kind}":
            return kind
    return None


def folder_kind(folder: str | Path) -> str | None:
    """The kind of diplosim folder ``folder`` is (its marker, or for a folder made before the
    marker, its manifest or plan file), or None."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    m = _marker(folder)
    return m["kind"] if m is not None else _known_kind(folder)


def owns(folder: Path, name: str) -> bool:
    """Whether diplosim wrote ``folder/name`` (listed in the marker; in a folder made before
    the marker, one of the names its kind writes)."""
    m = _marker(folder)
    if m is not None:
        return name in (m.get("files") or [])
    kind = _known_kind(folder)
    return kind is not None and name in KNOWN[kind]


def record_files(folder: Path, names: list[str]) -> None:
    """Add ``names`` to the files the marker says diplosim wrote."""
    m = _marker(folder)
    if m is None:
        return
    files = sorted(set(m.get("files") or []) | set(names))
    if files != m.get("files"):
        write_json_atomic(folder / MARKER, dict(m, files=files))


def _write_marker(folder: Path, kind: str, files: list[str]) -> None:
    write_json_atomic(folder / MARKER, {"kind": kind, "version": __version__,
                                        "files": sorted(files)})


def drop_known(folder: Path, kind: str) -> None:
    """Remove what a ``kind`` folder writes from a folder taken over with ``--force``, so that
    nothing found there is merged with what diplosim writes (an import adds to its tables);
    every other file stays."""
    import shutil

    for name in KNOWN[kind]:
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


def check_folder(folder: str | Path, kind: str, option: str = "--out",
                 force: bool | None = False) -> str:
    """What ``claim_folder`` would do with ``folder`` (``"new"``, ``"same"``, ``"forced"``),
    or its refusal, without writing anything."""
    folder = Path(folder)
    refuse_root(folder, option)
    if folder.exists() and not folder.is_dir():
        raise DiplosimError(f"{option} {printable(str(folder))}: a file, not a folder; give a "
                            f"folder for the {kind}")
    found = folder_kind(folder)
    if found == kind:
        return "same"
    if found is None and (not folder.exists() or not any(folder.iterdir())):
        return "new"
    if not force:
        raise DiplosimError(_refusal(folder, kind, found, option, force is not None))
    return "forced"


def claim_folder(folder: str | Path, kind: str, option: str = "--out",
                 force: bool | None = False) -> str:
    """Make ``folder`` ready to hold a diplosim ``kind`` folder; returns ``"new"`` (created, or
    empty), ``"same"`` (already a ``kind`` folder diplosim made) or ``"forced"`` (``force``: a
    folder diplosim did not make, or of another kind, taken over: the files of the names a
    ``kind`` folder writes are replaced, no other file is touched). Anything else is refused;
    ``force=None`` means the command has no ``--force``."""
    folder = Path(folder)
    status = check_folder(folder, kind, option, force)
    if status == "same":
        if _marker(folder) is None:  # made before the marker: it owns what its kind writes
            _write_marker(folder, kind, [n for n in KNOWN[kind] if (folder / n).exists()])
        return status
    folder.mkdir(parents=True, exist_ok=True)
    _write_marker(folder, kind, [])
    return status


def _refusal(folder: Path, kind: str, found: str | None, option: str, forceable: bool) -> str:
    shown = printable(str(folder))
    if found is None:
        names = sorted(p.name for p in folder.iterdir())
        some = ", ".join(printable(n) for n in names[:3]) + (", ..." if len(names) > 3 else "")
        what = (f"a folder diplosim did not make (it holds {len(names)} "
                f"{'entry' if len(names) == 1 else 'entries'}: {some}; no {MARKER} marker)")
    else:
        what = f"a diplosim {found} folder, not a {kind} folder"
    rule = (f"diplosim writes a {kind} only into a new or empty folder or a {kind} folder it "
            f"made, so it never replaces files it did not write")
    if not forceable:
        return f"{option} {shown}: {what}; {rule}. Choose another {option}."
    return (f"{option} {shown}: {what}; {rule}. Choose another {option}, or add --force to "
            f"write the {kind} into it anyway: files named as a {kind}'s "
            f"({', '.join(KNOWN[kind])}) are then replaced, no other file is touched.")


_HTML = (b"<!doctype html", b"<html")
_BY_EXTENSION = {".html": "html", ".htm": "html", ".csv": "csv", ".tsv": "csv", ".json": "json",
                 ".jsonl": "json", ".parquet": "parquet", ".yaml": "yaml", ".yml": "yaml",
                 ".md": "markdown", ".txt": "text", ".npz": "zip", ".zip": "zip"}


def _file_kind(path: Path) -> str | None:
    """What an existing file holds, by its first bytes, then by its extension; None if it is
    empty (nothing to lose)."""
    try:
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError:
        return "unreadable"
    if not head:
        return None
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    start = head.lstrip().lower()
    if start.startswith(_HTML):
        return "html"
    if start[:1] in (b"{", b"["):
        return "json"
    return _BY_EXTENSION.get(path.suffix.lower(), "unknown")


def _data_of(folder: Path, target: Path) -> bool:
    """Whether ``target`` (resolved) is data of the folder ``folder`` (resolved): a table, its
    manifest, marker or plan, anything in a hidden folder of it (a sweep's run folders are
    diplosim folders of their own)."""
    if not target.is_relative_to(folder) or target == folder:
        return False
    rel = target.relative_to(folder).parts
    return (rel[0].startswith(".") or target.suffix == ".parquet"
            or (len(rel) == 1 and rel[0] in _DATA))


def check_output_file(path: str | Path, kind: str, inputs: Sequence[str | Path] = (),
                      option: str = "--out", force: bool = False) -> Path:
    """``path`` for a single-file output of ``kind`` (html, csv, json), refused when it is a
    folder, one of the command's ``inputs`` (or data of an input folder or of any diplosim
    folder: tables, manifest, plan) whatever ``force`` says, or, unless ``force``, an existing
    file of another kind (CSV over Parquet, HTML over YAML)."""
    path = Path(path)
    shown = f"{option} {printable(str(path))}"
    if path.is_dir():
        raise DiplosimError(f"{shown}: a folder; give a file name for the {kind}")
    target = path.resolve()
    for given in inputs:
        source = Path(given).resolve()
        if target == source:
            raise DiplosimError(f"{shown}: is an input of this command; writing there would "
                                f"destroy it. Give another file name.")
        if _data_of(source, target):
            raise DiplosimError(f"{shown}: is data of {printable(str(given))}, an input of this "
                                f"command; writing there would destroy it. Give a file name "
                                f"outside its tables.")
    for folder in target.parents:
        if folder_kind(folder) is not None and _data_of(folder, target):
            raise DiplosimError(f"{shown}: is data of the diplosim {folder_kind(folder)} folder "
                                f"{printable(str(folder))}; give a file name outside its "
                                f"tables")
    found = _file_kind(target) if target.is_file() else None
    if found is not None and found != kind and not force:
        raise DiplosimError(f"{shown}: exists and holds {found}, not {kind}; refusing to "
                            f"replace it. Give another file name, or add --force to replace "
                            f"it.")
    return path
