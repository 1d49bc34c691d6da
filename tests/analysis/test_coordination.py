"""The coordination detector: hand-made co-actions, the QUT toolkit as an oracle on real data,
and recovery of a planted network in a simulated run."""

from __future__ import annotations

import csv
import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplosim.analysis.coordination import (
    Actions,
    _co_compiled,
    account_stats,
    bursts,
    co_action_pairs,
    coordination,
    groups,
    sorted_co_actions,
    text_clusters,
)
from diplosim.analysis.run import load_run
from diplosim.ingest.formats import load_map
from diplosim.ingest.importer import import_files
from tests.conftest import EXAMPLE_TEXT, ROOT
from tests.engine.conftest import scenario_of

RUSSIAN = "coordination/russian_coord_tweets.csv"


def _actions(rows):
    names = np.array(sorted({r[0] for r in rows}), dtype=object)
    index = {n: i for i, n in enumerate(names)}
    return Actions(names, np.array([index[r[0]] for r in rows]), np.array([r[1] for r in rows]),
                   np.array([r[2] for r in rows]))


def test_pairs_by_hand():
    # object 0: a at 0, b at 5, c at 11 -> (a,b) within 10 s, (b,c) within 10 s, (a,c) not;
    # object 1: a at 100, b at 110 (inclusive: counts), a again at 105 (same account: no pair)
    net = co_action_pairs(_actions([("a", 0, 0), ("b", 0, 5), ("c", 0, 11), ("a", 1, 100),
                                    ("b", 1, 110), ("a", 1, 105)]), window=10)
    assert net.rows() == [{"account_a": "a", "account_b": "b", "weight": 3},
                          {"account_a": "b", "account_b": "c", "weight": 1}]
    assert co_action_pairs(_actions([("a", 0, 0), ("b", 0, 5)]), 10, min_weight=2).rows() == []
    stats = {r["account"]: r for r in account_stats(net)}
    assert stats["b"]["degree"] == 2 and stats["b"]["weight"] == 4
    assert stats["a"]["component_size"] == 3


def _planted(seed: int = 7):
    """Ten cliques of eight accounts acting on their own objects, with a few chance co-actions
    between cliques."""
    rng = np.random.default_rng(seed)
    rows = [(f"g{g}m{m}", 100 * g + r, 10 * r + m) for g in range(10) for r in range(5)
            for m in range(8)]
    rows += [(f"g{rng.integers(10)}m{rng.integers(8)}", 5000 + k, int(rng.integers(30)))
             for k in range(120)]
    return co_action_pairs(_actions(rows), 60)


def test_groups_are_leiden_communities_seeded_with_their_modularity():
    import networkx as nx

    net = _planted()
    g = groups(net, seed=3)
    again = groups(net, seed=3)
    for key in ("component", "community"):  # the same groups on every run
        np.testing.assert_array_equal(g[key], again[key])
    labels = g["community"]
    members = [{i for i in range(len(labels)) if labels[i] == c} for c in range(labels.max() + 1)]
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(net.a.tolist(), net.b.tolist(), net.weight.tolist(),
                                      strict=True))
    assert g["modularity"] == pytest.approx(nx.community.modularity(graph, members))
    louvain = nx.community.louvain_communities(graph, weight="weight", seed=3)
    assert g["modularity"] >= nx.community.modularity(graph, louvain) - 1e-9
    # each planted clique is one community
    for clique in range(10):
        assert len({labels[np.flatnonzero(net.accounts == f"g{clique}m{m}")[0]]
                    for m in range(8)}) == 1
    empty = groups(co_action_pairs(_actions([("a", 0, 0)]), 60))
    assert empty["modularity"] == 0.0 and (empty["community"] == -1).all()


def test_near_duplicate_texts_cluster_and_others_do_not():
    base = "They hide the truth about biolabs! Share before it is deleted #wakeup"
    texts = [base, base.replace("truth", "facts"), base + " now", "A recipe for borscht with "
             "beetroot, cabbage and dill, my grandmother's way", "Football results tonight"]
    c = text_clusters(texts, threshold=0.5)
    assert c[0] == c[2]            # one extra word: near-duplicate
    assert len({c[0], c[3], c[4]}) == 3


@pytest.fixture(scope="module")
def russian(shared_data, tmp_path_factory):
    into = tmp_path_factory.mktemp("ru") / "imported"
    result = import_files("csv", [shared_data / RUSSIAN], into,
                          load_map(ROOT / "maps" / "russian_coord_tweets.yaml"))
    return into, result


