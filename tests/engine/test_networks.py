"""A coordinated network is reported by name like an actor (issue 50): its posts, accounts and
distinct viewers carry its id, so the summary, the actors table, ``compare`` and every measure
see it; and a measure naming nothing in the scenario is refused before anything runs."""

from __future__ import annotations

import pytest

from diplosim.analysis.measures import check_measure, parse_measure
from diplosim.analysis.reach import actor_ranking, engagement_rate
from diplosim.analysis.run import load_run
from diplosim.errors import DiplosimError
from tests.engine.conftest import query, run, scenario_of

NET_ACCOUNTS, NET_POSTS_PER_DAY, DAYS = 40, 3, 3
SCENARIO = {
    "name": "net", "seed": 5, "duration_days": DAYS, "start": "2022-03-01",
    "world": {"users": 3000, "countries": ["US", "BR"]},
    "issues": [{"id": "war", "negative": "no", "positive": "yes"}],
    "claims": [{"id": "rumour", "true": False}],
    "actors": [{"id": "emb", "type": "embassy", "country": "JP", "host_country": "BR",
                "languages": ["pt"], "audience": {"views_per_post": 5000, "source": "a test"},
                "campaigns": [{"id": "c", "posts_per_day": 4, "targets": ["BR"]}]}],
    "events": [{"day": 1, "type": "coordinated_network", "id": "net", "country": "RU",
                "accounts": NET_ACCOUNTS, "languages": ["en"], "claim": "rumour",
                "posts_per_account_per_day": NET_POSTS_PER_DAY, "burst_window_minutes": 10,
                "targets": ["US", "BR"]}],
}


@pytest.fixture(scope="module")
def net_run(tmp_path_factory):
    return run(SCENARIO, tmp_path_factory.mktemp("net"))


def test_a_networks_posts_accounts_and_viewers_carry_its_id(net_run):
    # every post of the network's accounts, and nothing else, is the network's
    (by_author,) = query(net_run, "SELECT count(*) FROM posts p JOIN accounts a USING (account) "
                                  "WHERE a.network = 'net'")[0:1]
    (by_id,) = query(net_run, "SELECT count(*) FROM posts WHERE actor = 'net'")[0:1]
    assert by_id == by_author and by_id[0] == NET_ACCOUNTS * NET_POSTS_PER_DAY * (DAYS - 1)
    assert query(net_run, "SELECT count(*), min(kind), min(actor_type) FROM accounts "
                          "WHERE actor = 'net'") == [(NET_ACCOUNTS, "network", "network")]
    # its impressions by measure equal the exposures of its accounts' posts, by SQL
    (truth,) = query(net_run, "SELECT sum(e.impressions) FROM exposures e JOIN posts p "
                              "USING (post) JOIN accounts a USING (account) "
                              "WHERE a.network = 'net'")[0]
    assert truth > 0 and parse_measure("impressions:net")(load_run(net_run)) == truth
    # distinct viewers per day: at least one, never more than its impressions that day
    days = query(net_run, """
        SELECT a.day, a.uv, i.imp FROM
          (SELECT day, sum(unique_viewers) AS uv FROM audience WHERE actor = 'net' GROUP BY 1) a
        JOIN (SELECT e.day, sum(e.impressions) AS imp FROM exposures e JOIN posts p
              USING (post) WHERE p.actor = 'net' GROUP BY 1) i USING (day) ORDER BY 1""")
    assert days and all(0 < uv <= imp for _, uv, imp in days)


def test_the_actors_table_lists_the_network_and_the_totals_add_up(net_run):
    r = load_run(net_run)
    ranking = {row["actor"]: row for row in actor_ranking(r)}
    assert ranking["net"]["type"] == "network" and ranking["net"]["accounts"] == NET_ACCOUNTS
    rates = {row["actor"]: row for row in engagement_rate(r)}
    (total,) = query(net_run, "SELECT sum(impressions) FROM posts")[0]
    assert sum(row["impressions"] for row in rates.values()) == total
    assert rates["net"]["impressions"] == parse_measure("impressions:net")(r)


