"""``diplosim validate`` warns when an actor posts in a language few of its targets speak, and the
warning's claim holds in a run: those posts draw far fewer views."""

from __future__ import annotations

import subprocess
import sys

import yaml

from diplosim.scenario.warnings import FEW_SPEAKERS, language_warnings, speaker_share
from tests.engine.conftest import query, run, scenario_of

EMBASSY = {
    "name": "jp_in_br", "seed": 3, "duration_days": 3,
    "world": {"users": 3000, "countries": ["BR", "US"]},
    "actors": [{"id": "jp_embassy_br", "type": "embassy", "country": "JP", "host_country": "BR",
                "languages": ["pt", "ja"],
                "campaigns": [{"id": "pop", "posts_per_day": 20, "targets": ["BR"]}]}],
}


def test_a_language_few_targets_speak_is_warned_of_and_draws_few_views(tmp_path):
    s = scenario_of(EMBASSY)
    assert speaker_share(s, "ja", ["BR"]) < FEW_SPEAKERS <= speaker_share(s, "pt", ["BR"])
    (line,) = language_warnings(s)
    assert line.startswith("actor jp_embassy_br, campaign pop: about 50% of its posts are in "
                           "Japanese (ja), which 0.0% of its target users (BR) speak")
    rows = dict(query(run(EMBASSY, tmp_path), "SELECT language::VARCHAR, avg(impressions) "
                                              "FROM posts WHERE actor IS NOT NULL GROUP BY 1"))
    assert rows["ja"] * 5 < rows["pt"]  # the warning's "few views", measured


def test_posting_in_each_targets_own_language_is_not_flagged():
    data = {**EMBASSY, "actors": [{**EMBASSY["actors"][0], "languages": ["pt", "en"],
                                   "campaigns": [{"id": "pop", "posts_per_day": 20,
                                                  "targets": ["BR", "US"]}]}]}
    assert language_warnings(scenario_of(data)) == []


def test_validate_prints_the_warning_and_still_exits_0(tmp_path):
    path = tmp_path / "jp.yaml"
    path.write_text(yaml.safe_dump(EMBASSY), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "diplosim", "validate", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "warning: actor jp_embassy_br, campaign pop" in result.stderr
