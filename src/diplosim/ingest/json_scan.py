"""The byte scanner behind every JSON reader: a compiled pass over a block of bytes that checks
JSON's grammar and finds where each record starts and ends, so records are cut out of any
shape (JSON lines, an array, a page holding an array) without parsing a whole document.

A record is a value at the record depth: at depth 0 (JSON lines, or several documents one
after another), the elements of a top-level array, or the elements of the array a reader has
armed (``ARM``: the ``data.videos`` of a page too big to hold). The scan stops at the first
fault (its offset, line, column and kind kept in the state) so the caller can resynchronise;
``probe`` checks that a candidate record start holds one whole value.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "ARM",
    "BIG",
    "DEPTH",
    "DESC",
    "ECODE",
    "ELINE",
    "EPOS",
    "ERRORS",
    "EXPECT",
    "FRAMES",
    "INSTR",
    "INT_DIGITS",
    "LINE",
    "LONGNUM",
    "LSTART",
    "MAX_DEPTH",
    "PEND",
    "RDEPTH",
    "RLINE",
    "RLSTART",
    "RSTART",
    "TOKEN",
    "VALUE",
    "count_lines",
    "new_state",
    "probe",
    "scan",
]

# what the grammar expects next
VALUE, VALUE_OR_CLOSE, KEY_OR_CLOSE, KEY, COLON, AFTER = 0, 1, 2, 3, 4, 5
# the state's slots (absolute byte offsets; -1 for none)
(DEPTH, EXPECT, INSTR, ESC, ISKEY, LINE, LSTART, PREVCR, RDEPTH, RSTART, RLINE, RLSTART,
 TOKEN, ARM, NFRAMES, DESC, EPOS, ECODE, ELINE, ECOL, LONGNUM, PEND) = range(22)
FRAMES = 24  # slots FRAMES.. hold the saved record depths of the open frames
#: Python refuses to read a whole number of more digits (``sys.get_int_max_str_digits``).
INT_DIGITS = 4300
_NSLOTS = FRAMES + 8
#: The record depth while the rest of an armed page is read (no value there is a record).
BIG = 1 << 40
MAX_DEPTH = 2048
_OBJ, _ARR = 1, 2

#: Fault kinds (``ECODE``) and their messages.
ERRORS = {1: "expected a value", 2: "expected ',' or a closing bracket",
          3: "expected a key in double quotes", 4: "expected ':' after a key",
          5: "a line break or control character inside a string (a record cut short?)",
          6: "a closing bracket that matches nothing", 7: "a word outside quotes",
          8: "an unexpected character", 9: "the file ends inside a record (cut short?)",
          10: f"nested more than {MAX_DEPTH} levels deep",
          11: "a field outside any object (a record without its opening brace?)"}


def new_state() -> np.ndarray:
    st = np.zeros(_NSLOTS, np.int64)
    st[LINE] = 1
    st[RSTART] = st[TOKEN] = st[ARM] = st[EPOS] = st[PEND] = -1
    return st


_WORDS = [b"true", b"false", b"null", b"NaN", b"Infinity", b"-Infinity"]
_WORD_BYTES = np.zeros((len(_WORDS), 9), np.uint8)
_WORD_LENS = np.array([len(w) for w in _WORDS], np.int64)
for _j, _w in enumerate(_WORDS):
    _WORD_BYTES[_j, :len(_w)] = np.frombuffer(_w, np.uint8)


@njit(cache=True)
def _literal(buf, s, e) -> bool:
    """Is ``buf[s:e]`` one of the words JSON (and Python's reader) allows outside quotes?"""
    n = e - s
    for w in range(_WORD_LENS.shape[0]):
        if _WORD_LENS[w] == n:
            ok = True
            for j in range(n):
                if buf[s + j] != _WORD_BYTES[w, j]:
                    ok = False
                    break
            if ok:
                return True
    return False


@njit(cache=True)
def _is_token(c) -> bool:
    return (48 <= c <= 57) or c == 45 or c == 43 or c == 46 or (65 <= c <= 90) \
        or (97 <= c <= 122)


@njit(cache=True)
def _fail(st, base, i, code) -> None:
    st[EPOS], st[ECODE], st[ELINE], st[ECOL] = base + i, code, st[LINE], base + i - st[LSTART] + 1


@njit(cache=True)
def _done(st, buf, out, k, base, end) -> int:
    """A value ended at absolute offset ``end``: emit it if it is a record (a text only once
    what follows shows it is no key of an object that lost its opening brace)."""
    if st[DEPTH] == st[RDEPTH] and st[RSTART] >= 0:
        if st[PEND] < 0 and st[RSTART] >= base and buf[st[RSTART] - base] == 34:
            st[PEND] = end
            st[EXPECT] = AFTER
            return k
        if st[PEND] >= 0:
            end = st[PEND]
            st[PEND] = -1
        out[k, 0], out[k, 1], out[k, 2], out[k, 3] = st[RSTART], end, st[RLINE], st[LONGNUM]
        k += 1
        st[RSTART] = -1
        st[LONGNUM] = 0
    st[EXPECT] = AFTER
    return k


@njit(cache=True)
def _closed(st) -> None:
    """A container closed: leave the frame it held, or the page around it."""
    nf = st[NFRAMES]
    if st[DEPTH] == st[RDEPTH] - 1:  # the records' container closed
        st[RDEPTH] = BIG
    if st[RDEPTH] == BIG and nf > 0 and st[DEPTH] == st[FRAMES + nf - 1]:
        st[RDEPTH] = st[FRAMES + nf - 1]
        st[NFRAMES] = nf - 1
        st[DESC] = 0  # an armed frame is always the innermost


@njit(cache=True)
def _start(st, stack, base, i, c) -> bool:
    """A value starts at ``i`` (``c``: its first byte); False on a fault."""
    e = st[EXPECT]
    d = st[DEPTH]
    if e == AFTER and not (d == st[RDEPTH] or d == 0):  # tolerated: records side by side
        _fail(st, base, i, 2)
        return False
    if e not in (VALUE, VALUE_OR_CLOSE, AFTER):
        _fail(st, base, i, 3 if e in (KEY, KEY_OR_CLOSE) else 4)
        return False
    if d == st[RDEPTH] and st[RSTART] < 0:
        st[RSTART], st[RLINE], st[RLSTART], st[LONGNUM] = base + i, st[LINE], st[LSTART], 0
    if c == 123 or c == 91:
        if d >= MAX_DEPTH:
            _fail(st, base, i, 10)
            return False
        stack[d] = _OBJ if c == 123 else _ARR
        st[DEPTH] = d + 1
        st[EXPECT] = KEY_OR_CLOSE if c == 123 else VALUE_OR_CLOSE
        armed = base + i == st[ARM]
        if c == 91 and (armed or (d == 0 and st[RDEPTH] == 0)):  # a container of records
            st[FRAMES + st[NFRAMES]] = st[RDEPTH]
            st[NFRAMES] += 1
            st[RDEPTH] = d + 1
            st[RSTART] = -1
            if armed:
                st[ARM] = -1
                st[DESC] += 1
    elif c == 34:
        st[INSTR], st[ISKEY] = 1, 0
    else:
        st[TOKEN] = base + i
    return True


@njit(cache=True)
def scan(buf, pos, n, base, eof, st, stack, out):
    """Scan ``buf[pos:n]`` (``base``: the absolute offset of ``buf[0]``) from state ``st``;
    write records as rows of ``out``: start, end, line, and whether it holds a number too
    long for Python. Returns (records, status, next position): status 0 the bytes are
    scanned, 1 ``out`` is full, 2 a fault (``st[EPOS]``)."""
    k = 0
    cap = out.shape[0] - 2
    for i in range(pos, n):
        c = buf[i]
        if st[PREVCR] == 1:
            st[PREVCR] = 0
            if c == 10:
                st[LSTART] = base + i + 1
                continue
        if st[INSTR] == 1:
            if st[ESC] == 1:
                st[ESC] = 0
            elif c == 92:
                st[ESC] = 1
            elif c == 34:
                st[INSTR] = 0
                if st[ISKEY] == 1:
                    st[EXPECT] = COLON
                else:
                    k = _done(st, buf, out, k, base, base + i + 1)
            elif c < 32:
                _fail(st, base, i, 5)
                return k, 2, i
            continue
        if st[TOKEN] >= 0:
            if _is_token(c):
                continue
            s = st[TOKEN] - base
            st[TOKEN] = -1
            first = buf[s]
            if ((65 <= first <= 90) or (97 <= first <= 122) or (first == 45 and i - s > 1 and (
                    65 <= buf[s + 1] <= 90 or 97 <= buf[s + 1] <= 122))) \
                    and not _literal(buf, s, i):
                _fail(st, base, s, 7)
                return k, 2, s
            if i - s > INT_DIGITS:
                st[LONGNUM] = 1
            k = _done(st, buf, out, k, base, base + i)
        if st[PEND] >= 0 and not (c == 32 or c == 9 or c == 10 or c == 13):
            if c == 58:
                _fail(st, base, i, 11)
                return k, 2, i
            k = _done(st, buf, out, k, base, st[PEND])
        if c == 32 or c == 9:
            pass
        elif c == 10 or c == 13:
            st[LINE] += 1
            st[LSTART] = base + i + 1
            st[PREVCR] = 1 if c == 13 else 0
        elif c == 123 or c == 91 or c == 34 or _is_token(c):
            e = st[EXPECT]
            if c == 34 and e in (KEY, KEY_OR_CLOSE):
                st[INSTR], st[ISKEY] = 1, 1
            elif not _start(st, stack, base, i, c):
                return k, 2, i
        elif c == 125 or c == 93:
            d = st[DEPTH]
            e = st[EXPECT]
            kind = _OBJ if c == 125 else _ARR
            if d == 0 or stack[d - 1] != kind:
                _fail(st, base, i, 6)
                return k, 2, i
            ok = e == AFTER or (kind == _OBJ and e == KEY_OR_CLOSE) or \
                (kind == _ARR and (e == VALUE_OR_CLOSE or (e == VALUE and d == st[RDEPTH])))
            if not ok:
                _fail(st, base, i, 1 if e == VALUE else 3)
                return k, 2, i
            st[DEPTH] = d - 1
            _closed(st)
            k = _done(st, buf, out, k, base, base + i + 1)
        elif c == 44:
            d = st[DEPTH]
            e = st[EXPECT]
            if e == AFTER:
                st[EXPECT] = VALUE if d == 0 or stack[d - 1] == _ARR else KEY
            elif not (d == 0 or (d == st[RDEPTH] and e in (VALUE, VALUE_OR_CLOSE))):
                _fail(st, base, i, 1 if e in (VALUE, VALUE_OR_CLOSE) else 3)  # stray commas
                return k, 2, i                                      # between records pass
        elif c == 58:
            if st[EXPECT] != COLON:
                _fail(st, base, i, 2 if st[EXPECT] == AFTER else 8)
                return k, 2, i
            st[EXPECT] = VALUE
        elif not (c == 0xEF or c == 0xBB or c == 0xBF) or base + i > 2:  # a BOM at the start
            _fail(st, base, i, 8)
            return k, 2, i
        if k >= cap:
            return k, 1, i + 1
    if eof:
        if st[PEND] >= 0:
            k = _done(st, buf, out, k, base, st[PEND])
        if st[TOKEN] >= 0:
            s = st[TOKEN] - base
            st[TOKEN] = -1
            if (65 <= buf[s] <= 90 or 97 <= buf[s] <= 122) and not _literal(buf, s, n):
                _fail(st, base, s, 7)
                return k, 2, s
            k = _done(st, buf, out, k, base, base + n)
        if st[RSTART] >= 0:
            _fail(st, base, n, 9)
            return k, 2, n
    return k, 0, n


@njit(cache=True)
def probe(buf, at, n, eof, stack) -> int:
    """Does one whole value start at ``buf[at]``, followed by what may follow a record (a
    comma, a closing bracket, another value or the end)? 1 yes, 0 no, -1 the bytes end first."""
    st = np.zeros(_NSLOTS, np.int64)
    st[LINE] = 1
    st[RSTART] = st[TOKEN] = st[ARM] = st[EPOS] = st[PEND] = -1
    st[RDEPTH] = 0
    st[EXPECT] = VALUE
    out = np.empty((3, 4), np.int64)
    k, status, _ = scan(buf, at, n, 0, eof, st, stack, out)
    if k == 0:
        return -1 if status == 0 and not eof else 0
    for j in range(out[0, 1], n):
        c = buf[j]
        if c == 32 or c == 9 or c == 10 or c == 13:
            continue
        return 1 if c == 44 or c == 93 or c == 125 or c == 123 or c == 91 else 0
    return 1 if eof else -1


@njit(cache=True)
def count_lines(buf, s, e, base, line, lstart):
    """The line number and line start after ``buf[s:e]`` (``\\n``, ``\\r\\n`` or ``\\r``)."""
    prev_cr = False
    for i in range(s, e):
        c = buf[i]
        if c == 10:
            if not prev_cr:
                line += 1
            lstart = base + i + 1
            prev_cr = False
        elif c == 13:
            line += 1
            lstart = base + i + 1
            prev_cr = True
        else:
            prev_cr = False
    return line, lstart


@njit(cache=True)
def in_string(buf, s, target) -> bool:
    """Is ``buf[target]`` inside a string, reading quotes and escapes from ``buf[s]`` on?"""
    inside = False
    esc = False
    for i in range(s, target):
        c = buf[i]
        if esc:
            esc = False
        elif inside and c == 92:
            esc = True
        elif c == 34:
            inside = not inside
    return inside
