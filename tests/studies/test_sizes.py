"""The size check (issue 45, item 5): the same figures at two world sizes a factor 4 apart, with
Welch's interval of the difference and the 15% rule, in a table and its JSON."""

from __future__ import annotations

import json
import math

import pytest

from diplosim.analysis.run import load_run
from diplosim.errors import DiplosimError
from diplosim.scenario.builtin import builtin, builtin_scenarios
from diplosim.studies.blocks import SIZES_MARKERS
from diplosim.studies.sizes import (
    AGREES,
    DEPENDS,
    NOT_COMPUTABLE,
    TOLERANCE,
    SizeRow,
    check_sizes,
    count_line,
    from_json,
    headline_measures,
    markdown,
    parse_pair,
    size_pair,
    to_json,
    verdict,
)
from tests.conftest import EXAMPLE, ROOT


def test_the_tolerance_is_the_issues_15_percent():
    assert TOLERANCE == 0.15


def test_a_difference_whose_interval_holds_zero_agrees_even_beyond_15_percent():
    small, large = [1.0, 2.0, 0.5, 1.5], [1.5, 2.5, 1.0, 2.0]
    a, b, d, said = verdict(small, large)
    assert (a.mean, b.mean, d.mean) == (1.25, 1.75, 0.5)  # 40% apart
    # Welch: both sd 0.6455, se 0.4564, 6 degrees of freedom, t 2.4469
    assert d.low == pytest.approx(0.5 - 2.446912 * 0.456435, rel=1e-5) and d.low < 0 < d.high
    assert said == AGREES


def test_a_clear_difference_depends_on_size():
    *_, d, said = verdict([1.0, 1.1, 0.9, 1.0], [2.0, 2.1, 1.9, 2.0])
    assert d.mean == pytest.approx(1.0) and d.low > 0.8 and d.distinguishable
    assert said == DEPENDS


def test_a_distinguishable_difference_within_15_percent_agrees():
    small = [100.0, 100.1, 99.9, 100.0]
    *_, d, said = verdict(small, [110.0, 110.1, 109.9, 110.0])  # 10%, distinguishable
    assert d.distinguishable and said == AGREES
    *_, said = verdict(small, [116.0, 116.1, 115.9, 116.0])  # 16%
    assert said == DEPENDS
    *_, said = verdict([100.0, 100.0], [115.0, 115.0])  # exactly 15%, no noise at all
    assert said == AGREES
    *_, said = verdict([100.0, 100.0], [84.0, 84.0])  # 16% below
    assert said == DEPENDS


def test_a_mean_of_zero_is_not_divided_by_and_a_missing_size_is_not_computable():
    *_, said = verdict([0.0, 0.0], [0.001, 0.001])
    assert said == DEPENDS  # the interval is the point 0.001, and 0.001 over ~0 is not 15%
    *_, said = verdict([0.0, 0.0], [0.0, 0.0])
    assert said == AGREES
    *_, said = verdict([None, None], [1.0, 2.0])
    assert said == NOT_COMPUTABLE
    # one seed's undefined value is left out, not counted as zero
    a, *_ = verdict([None, 4.0, 6.0], [5.0, 5.0, 5.0])
    assert a.mean == 5.0 and a.n == 2


def _rows() -> list[SizeRow]:
    cases = [("example", "a: platform views per post", "actor", [[12000.0, 13000.0],
                                                                 [12500.0, 12700.0]]),
             ("example", "engagement per view", "headline",
              [[0.04, 0.041, 0.042], [0.09, 0.091, 0.092]]),
             ("example", "biolabs: share believing it, last day", "headline",
              [[None, None], [0.1, 0.2]])]
    return [SizeRow(s, m, k, (1000, 4000), v, *verdict(*v)) for s, m, k, v in cases]