def _toolkit_pairs(csv_path, tmp_path, window=10):
    from coordination_network_toolkit.compute_networks import compute_co_retweet_parallel
    from coordination_network_toolkit.preprocess import preprocess_data

    db = str(tmp_path / "oracle.db")
    with open(csv_path, encoding="utf-8") as f:
        rows = [(r["content_id"], r["account_id"], r["account_id"], r["object_id"], "", "",
                 r["timestamp_share"], []) for r in csv.DictReader(f)]
    preprocess_data(db, rows)
    compute_co_retweet_parallel(db, window, n_threads=1, min_edge_weight=1)
    con = sqlite3.connect(db)
    return {tuple(sorted(p)) for p in con.execute(
        "SELECT user_1, user_2 FROM co_retweet_network WHERE user_1 != user_2")}


def test_co_retweet_pairs_equal_the_qut_toolkit(russian, shared_data, tmp_path):
    into, result = russian
    assert result.rows == 35_125 and result.loaded + result.rejected + result.duplicates == 35_125
    ours = coordination(load_run(into), "shared_object", window=10, min_weight=1)
    pairs = {(r["account_a"], r["account_b"]) for r in ours.rows()}
    assert all(a < b for a, b in pairs)
    oracle = _toolkit_pairs(shared_data / RUSSIAN, tmp_path)
    assert len(oracle) > 1000
    assert pairs == oracle


def test_planted_network_is_recovered(tmp_path):
    import yaml

    from diplosim.engine.engine import simulate

    data = yaml.safe_load(EXAMPLE_TEXT)
    simulate(scenario_of(data, ["world.users=20000"]), tmp_path / "run")
    run = load_run(tmp_path / "run")
    truth = {a for (a,) in run.con.execute(
        "SELECT account::VARCHAR FROM accounts WHERE inauthentic").fetchall()}
    assert len(truth) == 200
    net = coordination(run)  # the default detector
    flagged = set(net.accounts[net.a]) | set(net.accounts[net.b])
    hit = len(flagged & truth)
    precision, recall = hit / len(flagged), hit / len(truth)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_bursts_find_a_jump(tmp_path):
    from tests.report.conftest import write_folder

    # #calm: 2 posts an hour for two days; #storm: 2 an hour, then 40 in hour 30
    times, tags = [], []
    for h in range(48):
        times += [h * 3600 + 10, h * 3600 + 20]
        tags += [["#calm"], ["#storm"]]
    times += [30 * 3600 + k for k in range(100, 140)]
    tags += [["#storm"]] * 40
    n = len(times)
    folder = write_folder(tmp_path / "b", {"posts": {
        "post": [str(i) for i in range(n)], "account": [f"u{i % 7}" for i in range(n)],
        "time": times, "hashtags": tags}}, {"completed": True})
    found = bursts(load_run(folder), "hashtag")
    assert found == [{"object": "#storm", "start": 30 * 3600, "end": 31 * 3600, "peak": 41,
                      "actions": 41}]


def test_the_report_gives_the_window_the_export_itself_suggests(russian, shared_data):
    from diplosim.report.coordination import coordination_network

    # the rule read plainly from the CSV (each content id once), not through the import
    times: dict[str, list[float]] = {}
    seen = set()
    with open(shared_data / RUSSIAN, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["content_id"] not in seen:
                seen.add(row["content_id"])
                times.setdefault(row["object_id"], []).append(float(row["timestamp_share"]))
    many = [sorted(ts) for ts in times.values() if len(ts) >= 2]
    cut = np.quantile([ts[1] - ts[0] for ts in many], 0.1)
    secs = [ts[next(r for r in range(1, len(ts) + 1) if r / len(ts) > 0.5) - 1] - ts[0]
            for ts in many if ts[1] - ts[0] <= cut]
    expected = max(float(np.median(secs)), 1.0)
    section = coordination_network(load_run(russian[0]))
    note = next(n for n in section.notes if n.startswith("Window estimated from this data"))
    assert f": {expected:g} s, the median time the quickest {len(secs):,} of {len(many):,} " \
        "shared objects" in note


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4), st.integers(0, 50)),
                max_size=60),
       st.sampled_from([0, 0.5, 1, 7, 30, 1000]))
def test_the_vectorised_co_actions_equal_the_compiled_scan(rows, window):
    act = _actions([(f"u{a}", o, t) for a, o, t in rows]) if rows else Actions.empty()
    order, i, j = sorted_co_actions(act, window)
    same = _co_compiled(order, act.obj[order], act.time[order], act.account[order], window)
    np.testing.assert_array_equal(i, same[1])
    np.testing.assert_array_equal(j, same[2])
