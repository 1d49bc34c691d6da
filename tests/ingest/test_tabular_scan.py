"""The CSV line scans (``ingest.tabular._scan``, vectorised for small files, and the compiled
``_scan_compiled``) against the byte-by-byte state machine in Python, on random bytes cut into
random blocks: the same records, lines, field counts and offsets, and the same state carried
from block to block; and a file read the same by either."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from diplosim.ingest import tabular
from diplosim.ingest.column_map import ColumnMap
from diplosim.ingest.tabular import _scan, _scan_compiled


def _reference(data: bytes, cuts: list[int], delim: int):
    """The scan one byte at a time (the former Numba kernel, in Python)."""
    in_quote, line, fields, rec_line, rec_start, has, prev_cr = 0, 1, 1, 1, 0, 0, 0
    out = []
    for i, c in enumerate(data):
        if prev_cr == 1:
            prev_cr = 0
            if c == 10:
                continue
        if in_quote == 1:
            if c == 34:
                in_quote = 0
            elif c == 10:
                line += 1
            elif c == 13:
                line += 1
                prev_cr = 1
            continue
        if c in (10, 13):
            if has == 1:
                out.append((rec_line, fields, rec_start))
            line, fields, has, rec_line = line + 1, 1, 0, line + 1
            prev_cr = int(c == 13)
            continue
        if has == 0:
            has, rec_line, rec_start = 1, line, i
        if c == 34:
            in_quote = 1
        elif c == delim:
            fields += 1
    if has == 1:
        out.append((rec_line, fields, rec_start))
    return out


def _compiled(buf, delim, state):
    cap = buf.size + 1
    out = [np.empty(cap, np.int64) for _ in range(3)]
    k = _scan_compiled(buf, buf.size, delim, state, *out)
    return [o[:k] for o in out]


def _blocks(data: bytes, cuts: list[int], delim: int, scan=_scan):
    state = np.array([0, 1, 1, 1, 0, 0, 0, 0], np.int64)
    out = []
    edges = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    for a, b in itertools.pairwise(edges):
        ln, nf, stt = scan(np.frombuffer(data[a:b], np.uint8), delim, state)
        out += list(zip(ln.tolist(), nf.tolist(), stt.tolist(), strict=True))
    if state[5] == 1:
        out.append((int(state[3]), int(state[2]), int(state[4])))
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([b"a", b",", b";", b'"', b"\n", b"\r", b"\r\n", b" ", b"xy"]),
                max_size=60).map(b"".join),
       st.lists(st.integers(0, 200), max_size=6), st.sampled_from([44, 59]))
def test_both_scans_equal_the_byte_machine(data, cuts, delim):
    expected = _reference(data, cuts, delim)
    assert _blocks(data, cuts, delim) == expected
    assert _blocks(data, cuts, delim, _compiled) == expected


def test_quoted_line_ends_and_blank_lines():
    data = b'h1,h2\r\n"a\r\nb",c\n\n\rx,"y,z"\r\n,'
    expected = [(1, 2, 0), (2, 2, 7), (6, 2, 18), (7, 2, 27)]
    assert _reference(data, [], 44) == expected
    for cut in range(len(data) + 1):
        assert _blocks(data, [cut], 44) == expected


def test_a_file_reads_the_same_with_either_scan(tmp_path, monkeypatch):
    path = tmp_path / "p.csv"
    path.write_bytes(b'id,user,t\r\n1,a,10\n2,"b\nb",20\n\n3,c\n4,d,40,x\r\n5,e,50')
    cm = ColumnMap.model_validate({"columns": {"post": "id", "account": "user", "time": "t"}})

    def read():
        return [b if isinstance(b, tuple) else b.to_pydict()
                for b in tabular.read_batches(path, cm)]

    small = read()
    monkeypatch.setattr(tabular, "SMALL_FILE", -1)
    assert read() == small
    lines = [x for b in small if isinstance(b, dict) for x in b["source_line"]]
    assert lines == [2, 3, 8] and [b[0] for b in small if isinstance(b, tuple)] == [6, 7]
