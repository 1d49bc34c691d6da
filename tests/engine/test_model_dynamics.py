"""Issue 30's mechanisms in numbers, on the real engine: polled baselines, content that
portrays countries up or down, trust that depends on the viewer's view of the source, and
everyday contact that warms only up to a ceiling."""

from __future__ import annotations

import pytest

from diplosim.opinion.persuasion import contact_step, favourability_step, source_trust
from diplosim.parameters import resolve_parameters
from tests.engine.conftest import query, run

BASE = {"name": "t", "seed": 5, "duration_days": 3,
        # a world that is the whole platform (sampling fraction 1): the accounts a scenario
        # names reach the simulated users at full strength, so their mechanisms show at 20,000
        # users (in a sample of the real platform they reach it as rarely as they would)
        "world": {"users": 20000, "countries": ["US", "GB"],
                  "platform_users": {"US": 17432, "GB": 2568}},  # the table's US:GB ratio
        "issues": [{"id": "war", "negative": "against", "positive": "for"}]}


def _mean(out, kind: str, country: str, subject: str, day: str = "first") -> float:
    order = "ASC" if day == "first" else "DESC"
    return query(out, f"SELECT mean FROM attitudes WHERE kind = '{kind}' AND country = "
                      f"'{country}' AND subject = '{subject}' ORDER BY day {order} LIMIT 1")[0][0]


def test_polled_baselines_set_where_each_public_starts(tmp_runs):
    """Shares on each side, a mean and spread, and a favourability poll, each where the poll
    puts it on day 0 (sides uniform in [floor, 1]: a mean magnitude of (1 + floor) / 2)."""
    data = dict(BASE, duration_days=1)
    data["issues"] = [{"id": "war", "negative": "against", "positive": "for", "baselines": [
        {"country": "US", "positive": 0.8, "negative": 0.1, "source": "a test poll"},
        {"country": "GB", "mean": -0.5, "sd": 0.1, "source": "another test poll"}]}]
    data["actors"] = [{"id": "fr", "type": "embassy", "country": "FR", "host_country": "US",
                       "languages": ["en"]}]
    data["world"] = dict(data["world"], favourability=[
        {"viewer": "US", "focal": "FR", "favourable": 0.1, "unfavourable": 0.8,
         "source": "a test poll"}])
    out = run(data, tmp_runs)
    side = (1 + 0.2) / 2  # stance_side_floor 0.2
    assert _mean(out, "stance", "US", "war") == pytest.approx(0.8 * side - 0.1 * side, abs=0.02)
    assert _mean(out, "stance", "GB", "war") == pytest.approx(-0.5, abs=0.01)
    fav = (1 + 0.1) / 2  # attitude_opinion_floor 0.1
    assert _mean(out, "favourability", "US", "FR") == pytest.approx(0.1 * fav - 0.8 * fav,
                                                                    abs=0.02)


def _attack(tmp_runs, valence: float | None) -> tuple[float, float]:
    """US favourability toward FR on day 0 and at the end, with GB's foreign ministry posting
    to the US a video that portrays FR at ``valence`` (None: no such campaign)."""
    campaign = {"id": "ads", "posts_per_day": 24, "content_mix": {"news": 1.0},
                "topics": ["politics"], "targets": ["US"], "appeal": 0.8}
    if valence is not None:
        campaign["portrays"] = {"FR": valence}
    actors = [{"id": "gb", "type": "foreign_ministry", "country": "GB", "languages": ["en"],
               "campaigns": [campaign]},
              {"id": "fr", "type": "embassy", "country": "FR", "host_country": "US",
               "languages": ["en"]}]
    out = run(dict(BASE, actors=actors), tmp_runs)
    return _mean(out, "favourability", "US", "FR"), _mean(out, "favourability", "US", "FR",
                                                         "last")


def test_an_attack_campaign_lowers_the_view_of_the_country_it_portrays(tmp_runs):
    start, control = _attack(tmp_runs, None)
    _, attacked = _attack(tmp_runs, -0.9)
    _, praised = _attack(tmp_runs, 0.9)
    assert attacked < start - 0.002, (start, attacked)
    assert attacked < control < praised, (attacked, control, praised)


