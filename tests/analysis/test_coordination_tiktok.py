"""Coordination on TikTok's own objects (sounds, hashtag sets, mentions, several at once), with
the evidence behind each pair, each edge's symmetry and the curve over windows."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from diplosim.analysis.coordination import Actions, actions, co_action_pairs, groups
from diplosim.analysis.coordination_evidence import (
    edge_symmetry,
    estimate_interval,
    evidence,
    window_curve,
)
from diplosim.analysis.run import load_run
from diplosim.cli import app
from diplosim.ingest.importer import import_files

T0 = 1_700_000_000


def _v(i, user, t, music=None, tags=(), text=""):
    return {"id": str(7_300_000_000_000_000_000 + i), "create_time": T0 + t, "username": user,
            "video_description": text, "hashtag_names": list(tags), "view_count": 10,
            "music_id": music}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tiktok")
    v, k = [], 0

    def add(*args, **kw):
        nonlocal k
        v.append(_v(k, *args, **kw))
        k += 1

    for r in range(3):  # a and b post the same sound within 20 s, three times
        add("a", 10_000 * r, music=f"s{r}", tags=("x", "y"))
        add("b", 10_000 * r + 20, music=f"s{r}", tags=("y", "x"))  # the same set, reordered
    for r in range(6):  # h posts sound s9 six times in 50 s; c twice in the same minute
        add("h", 100_000 + 10 * r, music="s9")
    add("c", 100_015, music="s9")
    add("c", 100_045, music="s9", text="look @target")
    add("d", 100_050, text="also @target")
    add("d", 200_000, tags=("solo",))  # one tag: not a set
    add("e", 200_001, tags=("solo",))
    add("a", 300_000, music="s5")  # the same sound a day later: outside any window
    add("b", 390_000, music="s5")
    (tmp / "v.json").write_text(json.dumps({"data": {"videos": v}}))
    import_files("tiktok", [tmp / "v.json"], tmp / "d")
    return tmp / "d"


def _pairs(net):
    return {(r["account_a"], r["account_b"]): r["weight"] for r in net.rows()}


def test_sounds_sets_mentions_and_several_kinds_at_once(folder):
    run = load_run(folder)
    sound = _pairs(co_action_pairs(actions(run, "sound"), 60, 1))
    assert sound[("a", "b")] == 3 and ("a", "b") in sound
    # c's two posts (at 15 s and 45 s) each fall within 60 s of all six of h's (0 to 50 s)
    assert sound[("c", "h")] == 2 * 6
    sets = _pairs(co_action_pairs(actions(run, "hashtag_set"), 60, 1))
    assert sets == {("a", "b"): 3}  # order does not matter; a single tag is not a set
    mention = _pairs(co_action_pairs(actions(run, "mention"), 60, 1))
    assert mention == {("c", "d"): 1}
    both = _pairs(co_action_pairs(actions(run, "sound,hashtag_set"), 60, 1))
    assert both[("a", "b")] == 6  # a pair's weight counts co-actions of either kind
    with pytest.raises(ValueError, match="comma-separated"):
        actions(run, "sound,colour")


def test_the_evidence_is_every_co_action_of_the_kept_pairs(folder):
    run = load_run(folder)
    act = actions(run, "sound", with_posts=True)
    net = co_action_pairs(act, 60, 2)
    rows = evidence(act, net, 60)
    assert len(rows) == int(net.weight.sum())
    ab = [r for r in rows if (r["account_a"], r["account_b"]) == ("a", "b")]
    assert [r["object"] for r in ab] == ["s0", "s1", "s2"]
    assert all(r["seconds_apart"] == 20 and r["time_b"] - r["time_a"] == 20 for r in ab)
    assert ab[0]["post_a"] == "7300000000000000000" and ab[0]["post_b"] == "7300000000000000001"


def test_edge_symmetry_flags_the_edge_one_account_drives(folder):
    run = load_run(folder)
    act = actions(run, "sound", with_posts=True)
    net = co_action_pairs(act, 60, 2)
    sym = dict(zip(((r["account_a"], r["account_b"]) for r in net.rows()),
                   edge_symmetry(act, net, 60), strict=True))
    assert sym[("a", "b")] == 1.0  # three posts each
    assert sym[("c", "h")] == pytest.approx(2 / 6)  # c's 2 posts against h's 6


def test_the_window_curve_equals_a_detection_at_each_window(folder):
    run = load_run(folder)
    act = actions(run, "sound,hashtag_set,mention")
    windows = [1, 10, 20, 30, 60, 3600, 100_000]
    curve = window_curve(act, windows, 1)
    for row in curve:
        net = co_action_pairs(act, row["window"], 1)
        accounts = np.unique(np.concatenate([net.a, net.b]))
        assert row["pairs"] == net.a.size and row["accounts"] == accounts.size
        assert row["co_actions"] == int(net.weight.sum())
        component = groups(net)["component"]
        assert row["groups"] == (int(component.max()) + 1 if net.a.size else 0)
    assert [r["pairs"] for r in curve] == sorted(r["pairs"] for r in curve)
    assert curve[-1]["pairs"] > curve[0]["pairs"]


def test_the_command_writes_pairs_evidence_and_prints_the_curve(folder, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["coordination", str(folder), "--by", "sound", "--out",
                                 str(tmp_path / "p.csv"), "--evidence",
                                 str(tmp_path / "e.csv"), "--windows", "1,20,60"])
    assert result.exit_code == 0, result.output
    pairs = list(csv.DictReader((tmp_path / "p.csv").read_text(encoding="utf-8")
                                .splitlines()))
    assert {(p["account_a"], p["account_b"], p["symmetry"]) for p in pairs} == \
        {("a", "b", "1.000"), ("c", "h", "0.333")}
    ev = list(csv.DictReader((tmp_path / "e.csv").read_text(encoding="utf-8").splitlines()))
    assert len(ev) == 3 + 12
    assert "The network as the window grows" in result.output
    # two separate pairs: two groups, two communities, modularity 1 - sum of (w / total)^2
    w = np.array([int(p["weight"]) for p in pairs])
    assert f"2 pairs among 4 accounts in 2 connected groups, 2 communities (modularity " \
        f"{1 - ((w / w.sum()) ** 2).sum():.3f})" in " ".join(result.output.split())
    # sound s9's second action came 10 s after its first, the quickest tenth of the five
    # sounds used twice or more; its 5th of 8 actions (the first past half) came at 30 s
    assert "window estimated from this data (CooRnet's rule): 30 s, the median time the " \
        "quickest 1 of 5 objects" in " ".join(result.output.split())
    bad = runner.invoke(app, ["coordination", str(folder), "--by", "colour"])
    assert bad.exit_code == 2 and "comma-separated" in bad.output


def test_duets_and_near_duplicate_transcripts(tmp_path):
    """x and y duet the same two videos within seconds; p and q speak the same script
    (transcripts that differ by a word) 30 s apart, r says something else."""
    web = [{"id": str(100 + k), "createTime": T0 + t, "author": {"uniqueId": user}, "desc": "",
            "stats": {"playCount": 1}, "duetInfo": {"duetFromId": source}}
           for k, (user, t, source) in enumerate([
               ("src", 0, "0"), ("x", 100, "100"), ("y", 110, "100"),
               ("x", 5_000, "200"), ("y", 5_030, "200"), ("z", 90_000, "200")])]
    (tmp_path / "z.jsonl").write_text("\n".join(json.dumps({"data": w}) for w in web) + "\n")
    import_files("zeeschuimer", [tmp_path / "z.jsonl"], tmp_path / "d")
    run = load_run(tmp_path / "d")
    assert _pairs(co_action_pairs(actions(run, "duet"), 60, 1)) == {("x", "y"): 2}
    script = ("our embassy invites you and your family to the festival of friendship this "
              "weekend in the central park with music from both our countries food from our "
              "best cooks and games for the children so come and celebrate with us")
    videos = [_v(0, "p", 0) | {"voice_to_text": script},
              _v(1, "q", 30) | {"voice_to_text": script.replace("weekend", "saturday")},
              _v(2, "r", 40) | {"voice_to_text": "a recipe for dumplings with pork and chives"}]
    (tmp_path / "v.json").write_text(json.dumps({"data": {"videos": videos}}))
    import_files("tiktok", [tmp_path / "v.json"], tmp_path / "t")
    run = load_run(tmp_path / "t")
    assert _pairs(co_action_pairs(actions(run, "transcript"), 60, 1)) == {("p", "q"): 1}
    # the descriptions are empty: by text nothing ties them
    assert _pairs(co_action_pairs(actions(run, "text"), 60, 1)) == {}
    result = CliRunner().invoke(app, ["coordination", str(tmp_path / "d"), "--by", "duet",
                                      "--min-weight", "2"])
    assert result.exit_code == 0, result.output
    assert "x" in result.output and "y" in result.output


def _acts(times_by_object, shuffle_seed=None):
    obj = np.array([o for o, ts in enumerate(times_by_object) for _ in ts], np.int64)
    t = np.array([x for ts in times_by_object for x in ts], np.int64)
    if shuffle_seed is not None:
        order = np.random.default_rng(shuffle_seed).permutation(obj.size)
        obj, t = obj[order], t[order]
    return Actions(np.array(["u"], object), np.zeros(obj.size, np.int64), obj, t)


def test_the_interval_estimate_follows_coornets_rule_by_hand():
    # second actions after 2, 1, 300 and 10 s; the last object has one action only
    objects = [[0, 2, 4, 100], [0, 1, 50], [0, 300, 301], [10, 20], [5]]
    half = estimate_interval(_acts(objects, shuffle_seed=3), q=0.5)
    # the 0.5 quantile of (1, 2, 10, 300) is 6: objects 0 and 1; past half of their actions
    # at 4 s (3rd of 4) and 1 s (2nd of 3): median 2.5
    assert half == {"interval": 2.5, "objects": 4, "quickest": 2, "second_within": 6.0}
    every = estimate_interval(_acts(objects), q=1.0)
    assert every["interval"] == 7.0 and every["quickest"] == 4  # median of 4, 1, 300, 10
    # the default quickest tenth: the 0.1 quantile is 1.3, object 1 alone, 1 s
    assert estimate_interval(_acts(objects))["interval"] == 1.0
    # all at once: 0 s is raised to 1 s, as CooRnet does
    assert estimate_interval(_acts([[7, 7, 7], [9, 9]]))["interval"] == 1.0
    assert estimate_interval(_acts([[1], [2]]))["interval"] is None
    with pytest.raises(ValueError, match="q and p"):
        estimate_interval(_acts(objects), q=1.5)


def test_the_interval_estimate_equals_a_plain_reading_of_the_rule():
    rng = np.random.default_rng(11)
    objects = [sorted(rng.integers(0, 5_000, rng.integers(1, 30)).tolist()) for _ in range(400)]
    got = estimate_interval(_acts(objects, shuffle_seed=1))
    many = [ts for ts in objects if len(ts) >= 2]
    second = [ts[1] - ts[0] for ts in many]
    cut = np.quantile(second, 0.1)
    secs = []
    for ts in many:
        if ts[1] - ts[0] <= cut:
            rank = next(r for r in range(1, len(ts) + 1) if r / len(ts) > 0.5)
            secs.append(ts[rank - 1] - ts[0])
    assert got["objects"] == len(many) and got["quickest"] == len(secs)
    assert got["interval"] == pytest.approx(max(float(np.median(secs)), 1.0))
