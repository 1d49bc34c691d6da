"""The shipped country table: derived from the shared real data, with sources for every figure."""

from __future__ import annotations

import csv
import io
import json

import pytest

from diplosim.world import build_table
from diplosim.world.countries import country_table, favourability_surveys, language_names

#: DataReportal, Digital 2025 (January 2025): TikTok's advertising audience, 1.59 billion.
GLOBAL_AUDIENCE_2025 = 1.59e9


def test_shipped_table_is_exactly_what_the_builder_derives(shared_data, tmp_path):
    # other babel or tzdata releases derive other rows: say so, rather than fail on a CSV diff
    mismatch = build_table.version_mismatch()
    if mismatch:
        pytest.fail(mismatch, pytrace=False)
    build_table.build(shared_data / "world", tmp_path)
    for name in ("countries.csv", "languages.csv", build_table.BUILT_WITH):
        shipped = (build_table.DATA_DIR / name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == shipped, name


def test_every_platform_figure_is_published_or_marked_assumption():
    table = country_table()
    published = list(csv.DictReader(io.StringIO(
        (build_table.DATA_DIR / "platform_users_published.csv").read_text())))
    assert len(published) >= 10
    for row in published:
        c = table[row["iso2"]]
        assert c.platform_users == int(row["platform_users"]) and not c.estimated
    estimated = [c for c in table.values() if c.estimated]
    assert all("assumption" in c.platform_users_source for c in estimated)
    assert table["US"].platform_users == 135_790_000
    assert table["IN"].platform_users == 0 and table["CN"].platform_users == 0


def test_estimates_add_up_to_the_published_global_audience():
    total = sum(c.platform_users for c in country_table().values())
    assert abs(total / GLOBAL_AUDIENCE_2025 - 1) < 0.15, total


def test_estimate_never_exceeds_internet_users():
    for c in country_table().values():
        if c.estimated:
            assert c.platform_users <= c.population * c.internet_pct / 100 + 1


@pytest.mark.parametrize(("code", "offset", "zone"), [
    ("US", -5, "America/New_York"), ("IN", 5.5, "Asia/Kolkata"), ("JP", 9, "Asia/Tokyo"),
    ("AU", 10, "Australia/Sydney"), ("NP", 5.75, "Asia/Kathmandu"), ("RU", 3, "Europe/Moscow"),
    ("BR", -3, None), ("UA", 2, "Europe/Kyiv"), ("GB", 0, "Europe/London"),
])
def test_main_time_zone(code, offset, zone):
    c = country_table()[code]
    assert c.utc_offset_hours == offset
    assert zone is None or c.timezone == zone


def test_languages_come_with_population_shares():
    table = country_table()
    assert table["UA"].languages == (("uk", 0.65), ("ru", 0.46))
    assert table["US"].languages[0] == ("en", 0.96)
    assert language_names()["uk"] == "Ukrainian"
    assert all(0 < s <= 1 for c in table.values() for _, s in c.languages)


def test_favourability_surveys_cite_their_source():
    surveys = favourability_surveys()
    assert surveys[("PL", "US")].favourable == pytest.approx(0.93)
    assert surveys[("PL", "RU")].unfavourable == pytest.approx(0.98)
    for s in surveys.values():
        assert "Pew Research Center" in s.source and s.year >= 2023
        assert s.viewer in country_table() and s.focal in country_table()


def test_a_version_change_is_named_with_the_rebuild_command(tmp_path):
    installed = build_table.builder_versions()
    recorded = {"babel": "2.19.0", "tzdata": installed["tzdata"]}
    (tmp_path / build_table.BUILT_WITH).write_text(json.dumps(recorded))
    message = build_table.version_mismatch(tmp_path)
    assert message is not None
    assert str(tmp_path / build_table.BUILT_WITH) in message
    assert f"babel 2.19.0 built them, {installed['babel']} is installed" in message
    assert "tzdata" not in message.split("(", 1)[1].split(")")[0]
    assert "diplosim build-table" in message
    assert build_table.version_mismatch() is None  # the locked set is what built the tables