def test_the_table_has_a_row_per_measure_and_a_count_line():
    rows = _rows()
    assert [r.verdict for r in rows] == [AGREES, DEPENDS, NOT_COMPUTABLE]
    table = markdown(rows, "how it was made")
    lines = table.splitlines()
    assert lines[0] == SIZES_MARKERS[0] and lines[-1] == SIZES_MARKERS[1]
    body = [line for line in lines if line.startswith("| `example`")]
    assert len(body) == 3
    # thousands separators, the interval in brackets, the verdict in the last column
    assert body[0].startswith("| `example` (1,000 and 4,000 users) | a: platform views per "
                              "post | 12,500 [6,147 to 18,853] | 12,600 [11,329 to 13,871] |")
    assert body[0].endswith("| agrees |")
    assert body[1].endswith("| **depends on size** |") and "| 0.091 [" in body[1]
    assert body[2].endswith("| n/a | 0.15 [-0.485 to 0.785] | n/a | not computable |")
    # the count, then what the rule would flag by chance and what survives Holm's correction:
    # 0.041 against 0.091 (sd 0.001 at each size) is a Welch t of 61, p about 4e-7
    assert count_line(rows) == (
        "1 of 3 measures agree (1 not computable at one of the sizes). 1 depends on the size by "
        "the rule; with 2 measures each tested at 95%, about 0.1 would by chance alone if none "
        "did. After Holm's correction for the 2 comparisons, 1 still does: example: engagement "
        "per view.")
    assert count_line(rows[:1]) == "1 of 1 measures agree."
    assert count_line(rows) in lines


def test_the_json_gives_back_the_same_table():
    rows = _rows()
    text = to_json(rows, {"quick": True, "scenarios": []})
    doc = json.loads(text)
    assert doc["tolerance"] == 0.15 and doc["count"].startswith("1 of 3")
    assert doc["rows"][2]["small"]["mean"] is None  # NaN is written as null
    again, setup = from_json(text)
    assert setup == {"quick": True, "scenarios": []}
    assert markdown(again, "x") == markdown(rows, "x")
    assert math.isnan(again[2].small.mean)


def test_size_pairs_are_the_scenarios_own_unless_chosen_or_given():
    example = builtin("example")
    assert size_pair("example", example.scenario)[0] == (100_000, 400_000)
    attention = builtin("ukraine_attention_2022")
    (small, large), why = size_pair(attention.name, attention.scenario)
    assert (small, large) == (2_500, 10_000) and "validation suite" in why
    assert parse_pair("10000,40_000") == (10_000, 40_000)
    with pytest.raises(DiplosimError, match="the smaller first"):
        parse_pair("40000,10000")
    with pytest.raises(DiplosimError, match="expected two user counts"):
        parse_pair("10000")


def test_every_built_in_scenario_has_at_least_three_headline_measures():
    for b in [builtin("example"), *builtin_scenarios()]:
        names = [m for m, _ in headline_measures(b.scenario)]
        assert len(names) >= 3 and len(set(names)) == len(names), b.name
        assert names[0] == "engagement per view"
    example = [m for m, _ in headline_measures(builtin("example").scenario)]
    assert "ukraine_war: pro_ukraine share of stance-bearing impressions" in example
    assert "biolabs: share believing it, last day" in example
    assert "change in favourability toward FR among viewers in JP" in example


def test_the_example_at_two_tiny_sizes_has_a_row_per_named_actor(tmp_path):
    rows = check_sizes(EXAMPLE, (1000, 4000), 2, days=2, out=tmp_path)
    folders = sorted(tmp_path.glob("example/users*/seed*"))
    assert len(folders) == 4  # two sizes, two seeds each
    named = set()
    for folder in folders:
        run = load_run(folder)
        named |= {a for (a,) in run.con.execute(
            "SELECT DISTINCT actor::VARCHAR FROM posts WHERE actor IS NOT NULL "
            "AND messenger::VARCHAR <> 'user'").fetchall()}
    actors = {r.measure.removesuffix(": platform views per post") for r in rows
              if r.kind == "actor"}
    assert actors == named and {"fr_embassy_jp", "us_state_dept", "ru_state_media",
                                "ua_citizens"} <= actors
    # each actor's figure is its own posts' mean views, per run, in seed order
    first = load_run(tmp_path / "example" / "users1000" / "seed7")
    columns = {d[0] for d in first.con.execute("SELECT * FROM posts LIMIT 0").description}
    views = "platform_views" if "platform_views" in columns else "impressions"
    (expected,) = first.con.execute(
        f"SELECT avg({views}) FROM posts WHERE actor::VARCHAR = 'us_state_dept' "
        "AND messenger::VARCHAR <> 'user'").fetchone()
    row = next(r for r in rows if r.measure == "us_state_dept: platform views per post")
    assert row.values[0][0] == pytest.approx(expected) and len(row.values[1]) == 2
    assert row.small.mean == pytest.approx(sum(row.values[0]) / 2)
    headlines = [r for r in rows if r.kind == "headline"]
    assert len(headlines) >= 3 and all(r.users == (1000, 4000) for r in rows)
    engagement = next(r for r in headlines if r.measure == "engagement per view")
    assert all(0 < v < 0.2 for size in engagement.values for v in size)
    # the verdict is the rule's, row by row
    for r in rows:
        assert r.verdict == verdict(*r.values)[3]
    table = markdown(rows, "setup")
    assert sum("platform views per post" in line for line in table.splitlines()) == len(actors)