@pytest.mark.parametrize(("spec", "says"), [
    ("impressions:jp_embassy", "no actor or network 'jp_embassy' (its actors and networks: "
                               "emb, net)"),
    ("impressions:emb:US,XX", "no country 'XX' (its countries: US, BR)"),
    ("positive_share:wat", "no issue 'wat' (its issues: war)"),
    ("believing:rumor", "no claim 'rumor' (its claims: rumour)"),
    ("topic_posts:sport", "no topic 'sport'"),
    ("favourability_change:FR", "no focal country 'FR' (its focal countries: JP, RU)"),
])
def test_a_measure_naming_nothing_in_the_scenario_is_refused(spec, says):
    with pytest.raises(DiplosimError) as e:
        check_measure(spec, scenario_of(SCENARIO))
    assert says in str(e.value)


def test_measures_naming_what_the_scenario_has_pass():
    s = scenario_of(SCENARIO)
    for spec in ("impressions:net:us,BR", "impressions", "daily_viewers:emb",
                 "positive_share:war:US", "believing:rumour", "favourability_change:JP",
                 "metric:run/impressions"):
        check_measure(spec, s)


def test_each_actors_top_posts_with_their_dates(net_run):
    from diplosim.analysis.folder_summary import top_posts

    rows = top_posts(load_run(net_run), per_actor=2)
    assert {r["actor"] for r in rows} == {"emb", "net"}
    assert all(sum(r["actor"] == a for r in rows) == 2 for a in ("emb", "net"))
    days = {0: "2022-03-01", 1: "2022-03-02", 2: "2022-03-03"}
    assert all(r["date"] == days[r["day"]] for r in rows)
    best = query(net_run, "SELECT max(platform_views) FROM posts WHERE actor = 'net'")[0][0]
    assert max(r["platform_views"] for r in rows if r["actor"] == "net") == best


def test_views_per_post_beside_the_published_audience(net_run):
    from diplosim.analysis.audience import published_reach
    from diplosim.analysis.folder_summary import folder_summary, summary_tables

    (row,) = published_reach(load_run(net_run))
    ((posts, views),) = query(net_run, "SELECT count(*), sum(platform_views) FROM posts "
                                       "WHERE actor = 'emb'")
    assert row["actor"] == "emb" and row["posts"] == posts == 4 * DAYS
    assert row["platform_views_per_post"] == pytest.approx(views / posts)
    assert row["published_views_per_post"] == 5000 and row["source"] == "a test"
    assert row["platform_over_published"] == pytest.approx(views / posts / 5000)
    assert summary_tables(folder_summary(net_run))["published_audience"] == [row]


def test_a_networks_start_is_an_event_with_its_effects(net_run):
    from diplosim.analysis.events import event_effects

    rows = {r["measure"]: r for r in event_effects(load_run(net_run))
            if r["event"] == "coordinated_network"}
    imp = rows["net impressions"]
    (after,) = query(net_run, "SELECT sum(e.impressions) / 2 FROM exposures e JOIN posts p "
                              "USING (post) WHERE p.actor = 'net' AND e.day IN (1, 2)")[0]
    assert imp["before"] == 0 and imp["after"] == after > 0  # it starts on day 1
    # attitudes' day d is the state at the end of day d - 1 (day 0: the start): the two days
    # before the network (days -1 and 0) are attitude days 0 and 1, the two from it 2 and 3
    share = dict(query(net_run, "SELECT day, sum(n * share_pos) / sum(n) FROM attitudes "
                                "WHERE kind = 'belief' GROUP BY day"))
    belief = rows["belief in rumour (share) in its targets"]
    assert belief["before"] == pytest.approx((share[0] + share[1]) / 2)
    assert belief["after"] == pytest.approx((share[2] + share[3]) / 2)


def test_event_effects_over_seeds_give_the_change_with_its_interval(tmp_path):
    from diplosim.analysis.events import event_effects, event_effects_over_seeds
    from diplosim.analysis.uncertainty import estimate

    runs = [load_run(run({**SCENARIO, "seed": seed}, tmp_path)) for seed in (1, 2, 3)]
    rows = {r["measure"]: r for r in event_effects_over_seeds(runs)}
    one = [{r["measure"]: r for r in event_effects(x)} for x in runs]
    imp = rows["net impressions"]
    changes = [o["net impressions"]["change"] for o in one]
    assert imp["seeds"] == 3 and imp["change"] == pytest.approx(sum(changes) / 3)
    e = estimate(changes)
    assert (imp["change_low"], imp["change_high"]) == pytest.approx((e.low, e.high))
    assert imp["distinguishable"] == (e.low > 0)  # the network starts from nothing