def _state_media(tmp_runs, favourable: float, unfavourable: float,
                 floor: float = 0.1) -> tuple[float, float]:
    actors = [{"id": "rt", "type": "state_media", "country": "RU", "languages": ["en"],
               "campaigns": [{"id": "news", "posts_per_day": 24, "content_mix": {"news": 1.0},
                              "topics": ["politics"], "targets": ["US"], "appeal": 0.8}]}]
    data = dict(BASE, actors=actors, world=dict(BASE["world"], favourability=[
        {"viewer": "US", "focal": "RU", "favourable": favourable,
         "unfavourable": unfavourable, "source": "a test poll"}]),
        parameters={"attitude_opinion_floor": floor})
    out = run(data, tmp_runs)
    return _mean(out, "favourability", "US", "RU"), _mean(out, "favourability", "US", "RU",
                                                         "last")


def test_a_hostile_public_is_warmed_less_by_the_other_sides_state_media(tmp_runs):
    """Persuasion in parallel: Russian state media moves a public hostile to Russia (every
    opinion below -0.6) toward it, but less than a public without a view, and a friendly
    public (above 0.6) by less again (it is near the end of the scale); nobody moves away."""
    hostile = _state_media(tmp_runs, 0.0, 1.0, floor=0.6)
    neutral = _state_media(tmp_runs, 0.0, 0.0, floor=0.3)  # all in (-0.3, 0.3)
    friendly = _state_media(tmp_runs, 1.0, 0.0, floor=0.6)
    moves = {k: end - start for k, (start, end) in
             (("hostile", hostile), ("neutral", neutral), ("friendly", friendly))}
    assert all(m > 0 for m in moves.values()), moves
    assert moves["hostile"] < moves["neutral"], moves
    assert moves["friendly"] < moves["neutral"], moves


def test_trust_and_contact_rules():
    assert source_trust(0.0, 0.5, 0.5) == 1.0
    assert source_trust(1.0, 0.5, 0.5) == pytest.approx(1.5)
    assert source_trust(-0.5, 0.5, 0.5) == pytest.approx(0.75)
    assert source_trust(-1.0, 0.5, 0.5) == pytest.approx(0.5)
    # a warming step stops at the ceiling, and never lowers a viewer above it
    free = favourability_step(0.29, 1.0, 1.0, 0.5, 0.0, 10.0)
    assert free > 0.3
    assert contact_step(0.29, 1.0, 1.0, 0.5, 0.0, 10.0, 0.3) == pytest.approx(0.3)
    assert contact_step(0.6, 1.0, 1.0, 0.5, 0.0, 10.0, 0.3) == pytest.approx(0.6)
    # a cooling step (political content against the viewer) is not capped
    assert contact_step(0.0, -1.0, 1.0, 0.5, 0.0, 10.0, 0.3) < 0.0


def test_everyday_videos_warm_a_neutral_public_only_up_to_the_ceiling(tmp_runs):
    """Ordinary GB users' videos seen in the US: US favourability toward GB rises from its
    neutral start (exactly 0), and stays at or under a low ceiling where one is set."""
    actors = [{"id": "gb", "type": "embassy", "country": "GB", "host_country": "US",
               "languages": ["en"]}]
    poll = [{"viewer": "US", "focal": "GB", "favourable": 0.0, "unfavourable": 0.0,
             "source": "a test poll: nobody with a view"}]
    ends = {}
    for ceiling in (0.6, 0.02):
        data = dict(BASE, actors=actors, world=dict(BASE["world"], favourability=poll),
                    parameters={"contact_ceiling": ceiling, "everyday_favourability_factor": 1.0,
                                "attitude_opinion_floor": 0.0})  # everyone starts at 0
        out = run(data, tmp_runs)
        ends[ceiling] = _mean(out, "favourability", "US", "GB", "last")
        start = _mean(out, "favourability", "US", "GB")
        assert ends[ceiling] > start
    assert ends[0.02] <= 0.02 + 1e-6
    assert ends[0.6] > ends[0.02]