def test_validate_model_writes_the_size_table_into_its_markers(tmp_path):
    from typer.testing import CliRunner

    from diplosim.cli import app
    from diplosim.studies.validation import FINDINGS, to_json
    from diplosim.studies.validation.suite import _row

    saved = tmp_path / "validation.json"  # the findings from a file: only the sizes run
    values = {f.id: [[0.04, 0.041], [0.045, 0.046]] for f in FINDINGS}
    saved.write_text(to_json([_row(f, (5000, 20000), values[f.id]) for f in FINDINGS], True))
    page = tmp_path / "validation.md"
    page.write_text((ROOT / "docs" / "validation.md").read_text(encoding="utf-8"))
    sizes = tmp_path / "sizes.json"
    args = ["validate-model", "--quick", "--from-json", str(saved), "--page", str(page),
            "--size-pair", "1000,4000", "--size-seeds", "2", "--sizes-json", str(sizes)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 3), result.output
    doc = json.loads(sizes.read_text())
    assert [s["name"] for s in doc["setup"]["scenarios"]] == ["example"]
    assert doc["setup"]["scenarios"][0]["users"] == [1000, 4000]
    assert all(len(size) == 2 for r in doc["rows"] for size in r["values"])
    text = page.read_text()
    begin, end = SIZES_MARKERS
    block = text[text.index(begin):text.index(end)]
    assert doc["count"] in block and "`example`: 1,000 and 4,000 users, 3 days" in block
    assert block.count("| `example` (1,000 and 4,000 users) |") == len(doc["rows"])
    # from the saved JSON again: nothing runs, the same table
    sizes_before = sizes.read_text()
    result = CliRunner().invoke(app, [*args[:-4], "--sizes-json", str(sizes)])
    assert result.exit_code in (0, 3), result.output
    assert page.read_text() == text and sizes.read_text() == sizes_before


def test_the_validation_page_has_the_size_markers():
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    begin, end = SIZES_MARKERS
    assert text.count(begin) == 1 and text.count(end) == 1


def test_views_per_post_reads_platform_views_and_falls_back_to_impressions(tmp_path):
    import duckdb

    from diplosim.analysis.run import Run
    from diplosim.studies.sizes import views_per_post

    rows = ("SELECT * FROM (VALUES ('a', 'embassy', 1, 1000.0), ('a', 'embassy', 3, 3000.0), "
            "('a', 'user', 50, 50000.0), ('b', 'citizen', 7, NULL), (NULL, 'user', 9, 9.0)) "
            "t(actor, messenger, impressions, platform_views)")
    for name, select in (("with", rows), ("without", f"SELECT * EXCLUDE (platform_views) "
                                                     f"FROM ({rows})")):
        (tmp_path / name).mkdir()
        duckdb.sql(f"COPY ({select}) TO '{tmp_path / name / 'posts.parquet'}'")
    # the viewers' challenge video (messenger user) is not the actor's own post
    assert views_per_post(Run(tmp_path / "with", {})) == {"a": 2000.0, "b": 0.0}
    assert views_per_post(Run(tmp_path / "without", {})) == {"a": 2.0, "b": 7.0}
