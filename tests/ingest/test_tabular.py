"""Mapped CSV read by column: the fast reader (Arrow + line scan) and the exact reader (Python's
csv module) give the same rows, the same physical line numbers and the same rejects."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplosim.analysis.run import load_run
from diplosim.ingest.formats import ColumnMap, Reject, load_map
from diplosim.ingest.importer import import_files
from diplosim.ingest.tabular import _exact, _fast, _header, read_batches
from tests.conftest import MAPS, SHARED_DATA

DATA = SHARED_DATA / "coordination"
CM = ColumnMap.model_validate({"columns": {"post": "id", "account": "who", "time": "t",
                                           "text": "body"}})


def _collect(items) -> tuple[list[tuple], list[tuple]]:
    rows, rejects = [], []
    for item in items:
        if isinstance(item, tuple):
            line, rej = item
            assert isinstance(rej, Reject)
            rejects.append((line, rej.reason))
        else:
            assert isinstance(item, pa.Table)
            rows.extend(zip(*(item.column(c).to_pylist() for c in
                              ("source_line", "post", "account", "time",
                               "text")), strict=True))
    return rows, sorted(rejects)


def _both(path: Path, cm: ColumnMap = CM):
    header, wanted = _header(path, cm)
    return _collect(_fast(path, cm, header, wanted)), _collect(_exact(path, cm, header, wanted))


def test_line_numbers_with_quoted_newlines_blank_lines_and_crlf(tmp_path):
    text = ('id,who,t,body\r\n'
            '1,a,10,"two\r\nlines"\r\n'          # line 2, spans 2-3
            '\r\n'                               # line 4 blank
            '2,b,20,plain\r\n'                   # line 5
            '3,c,30\r\n'                         # line 6: 3 fields
            '4,d,40,"say ""hi""\nand\nbye"\r\n'  # line 7, spans 7-9
            '5,e,50,last')                       # line 10, no line end
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode())
    fast, exact = _both(path)
    assert fast == exact
    rows, rejects = fast
    assert [r[0] for r in rows] == [2, 5, 7, 10]
    assert rows[0][4] == "two\r\nlines" and rows[2][4] == 'say "hi"\nand\nbye'
    assert rejects == [(6, "expected 4 fields, got 3")]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(
    st.integers(0, 10**6), st.sampled_from(["a", "b", "c,d", 'q"x', ""]),
    st.integers(0, 2 * 10**9),
    st.text(alphabet=st.sampled_from(list('ab #,"\n\r\té')), max_size=12),
    st.sampled_from(["ok", "short", "long", "blank"])), max_size=30),
    st.sampled_from(["\n", "\r\n"]))
def test_fast_and_exact_readers_agree(tmp_path_factory, rows, eol):
    buf = io.StringIO()
    # csv.writer leaves a bare \r unquoted when the line end is \n: quote everything then
    quote_all = any("\r" in r[3] for r in rows)
    w = csv.writer(buf, lineterminator=eol,
                   quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    w.writerow(["id", "who", "t", "body"])
    for pid, who, t, body, shape in rows:
        if shape == "blank":
            buf.write(eol)
            continue
        rec = [str(pid), who, str(t), body]
        w.writerow(rec[:3] if shape == "short" else [*rec, "x"] if shape == "long" else rec)
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(buf.getvalue().encode())
    fast, exact = _both(path)
    assert fast == exact
    # every written record is either a row or a reject
    assert len(fast[0]) + len(fast[1]) == sum(1 for r in rows if r[4] != "blank")


def test_russian_tweets_take_the_fast_path_and_load_every_row(tmp_path):
    src = DATA / "russian_coord_tweets.csv"
    cm = load_map(MAPS / "russian_coord_tweets.yaml")
    header, wanted = _header(src, cm)
    items = list(_fast(src, cm, header, wanted))  # raises Disagree if the readers differ
    assert sum(t.num_rows for t in items if isinstance(t, pa.Table)) == 35_125
    r = import_files("csv", [src], tmp_path / "r", cm)
    assert (r.rows, r.loaded, r.rejected, r.duplicates) == (35_125, 35_085, 0, 40)
    run = load_run(tmp_path / "r")
    # lines are physical lines: the first data row is line 2, the last line 35,126
    assert run.rows("SELECT min(source_line) AS lo, max(source_line) AS hi FROM posts") == [
        {"lo": 2, "hi": 35_126}]
    first = next(csv.DictReader(src.open(encoding="utf-8")))
    got = run.rows("SELECT account, shared_object, time FROM posts WHERE source_line = 2")[0]
    assert got == {"account": first["account_id"], "shared_object": first["object_id"],
                   "time": int(float(first["timestamp_share"]))}


def test_bytes_that_are_not_utf8_fall_back_to_the_exact_reader(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"id,who,t,body\n1,a,10,caf\xe9\n2,b,20,ok\n")
    r = import_files("csv", [path], tmp_path / "d", CM)
    assert (r.rows, r.loaded, r.rejected) == (2, 2, 0)
    texts = load_run(tmp_path / "d").rows("SELECT source_line, text FROM posts ORDER BY 1")
    assert texts == [{"source_line": 2, "text": "caf\ufffd"}, {"source_line": 3, "text": "ok"}]
    assert next(iter(read_batches(path, CM, exact=True))).num_rows == 2


def test_conversion_rejects_name_the_column_and_value(tmp_path):
    cm = ColumnMap.model_validate({"columns": {"post": "id", "account": "who", "time": "t",
                                               "likes": "n", "hashtags": "tags"}})
    path = tmp_path / "x.csv"
    path.write_text("id,who,t,n,tags\n1,a,10,3,#A b\n2,b,soon,1,\n3,c,30,2.5,\n"
                    "4,d,40,inf,\n,e,50,1,\n6,f,1.7e9,,x  #X\n")
    r = import_files("csv", [path], tmp_path / "d", cm)
    assert (r.rows, r.loaded, r.rejected) == (6, 2, 4)
    run = load_run(tmp_path / "d")
    assert run.rows("SELECT line, reason FROM rejected ORDER BY line") == [
        {"line": 3, "reason": "t: expected POSIX seconds, got 'soon'"},
        {"line": 4, "reason": "n: expected a whole number, got '2.5'"},
        {"line": 5, "reason": "n: expected a whole number, got 'inf'"},
        {"line": 6, "reason": "missing post"}]
    assert run.rows("SELECT post, time, likes, hashtags FROM posts ORDER BY post") == [
        {"post": "1", "time": 10, "likes": 3, "hashtags": ["#a", "#b"]},
        {"post": "6", "time": 1_700_000_000, "likes": None, "hashtags": ["#x"]}]


def test_times_outside_1970_to_2100_are_rejected_not_a_crash(tmp_path):
    """A time past 2100 (or too large for a whole number) is a rejected row, not a
    ConversionException from the 32-bit day column (found by make fuzz)."""
    path = tmp_path / "x.csv"
    path.write_text("id,who,t,body\n1,a,1700000000,ok\n2,b,1e30,x\n3,c,185542587187200,x\n"
                    "4,d,-5,x\n5,e,4102444800,last second\n")
    r = import_files("csv", [path], tmp_path / "d", CM)
    assert (r.rows, r.loaded, r.rejected) == (5, 2, 3)
    reasons = load_run(tmp_path / "d").rows("SELECT line, reason FROM rejected ORDER BY line")
    assert reasons == [
        {"line": 3, "reason": "t: expected POSIX seconds, got '1e30'"},
        {"line": 4, "reason": "t: expected a time from 1970 to 2100-01-01 (4102444800 s), "
                              "got '185542587187200'"},
        {"line": 5, "reason": "t: expected a time from 1970 to 2100-01-01 (4102444800 s), "
                              "got '-5'"}]


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_reimport_adds_nothing(tmp_path, eol):
    path = tmp_path / "x.csv"
    path.write_bytes(eol.join(["id,who,t,body", "1,a,10,x", "2,b,20,y", ""]).encode())
    assert import_files("csv", [path], tmp_path / "d", CM).loaded == 2
    again = import_files("csv", [path], tmp_path / "d", CM)
    assert (again.rows, again.loaded, again.duplicates) == (2, 0, 2)
    assert load_run(tmp_path / "d").rows("SELECT count(*) AS n FROM posts") == [{"n": 2}]