def test_a_national_information_environment(tmp_runs):
    """From day 1 the US sees only US accounts, and accounts based in GB stop posting except
    the exempt actor's: the rows of the event log say so, hour by hour."""
    actors = [{"id": "gb_news", "type": "state_media", "country": "GB", "languages": ["en"],
               "campaigns": [{"id": "news", "posts_per_day": 12, "topics": ["news"]}]},
              {"id": "gb_gov", "type": "foreign_ministry", "country": "GB", "languages": ["en"],
               "campaigns": [{"id": "msg", "posts_per_day": 12, "topics": ["politics"]}]}]
    events = [{"day": 1, "type": "policy", "countries": ["US"], "foreign_content": False},
              {"day": 1, "type": "policy", "countries": ["GB"], "uploads": False,
               "exempt": ["gb_news"]}]
    out = run(dict(BASE, actors=actors, events=events), tmp_runs)
    seen = dict(query(out, "SELECT e.day >= 1, sum(e.impressions) FROM exposures e JOIN posts p "
                           "USING (post) JOIN accounts a ON a.account = p.account WHERE "
                           "e.country = 'US' AND a.country <> 'US' GROUP BY 1"))
    assert seen[False] > 1000 and seen.get(True, 0) == 0, seen
    us_after = query(out, "SELECT sum(impressions) FROM exposures WHERE country = 'US' AND "
                          "day >= 1")[0][0]
    assert us_after > 1000  # US users still watch: their own country's videos
    posts = dict(query(out, "SELECT coalesce(p.actor, 'users'), count(*) FROM posts p JOIN "
                            "accounts a ON a.account = p.account WHERE a.country = 'GB' AND "
                            "p.day >= 1 GROUP BY 1"))
    assert posts == {"gb_news": 24}, posts
    before = query(out, "SELECT count(*) FROM posts p JOIN accounts a ON a.account = "
                        "p.account WHERE a.country = 'GB' AND p.day = 0")[0][0]
    # on day 0 the actors' 24 and the British users' own, about 2,568 x 0.02 = 51
    assert before - 24 > 0.5 * 2568 * resolve_parameters({})["creator_posts_per_day"]


def _posts(tmp_runs, fading: dict, added: float = 0.5) -> tuple[dict[int, int], dict[int, int]]:
    """Users' posts per day on the crisis's topic, and on every topic, in the crisis's
    countries."""
    crisis = {"day": 1, "type": "crisis", "topic": "conflict", "countries": ["US", "GB"],
              "interest_multiplier": 20, "duration_days": 4, **fading}
    # posting four times the calibrated rate: the mechanism, not the calibration, under test
    out = run(dict(BASE, duration_days=5, events=[crisis],
                   parameters={"creator_posts_per_day": 0.08, "crisis_added_share": added}),
              tmp_runs)
    rows = query(out, "SELECT p.day, p.topic = 'conflict', count(*) FROM posts p JOIN accounts "
                      "a ON a.account = p.account WHERE p.actor IS NULL AND a.country IN "
                      "('US', 'GB') GROUP BY ALL")
    topic = {d: n for d, on, n in rows if on}
    every = {d: sum(n for e, _, n in rows if e == d) for d in topic}
    return topic, every


def test_attention_rises_with_a_crisis_and_fades_as_published(tmp_runs):
    """Ordinary users post about a crisis's topic as attention stands: many more posts on the
    crisis's first day; with a one-day half-life fewer each day; held (``fades: false``) no
    fading; by default the published fade, three days on still 75% of the extra interest
    (0.5 ** (3 / 7.28)), between the two."""
    fading, _ = _posts(tmp_runs, {"half_life_days": 1.0})
    assert fading[1] > 2 * fading[0], fading
    assert fading[3] < 0.6 * fading[1] and fading[4] < fading[3], fading
    held, _ = _posts(tmp_runs, {"fades": False})
    assert held[1] > 2 * held[0] and held[4] > 0.8 * held[1], held
    published, _ = _posts(tmp_runs, {})
    assert fading[4] < published[4] < held[4], (fading, published, held)
    assert 0.6 < published[4] / published[1] < 0.95, published


def test_half_of_a_crisis_extra_attention_adds_posts(tmp_runs):
    """With ``crisis_added_share`` 0 a crisis only moves users' posts to its topic (the day's
    total within noise of the day before); with 1 every extra post on it is an added one (the
    total rises by as many posts as the topic gains)."""
    held = {"fades": False}
    topic0, every0 = _posts(tmp_runs, held, 0.0)
    topic1, every1 = _posts(tmp_runs, held, 1.0)
    assert topic0[2] > 2 * topic0[0], topic0
    assert abs(every0[2] - every0[0]) < 4 * every0[0] ** 0.5 + 0.05 * every0[0], every0
    gained = topic1[2] - topic1[0]
    assert every1[2] - every1[0] == pytest.approx(gained, rel=0.25), (every1, topic1)
