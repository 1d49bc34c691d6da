"""The files an import reads, as the researcher has them: plain, or compressed with gzip, bzip2
or xz, or members of a zip archive (each member imported, named ``archive.zip:member.json``).
Compression is told by the first bytes, never by the file's name; a fault in the compressed
data ends that file's content cleanly (the reader reports it as a rejected row).
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from diplosim.errors import DiplosimError

__all__ = ["READ_FAULTS", "Source", "as_source", "compression", "local_copy", "sources"]

_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz"}
_OPENERS = {"gzip": lambda f: gzip.GzipFile(fileobj=f, mode="rb"), "bzip2": bz2.BZ2File,
            "xz": lzma.LZMAFile}
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
#: What a decompressor raises on damaged data (a cut file, a wrong checksum).
READ_FAULTS = (OSError, EOFError, lzma.LZMAError, zlib.error, zipfile.BadZipFile)


def compression(head: bytes) -> str | None:
    """``gzip``, ``bzip2`` or ``xz`` from a file's first bytes; None for plain bytes."""
    return next((name for magic, name in _MAGIC.items() if head.startswith(magic)), None)


@dataclass(frozen=True)
class Source:
    """One input: a file, or a member of a zip archive (``member``)."""

    name: str
    path: Path
    member: str | None = None

    @contextlib.contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The content as a binary stream, decompressed."""
        with contextlib.ExitStack() as stack:
            if self.member is None:
                raw = stack.enter_context(open(self.path, "rb"))
            else:
                archive = stack.enter_context(zipfile.ZipFile(self.path))
                raw = stack.enter_context(archive.open(self.member))
            head = raw.read(6)
            raw.seek(0)
            kind = compression(head)
            yield stack.enter_context(_OPENERS[kind](raw)) if kind else raw

    def compressed(self) -> bool:
        """Whether the bytes on disk are not the content itself (compressed or archived)."""
        if self.member is not None:
            return True
        with open(self.path, "rb") as f:
            return compression(f.read(6)) is not None


def as_source(path: Path | Source) -> Source:
    return path if isinstance(path, Source) else Source(str(path), Path(path))


def sources(path: Path) -> list[Source]:
    """The inputs in a file: itself, or each file a zip archive holds."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head not in _ZIP:
        return [Source(str(path), path)]
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()
                     and not i.filename.startswith("__MACOSX/")]
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise DiplosimError(f"{path}: not a readable zip archive ({e})") from None
    if not infos:
        raise DiplosimError(f"{path}: the zip archive holds no file")
    locked = [i.filename for i in infos if i.flag_bits & 0x1]
    if locked:
        raise DiplosimError(f"{path}: the zip archive's members are encrypted "
                            f"({', '.join(locked[:3])}); extract them first")
    return [Source(f"{path}:{i.filename}", path, i.filename) for i in infos]


def local_copy(source: Source, folder: Path) -> Path:
    """A plain file holding the source's content (itself when it is one already), for the
    readers that read a file twice (mapped CSV). A fault in the compressed data is refused
    naming the input."""
    if not source.compressed():
        return source.path
    out = folder / f"input-{abs(hash(source.name)):x}.plain"
    try:
        with source.open() as f, open(out, "wb") as w:
            shutil.copyfileobj(f, w, 8 << 20)
    except READ_FAULTS as e:
        raise DiplosimError(f"{source.name}: the compressed data is damaged ({e})") from None
    return out
