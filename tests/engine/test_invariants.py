"""Invariants on generated scenarios, and the same bytes from one thread or two."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE
from tests.engine.conftest import query, run

RANKINGS = ("engagement", "social", "chronological")
TYPES = ("head_of_state", "foreign_ministry", "embassy", "international_org", "state_media",
         "ngo", "influencer", "citizen", "diaspora")


@st.composite
def scenarios(draw) -> dict:
    days = draw(st.integers(1, 3))
    countries = draw(st.lists(st.sampled_from(["US", "GB", "DE", "JP", "BR", "UA"]),
                              min_size=1, max_size=3, unique=True))
    actors = []
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(TYPES))
        actor = {"id": f"a{i}", "type": kind, "country": draw(st.sampled_from(countries)),
                 "languages": [draw(st.sampled_from(["en", "de", "ja", "pt", "uk"]))],
                 "campaigns": [{"id": "c", "posts_per_day": draw(st.floats(0, 20)),
                                "stance": {"issue": "war", "value": draw(st.floats(-1, 1))},
                                "claim": draw(st.sampled_from([None, "rumour"])),
                                "challenge": draw(st.booleans()),
                                "targets": [draw(st.sampled_from([*countries, "all"]))]}]}
        if kind == "embassy":
            actor["host_country"] = countries[0]
        if kind in ("citizen", "diaspora"):
            actor["accounts"] = draw(st.integers(1, 30))
        actors.append(actor)
    events = []
    if draw(st.booleans()):
        events.append({"day": draw(st.integers(0, days - 1)), "type": "ban",
                       "country": countries[0], "vpn_share": draw(st.floats(0, 1))})
    if draw(st.booleans()):
        events.append({"day": 0, "type": "coordinated_network", "id": "net",
                       "country": countries[-1], "accounts": draw(st.integers(1, 40)),
                       "languages": ["en"], "claim": "rumour", "posts_per_account_per_day": 3,
                       "burst_window_minutes": 10, "targets": ["all"]})
    if draw(st.booleans()):
        events.append({"day": draw(st.integers(0, days - 1)), "type": "policy",
                       "ranking": draw(st.sampled_from(RANKINGS)), "fact_check": True})
    return {"name": "h", "seed": draw(st.integers(0, 2**32)), "duration_days": days,
            "world": {"users": draw(st.integers(len(countries), 3000)), "countries": countries},
            "platform": {"ranking": draw(st.sampled_from(RANKINGS)),
                         "moderation": {"fact_check": draw(st.booleans())}},
            "issues": [{"id": "war", "negative": "no", "positive": "yes"}],
            "claims": [{"id": "rumour", "true": False}], "actors": actors, "events": events}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(scenarios())
def test_counts_and_opinions_stay_in_range(tmp_path_factory, data):
    out = run(data, tmp_path_factory.mktemp("h"))
    (neg, over_imp, over_done) = query(out, """
        SELECT count(*) FILTER (WHERE least(impressions, completions, likes, comments, shares) < 0),
               count(*) FILTER (WHERE completions > impressions),
               count(*) FILTER (WHERE shares > completions) FROM posts""")[0]
    assert (neg, over_imp, over_done) == (0, 0, 0)
    assert query(out, "SELECT count(*) FROM exposures WHERE completions > impressions "
                      "OR impressions <= 0 OR unique_viewers > impressions")[0][0] == 0
    # distinct daily viewers of an actor lie between its busiest post-hour (all distinct users)
    # and its impressions (every impression a different user), and never exceed the country
    assert query(out, """
        WITH h AS (SELECT p.actor::VARCHAR AS actor, e.country::VARCHAR AS country, e.day,
                          max(e.impressions) AS top_hour, sum(e.impressions) AS impressions
                   FROM exposures e JOIN posts p USING (post) WHERE p.actor IS NOT NULL
                   GROUP BY ALL),
             n AS (SELECT country, max(n) AS users FROM attitudes GROUP BY country)
        SELECT count(*) FROM h FULL JOIN audience a USING (actor, country, day)
        JOIN n USING (country)
        WHERE a.unique_viewers IS NULL OR h.impressions IS NULL
           OR a.unique_viewers < h.top_hour OR a.unique_viewers > h.impressions
           OR a.unique_viewers > n.users""")[0][0] == 0
    bounds = dict(query(out, "SELECT kind, [min(min), max(max)] FROM attitudes WHERE n > 0 "
                             "GROUP BY kind"))
    for kind, (lo, hi) in bounds.items():
        limit = (0.0, 1.0) if kind == "belief" else (-1.0, 1.0)
        assert limit[0] <= lo <= hi <= limit[1], (kind, lo, hi)


def _hashes(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob("*.parquet"))}


def test_same_seed_same_bytes_on_one_or_two_threads(tmp_path):
    hashes = []
    for threads in ("1", "2"):
        out = tmp_path / f"t{threads}"
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        subprocess.run([sys.executable, "-m", "diplosim.cli", "run", str(EXAMPLE), "--quiet",
                        "--out", str(out), "--set", "world.users=5000"], env=env, check=True,
                       timeout=600)
        hashes.append(_hashes(out))
    assert len(hashes[0]) == 9  # the seven tables and the two by age group
    assert hashes[0] == hashes[1]


def test_same_bytes_when_a_tick_is_played_in_many_chunks(tmp_path, monkeypatch):
    """A tick's users played in chunks of 97 (the kernel's output booked chunk by chunk, the
    country blocks of exposure rows carried across chunks) give the bytes of one chunk."""
    import diplosim.engine.engine as engine
    from diplosim.scenario import load_scenario

    scenario = load_scenario(EXAMPLE, ["world.users=5000"])
    engine.simulate(scenario, tmp_path / "whole")
    monkeypatch.setattr(engine, "CHUNK_USERS", 97)
    calls = []
    kernel = engine.run_sessions
    monkeypatch.setattr(engine, "run_sessions", lambda *a: calls.append(1) or kernel(*a))
    engine.simulate(scenario, tmp_path / "chunked")
    assert len(calls) > 24 * 14 * 2  # several chunks every hour
    assert _hashes(tmp_path / "chunked") == _hashes(tmp_path / "whole")
    assert len(_hashes(tmp_path / "whole")) == 9
