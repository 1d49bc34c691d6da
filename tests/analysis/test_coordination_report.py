"""``coordination_report``: the measures of ``diplosim coordination`` in one call, the same as
calling each in turn, and its CSV files."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from diplosim.analysis.coordination import account_stats, actions, co_action_pairs, groups
from diplosim.analysis.coordination_evidence import (
    edge_symmetry,
    estimate_interval,
    evidence,
    window_curve,
)
from diplosim.analysis.coordination_report import (
    EVIDENCE_COLUMNS,
    PAIR_COLUMNS,
    coordination_report,
)
from diplosim.analysis.run import load_run
from diplosim.ingest.importer import import_files
from diplosim.store.csv_out import write_csv

T0 = 1_700_000_000


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("coordination_report")
    videos = []
    for r in range(3):  # a and b post the same sound within 20 s, three times; c once
        for k, (user, dt) in enumerate((("a", 0), ("b", 20), ("c", 40 if r == 0 else 9_000))):
            videos.append({"id": str(7_300_000_000_000_000_000 + 3 * r + k),
                           "create_time": T0 + 10_000 * r + dt, "username": user,
                           "music_id": f"s{r}", "view_count": 10})
    (tmp / "v.json").write_text(json.dumps({"data": {"videos": videos}}))
    import_files("tiktok", [tmp / "v.json"], tmp / "d")
    return load_run(tmp / "d")


def test_the_report_is_each_measure_in_turn(run):
    c = coordination_report(run, "sound", 60, 2, windows=[1, 30, 60], with_evidence=True)
    act = actions(run, "sound", with_posts=True)
    net = co_action_pairs(act, 60, 2)
    assert net.rows() == c.pairs.rows() == [{"account_a": "a", "account_b": "b", "weight": 3}]
    np.testing.assert_array_equal(c.symmetry, edge_symmetry(act, net, 60))
    assert c.stats == account_stats(net) and c.groups == 1 and c.communities == 1
    assert c.modularity == groups(net)["modularity"] == 0.0  # one edge, one community
    assert c.estimate == estimate_interval(act)
    assert c.curve == window_curve(act, [1, 30, 60], 2)
    assert c.evidence == evidence(act, net, 60) and len(c.evidence) == 3
    assert c.one_sided == 0 and c.median_symmetry == 1.0
    plain = coordination_report(run, "sound", 60, 2)
    assert plain.curve is None and plain.evidence is None


def test_csv_files(run, tmp_path):
    c = coordination_report(run, "sound", 60, 2, with_evidence=True)
    pairs = write_csv(tmp_path / "sub" / "pairs.csv", PAIR_COLUMNS, c.pair_rows())
    assert pairs.read_bytes() == b"account_a,account_b,weight,symmetry\r\na,b,3,1.000\r\n"
    header, rows = c.evidence_rows()
    write_csv(tmp_path / "e.csv", header, rows)
    read = list(csv.DictReader((tmp_path / "e.csv").open(encoding="utf-8")))
    assert list(read[0]) == EVIDENCE_COLUMNS and [r["seconds_apart"] for r in read] == ["20"] * 3
    none = coordination_report(run, "sound", 1, 2, with_evidence=True)
    assert none.evidence_rows() == (EVIDENCE_COLUMNS, [])
    assert not list(tmp_path.glob(".*.tmp"))  # written through a rename
