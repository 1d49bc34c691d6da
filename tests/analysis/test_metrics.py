"""Each metric on a small hand-built run whose answer is worked out by hand here."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from diplosim.analysis.cascades import cascades, structural_virality
from diplosim.analysis.opinion import bimodality_coefficient, polarisation, soft_power_index
from diplosim.analysis.reach import engagement_rate, reach, share_of_voice
from diplosim.analysis.run import load_run
from diplosim.errors import DiplosimError


def _write(folder, completed=True, **tables):
    folder.mkdir(parents=True, exist_ok=True)
    for name, columns in tables.items():
        pq.write_table(pa.table(columns), folder / f"{name}.parquet")
    (folder / "manifest.json").write_text(json.dumps({"completed": completed}))
    return folder


POSTS = {"post": [0, 1, 2], "account": [10, 11, 12], "actor": ["emb", "emb", None],
         "hashtags": [["#a"], ["#a", "#b"], []], "messenger": ["embassy"] * 2 + ["user"],
         "issue": [None, "war", "war"], "stance": [None, 0.5, -0.5],
         "impressions": [100, 50, 200], "likes": [5, 1, 4], "comments": [1, 0, 0],
         "shares": [2, 1, 0]}
EXPOSURES = {"post": [0, 0, 1, 2], "country": ["US", "JP", "US", "US"], "day": [0, 0, 0, 0],
             "hour": [1, 1, 2, 3], "impressions": [60, 40, 50, 200],
             "completions": [30, 10, 25, 80], "unique_viewers": [60, 40, 50, 200]}


@pytest.mark.parametrize(("parent", "expected"), [
    ([-1], 0.0),
    ([-1, 0, 0, 0, 0], 1.6),            # star of 5: 2(n-1)/n
    ([-1, 0, 1, 2, 3], 2.0),            # chain of 5: (n+1)/3
    ([-1, 0, 0, 1, 1], 1.8),            # root, two children, two grandchildren under the first
])
def test_structural_virality_by_hand(parent, expected):
    assert structural_virality(parent) == pytest.approx(expected)


def test_cascades_from_shares(tmp_path):
    # post 0 by account 10: 11 shares it from 10, 12 from 11, 13 from 12 (a chain of 4);
    # post 1 by account 20: 21, 22, 23 all share it from the author (a star of 4).
    interactions = {"kind": ["share"] * 6, "post": [0, 0, 0, 1, 1, 1],
                    "account": [11, 12, 13, 21, 22, 23], "from_account": [10, 11, 12, 20, 20, 20],
                    "time": [1, 2, 3, 1, 2, 3]}
    posts = {"post": [0, 1, 2], "account": [10, 20, 30], "shares": [3, 3, 0]}
    run = load_run(_write(tmp_path / "r", posts=posts, interactions=interactions))
    rows = {r["post"]: r for r in cascades(run)}
    assert rows[0] == {"post": 0, "size": 4, "depth": 3, "max_breadth": 1,
                       "structural_virality": pytest.approx(5 / 3)}
    assert rows[1] == {"post": 1, "size": 4, "depth": 1, "max_breadth": 3,
                       "structural_virality": pytest.approx(1.5)}
    assert rows[2]["size"] == 1 and rows[2]["structural_virality"] == 0


def test_bimodality_separates_polarised_from_consensual():
    rng = np.random.default_rng(1)
    polarised = np.concatenate([rng.normal(-0.8, 0.1, 500), rng.normal(0.8, 0.1, 500)])
    consensual = rng.normal(0, 0.3, 1000)

    def bc(x):
        z = (x - x.mean()) / x.std()
        return bimodality_coefficient(float((z**3).mean()), float((z**4).mean()), x.size)

    assert bc(polarised) > 0.8 > 5 / 9 > 0.4 > bc(consensual)
    assert bc(consensual) == pytest.approx(1 / 3, abs=0.03)  # a normal distribution: 1/3


def test_polarisation_and_soft_power_from_attitudes(tmp_path):
    rows = {"day": [0, 1, 0, 1], "country": ["US"] * 4,
            "kind": ["favourability", "favourability", "stance", "stance"],
            "subject": ["FR", "FR", "war", "war"], "n": [100] * 4,
            "mean": [0.1, 0.25, 0.0, 0.0], "sd": [0.5, 0.5, 0.2, 0.9],
            "skew": [0.0, 0.0, 0.0, 0.0], "kurtosis": [3.0, 3.0, 3.0, 1.2],
            "share_pos": [0.3, 0.4, 0.1, 0.5], "share_neg": [0.2, 0.1, 0.1, 0.5]}
    run = load_run(_write(tmp_path / "r", attitudes=rows))
    sp = soft_power_index(run)
    assert [(r["day"], r["change"]) for r in sp] == [(0, 0.0), (1, pytest.approx(0.15))]
    pol = polarisation(run)
    assert [round(r["variance"], 2) for r in pol] == [0.04, 0.81]
    assert pol[1]["bimodality"] > 5 / 9 > pol[0]["bimodality"]


def test_reach_engagement_and_share_of_voice(tmp_path):
    # 110 US impressions of emb's two posts came from 80 distinct users (some saw both)
    audience = {"day": [0, 0], "actor": ["emb", "emb"], "country": ["US", "JP"],
                "unique_viewers": [80, 40]}
    run = load_run(_write(tmp_path / "r", posts=POSTS, exposures=EXPOSURES, audience=audience))
    assert reach(run) == [
        {"actor": "emb", "country": "JP", "day": 0, "impressions": 40, "completions": 10,
         "unique_viewers": 40},
        {"actor": "emb", "country": "US", "day": 0, "impressions": 110, "completions": 55,
         "unique_viewers": 80}]
    # without the audience table (imported data) distinct viewers are unknown, not guessed
    bare = load_run(_write(tmp_path / "bare", posts=POSTS, exposures=EXPOSURES))
    assert [r["unique_viewers"] for r in reach(bare)] == [None, None]
    rates = {r["actor"]: r["engagement_per_view"] for r in engagement_rate(run)}
    assert rates == {"emb": pytest.approx(10 / 150), "(others)": pytest.approx(4 / 200)}
    voice = {(r["voice"], r["country"]): r["share"] for r in share_of_voice(run, "hashtag")}
    # US: #a has 60 + 50 impressions, #b 50 -> 110/160 and 50/160
    assert voice[("#a", "US")] == pytest.approx(110 / 160)
    assert voice[("#b", "US")] == pytest.approx(50 / 160)
    assert voice[("#a", "JP")] == pytest.approx(1.0)
    sides = {r["voice"]: r["share"] for r in share_of_voice(run, "side") if r["country"] == "US"}
    assert sides == {"war:negative": pytest.approx(200 / 250),
                     "war:positive": pytest.approx(50 / 250)}


def test_incomplete_or_foreign_folders_are_refused(tmp_path):
    with pytest.raises(DiplosimError, match="did not complete"):
        load_run(_write(tmp_path / "half", completed=False, posts=POSTS))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DiplosimError, match="no diplosim tables"):
        load_run(empty)
    run = load_run(_write(tmp_path / "posts_only", posts=POSTS))
    with pytest.raises(DiplosimError, match="needs the table"):
        reach(run)


def test_tables_and_queries_as_pandas(tmp_path):
    run = load_run(_write(tmp_path / "r", posts=POSTS, exposures=EXPOSURES))
    posts = run.df("posts")
    assert list(posts["impressions"]) == [100, 50, 200]
    per_country = run.df("SELECT country, sum(impressions) AS n FROM exposures GROUP BY 1 "
                         "ORDER BY 1")
    assert per_country.to_dict("list") == {"country": ["JP", "US"], "n": [40, 310]}
    with pytest.raises(DiplosimError, match="needs the table"):
        run.df("attitudes")


def test_platform_views_are_the_samples_impressions_over_the_sampling_fraction(tmp_path):
    """A run whose users are sampled at f = 1/500: the embassy's 150 impressions (110 in the
    US, 40 in Japan) stand for 500 times as many platform views; an import (no sampling
    fraction) counts its own."""
    from diplosim.analysis.measures import parse_measure, platform_views

    folder = _write(tmp_path / "run", posts=POSTS, exposures=EXPOSURES)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert platform_views(load_run(folder), "emb") == 150  # no sampling fraction: f = 1
    (folder / "manifest.json").write_text(json.dumps({**manifest, "sampling_fraction": 0.002}))
    run = load_run(folder)
    assert platform_views(run, "emb") == pytest.approx(75_000)
    assert platform_views(run, "emb", ["US"]) == pytest.approx(55_000)
    assert platform_views(run) == pytest.approx(175_000)
    assert parse_measure("platform_views:emb:JP")(run) == pytest.approx(20_000)


def test_times_read_as_dates(tmp_path):
    """A burst's start in seconds becomes a date an analyst can quote: UTC for an import, the
    scenario's calendar when it gives a start, else the day and hour of the run."""
    def folder(name, manifest):
        path = _write(tmp_path / name, posts=POSTS)
        (path / "manifest.json").write_text(json.dumps({"completed": True, **manifest}))
        return load_run(path)

    assert folder("imp", {"kind": "import"}).when(1_650_000_000) == "2022-04-15 05:20 UTC"
    dated = folder("dated", {"scenario": {"start": "2022-02-24"}})
    assert dated.when(280_800) == "2022-02-27 06:00"
    assert folder("undated", {"scenario": {}}).when(280_800) == "day 3, 06:00"
