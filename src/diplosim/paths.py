"""Where diplosim may write: output paths stay inside the folder the user chose.

An output option (``--out``, ``--into``, ``--resume``) naming a path through ``..`` is refused,
so a name pasted from elsewhere (``--out ../../etc``) cannot climb out of the working folder;
give an absolute path to write elsewhere on purpose. Paths read from a file diplosim wrote (a
sweep's list of run folders) must be relative and stay inside that file's folder.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from diplosim.errors import DiplosimError, printable

__all__ = ["inside", "safe_out"]


def _has_parent_step(text: str) -> bool:
    return ".." in PurePosixPath(text).parts or ".." in PureWindowsPath(text).parts


def safe_out(path: str | Path, option: str) -> Path:
    """``path`` for an output option, refused when it steps up through ``..``."""
    text = str(path)
    if not text.strip() or "\x00" in text:
        raise DiplosimError(f"{option}: expected a folder name, got {printable(text)!r}")
    if _has_parent_step(text):
        raise DiplosimError(f"{option} {printable(text)}: '..' is not allowed in an output "
                            f"path (it could write outside the folder you chose); give the "
                            f"folder by a path without '..' (an absolute path is fine)")
    return Path(text)


def inside(base: Path, relative: str, where: str) -> Path:
    """``base / relative`` for a path read from a file (``where`` names the file and field);
    refused unless it is relative, free of ``..`` and stays inside ``base``."""
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        raise DiplosimError(f"{where}: expected a relative path, got {relative!r}")
    pure = PurePosixPath(relative)
    if pure.is_absolute() or PureWindowsPath(relative).is_absolute() \
            or _has_parent_step(relative):
        raise DiplosimError(f"{where}: {printable(relative)!r} leaves the folder {base} "
                            f"(absolute or through '..'); expected a path inside it")
    path = base / pure
    if not path.resolve().is_relative_to(base.resolve()):
        raise DiplosimError(f"{where}: {printable(relative)!r} leads outside {base} "
                            f"(through a link)")
    return path
