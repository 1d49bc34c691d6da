"""Records out of a JSON byte stream of any shape, read block by block with bounded memory:
JSON lines, documents one after another, an array of records (pretty-printed or on one line),
or a page holding its records under a key (``{"data": {"videos": [...]}}``), however large.

The compiled scanner (``json_scan``) cuts each record's bytes out of the block; only a record
is ever held whole. A record still open after ``LONG`` bytes is looked into: if it is a page
(its first ``PEEK`` bytes lead to one of the reader's ``paths`` holding an array) the array's
elements become the records, else the record is read up to ``MAX_RECORD`` and refused beyond.

A damaged stretch is one rejected row (its line, the fault, its column) and reading goes on at
the next place a record can start: an ``{`` that is not a field's value (not after ``:``) and
holds one whole value followed by a comma, a bracket or another record. Before the fault
itself only an ``{`` inside what the scan took for text counts (a record cut short and the
next one read as its string), so the objects nested in a broken record are not taken for
records. Every intact record after the damage is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from diplosim.ingest import json_scan as js
from diplosim.ingest.sources import READ_FAULTS

__all__ = ["BLOCK", "LONG", "MAX_RECORD", "PEEK", "Item", "Reject", "container_offset", "records"]

#: Bytes read at once (memory: a few times this, plus the longest record).
BLOCK = 8 << 20
#: A record still open after this many bytes is looked into for a page's array.
LONG = 16 << 20
#: Bytes of a long record's beginning searched for the array of a page.
PEEK = 1 << 16
#: A record (not a page) longer than this is rejected without being held.
MAX_RECORD = 64 << 20
#: Records cut out per call of the scanner.
_CAP = 1 << 14

@dataclass
class Reject:
    """A row that is not read, and why (``raw``: the start of its text)."""

    reason: str
    raw: str = ""


#: ``(line, bytes of one record, holds a number too long)``, or ``(line, Reject)``.
Item = tuple


def records(stream: BinaryIO, paths: tuple[tuple[str, ...], ...] = ()) -> Iterator[list]:
    """Batches of ``(line, record bytes, long number)`` and ``(line, Reject)`` in file order;
    ``paths``: where a page too long to hold keeps its records (``("data", "videos")``)."""
    return _Reader(stream, paths).batches()


class _Reader:
    def __init__(self, stream: BinaryIO, paths):
        self.stream, self.paths = stream, paths
        self.read = getattr(stream, "read1", stream.read)  # what one step decompresses
        self.buf, self.base, self.pos, self.eof = b"", 0, 0, False
        self.arr = np.frombuffer(self.buf, np.uint8)
        self.st = js.new_state()
        self.stack = np.zeros(js.MAX_DEPTH, np.uint8)
        self.pstack = np.zeros(js.MAX_DEPTH, np.uint8)
        self.out = np.empty((_CAP + 2, 4), np.int64)
        self.looked = self.oversize = -1
        self.oversize_raw = b""
        self.read_error: str | None = None

    def _more(self, keep: int) -> None:
        """Read a block, dropping the bytes before absolute offset ``keep``."""
        parts: list[bytes] = []
        size = 0
        while size < BLOCK and not self.eof:
            try:  # in steps, so a fault in compressed data loses little of what came before
                part = self.read(min(1 << 18, BLOCK - size))
            except READ_FAULTS as e:
                part, self.read_error = b"", f"{type(e).__name__}: {e}"
            if not part:
                self.eof = True
            parts.append(part)
            size += len(part)
        chunk = b"".join(parts)
        cut = max(0, keep - self.base)
        self.buf = self.buf[cut:] + chunk
        self.base += cut
        self.pos -= cut
        self.arr = np.frombuffer(self.buf, np.uint8)

    def _keep(self) -> int:
        st, keep = self.st, self.base + self.pos
        for o in (st[js.RSTART], st[js.TOKEN]):
            if o >= 0 and o != self.oversize:
                keep = min(keep, o)
        return keep

    def batches(self) -> Iterator[list]:
        while True:
            if self.pos >= len(self.buf) and not self.eof:
                self._more(self._keep())
            k, status, nxt = js.scan(self.arr, self.pos, len(self.arr), self.base, self.eof,
                                     self.st, self.stack, self.out)
            batch = [self._item(j) for j in range(k)]
            self.pos = nxt
            if status == 2:
                damaged = self._resync()
                if damaged is not None:
                    batch.append(damaged)
            if batch:
                yield batch
            if status == 0 and self.eof:
                break
            if status == 0:
                self._long()
        if self.read_error:
            yield [(int(self.st[js.LINE]), Reject(
                f"the compressed data is damaged after {self.base + len(self.buf):,} bytes "
                f"of content; the rest is unreadable ({self.read_error[:200]})"))]

    def _item(self, j: int) -> tuple:
        s, e, line, long_number = (int(v) for v in self.out[j])
        if s < self.base:  # the record refused for its size
            return line, Reject(f"a record of more than {MAX_RECORD >> 20} MB: not read",
                                self.oversize_raw.decode("utf-8", "replace"))
        return line, self.buf[s - self.base:e - self.base], bool(long_number)

    def _long(self) -> None:
        """An open record longer than ``LONG``: a page to read by its array, or a record held
        up to ``MAX_RECORD`` and refused beyond."""
        st = self.st
        rs = int(st[js.RSTART])
        if rs < 0 or self.base + len(self.buf) - rs <= LONG:
            return
        if rs != self.looked and rs >= self.base:
            self.looked = rs
            head = self.buf[rs - self.base:rs - self.base + PEEK]
            x = container_offset(head, self.paths) if st[js.DESC] == 0 else None
            if x is not None:
                self._arm(rs, x)
                return
        if self.base + len(self.buf) - rs > MAX_RECORD and self.oversize != rs:
            self.oversize = rs
            self.oversize_raw = self.buf[rs - self.base:rs - self.base + 300]

    def _arm(self, rs: int, x: int) -> None:
        """Read the page starting at ``rs`` again from its start, its array (at ``rs + x``)
        armed: the array's elements are the records."""
        st = self.st
        st[js.ARM], st[js.DEPTH], st[js.EXPECT] = rs + x, st[js.RDEPTH], js.VALUE
        st[js.INSTR] = st[js.ESC] = st[js.PREVCR] = 0
        st[js.TOKEN] = st[js.RSTART] = st[js.PEND] = -1
        st[js.LINE], st[js.LSTART] = st[js.RLINE], st[js.RLSTART]
        self.pos = rs - self.base

    def _resync(self) -> tuple | None:
        """A fault: the damaged stretch as one rejected row; reading goes on at the next
        place a record starts (or at the end)."""
        st = self.st
        fault, code = int(st[js.EPOS]), int(st[js.ECODE])
        reason = (f"not valid JSON: {js.ERRORS[code]} (line {st[js.ELINE]}, column "
                  f"{st[js.ECOL]})")
        in_record = st[js.RSTART] >= 0 and st[js.RSTART] >= self.base
        start = int(st[js.RSTART]) if in_record else fault
        if in_record and st[js.DESC] == 0 and start != self.looked:  # a page: by its records
            self.looked = start
            x = container_offset(self.buf[start - self.base:start - self.base + PEEK],
                                 self.paths)
            if x is not None:
                self._arm(start, x)
                return None
        line = int(st[js.RLINE]) if st[js.RSTART] >= 0 else int(st[js.ELINE])
        at = (start, int(st[js.RLINE]), int(st[js.RLSTART])) if in_record else \
            (fault, int(st[js.ELINE]), int(st[js.LSTART]))
        raw = self.buf[start - self.base:start - self.base + 300] if start >= self.base \
            else self.oversize_raw
        if st[js.RDEPTH] == js.BIG:  # the fault is in a page's tail: back to the outer level
            st[js.NFRAMES] -= 1
            st[js.RDEPTH] = st[js.FRAMES + st[js.NFRAMES]]
            st[js.DESC] = 0
        st[js.ARM] = -1
        resume, at = self._next_start(start + 1 if in_record else fault, fault, at)
        st[js.LINE], st[js.LSTART] = at[1], at[2]
        st[js.DEPTH], st[js.EXPECT] = st[js.RDEPTH], js.VALUE
        st[js.INSTR] = st[js.ESC] = st[js.PREVCR] = st[js.LONGNUM] = 0
        st[js.TOKEN] = st[js.RSTART] = st[js.EPOS] = st[js.PEND] = -1
        self.pos = resume - self.base
        if start >= self.base:  # the excerpt ends where the damaged stretch does
            raw = raw[:max(resume - start, 1)].rstrip(b" \t\r\n,")
        return line, Reject(reason, raw.decode("utf-8", "replace"))

    def _next_start(self, frm: int, fault: int, at: tuple[int, int, int]):
        """The absolute offset where the next record starts (or the end of the bytes), and
        (offset, line, line start) counted up to it from ``at``."""
        while True:
            i = self.buf.find(b"{", max(frm, self.base) - self.base)
            if i < 0:
                at = self._count(at, self.base + len(self.buf))
                if self.eof:
                    return self.base + len(self.buf), at
                frm = at[0]  # searched up to here
                self._more(frm - 64)
                continue
            absolute = self.base + i
            if self._may_start(i, absolute < fault, at[0]):
                found = js.probe(self.arr, i, len(self.arr), self.eof, self.pstack)
                while found == -1:  # the candidate runs past the bytes read
                    if len(self.buf) - (absolute - self.base) > MAX_RECORD:
                        found = 1
                        break
                    at = self._count(at, absolute)
                    self._more(min(absolute, at[0]) - 64)
                    found = js.probe(self.arr, absolute - self.base, len(self.arr), self.eof,
                                     self.pstack)
                if found == 1:
                    return absolute, self._count(at, absolute)
            frm = absolute + 1

    def _may_start(self, i: int, before_fault: bool, start: int) -> bool:
        j = i - 1
        while j >= 0 and self.buf[j] in (32, 9):
            j -= 1
        prev = self.buf[j] if j >= 0 else 10
        if prev == 58:  # ``:`` -- a field's value
            return False
        if not before_fault or prev not in (44, 91):
            return True
        # before the fault, after a comma or a bracket: an object nested in the broken record,
        # unless the scan took it for text (the record before it cut inside a string)
        return start >= self.base and js.in_string(self.arr, start - self.base, i)

    def _count(self, at: tuple[int, int, int], to: int) -> tuple[int, int, int]:
        offset, line, lstart = at
        if to <= offset:
            return at
        line, lstart = js.count_lines(self.arr, max(offset - self.base, 0), to - self.base,
                                      self.base, line, lstart)
        return to, int(line), int(lstart)


_WS = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


def container_offset(head: bytes, paths) -> int | None:
    """The offset in ``head`` (the start of an object) of the ``[`` of the first of ``paths``
    it holds, or None."""
    text = head.decode("latin-1")  # one character per byte: offsets stay byte offsets
    for path in paths:
        try:
            found = _find(text, _WS.match(text, 0).end(), path)
        except (ValueError, IndexError):
            found = None
        if found is not None:
            return found
    return None


def _find(text: str, i: int, path: tuple[str, ...]) -> int | None:
    if text[i] != "{":
        return None
    i = _WS.match(text, i + 1).end()
    while text[i] == '"':
        key, i = json.decoder.scanstring(text, i + 1)
        i = _WS.match(text, i).end()
        if text[i] != ":":
            return None
        i = _WS.match(text, i + 1).end()
        if key == path[0]:
            if len(path) == 1:
                return i if text[i] == "[" else None
            return _find(text, i, path[1:])
        _, i = _DECODER.raw_decode(text, i)
        i = _WS.match(text, i).end()
        if text[i] != ",":
            return None
        i = _WS.match(text, i + 1).end()
    return None
