"""``diplosim validate-model --quick``: the published-findings table, computed from real runs at
two world sizes, calibration apart from validation, strict intervals."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from diplosim.scenario.loader import parse_scenario
from diplosim.studies.validation import (
    CALIBRATION,
    FINDINGS,
    ILLUSTRATIONS,
    RESHARING,
    SCORED,
    SIZES,
    VALIDATION,
    validation_scenario,
)
from diplosim.studies.validation.failing import WHY, why
from diplosim.studies.validation.suite import interval, size_dependent


def test_the_validation_world_is_an_ordinary_valid_scenario():
    import yaml

    for ranking in ("engagement", "social", "chronological"):
        s = parse_scenario(yaml.safe_dump(validation_scenario(5000, 4, 1, ranking)))
        assert s.platform.ranking == ranking
        assert next(a for a in s.actors if a.id == "newcomer").followers == 0


def test_each_suite_has_two_sizes_a_factor_4_apart_and_at_least_6_seeds():
    for size in SIZES.values():
        small, large = size.users
        assert large >= 4 * small and size.seeds >= 6
        assert size.attention_users[1] >= 4 * size.attention_users[0]
    # calibration and validation are apart, and every calibration target names what was fitted
    assert {f.id for f in CALIBRATION}.isdisjoint({f.id for f in VALIDATION})
    assert all(f.fitted for f in CALIBRATION) and not any(f.fitted for f in VALIDATION)
    ids = {f.id for f in VALIDATION}
    assert {"chronological_attitudes", "attention_curve", "followed_liked_more"} <= ids
    # Twitter's retweet-cascade findings and its timeline of followed accounts (Huszar et al.)
    # are shown, not scored for a For You feed (issue 47), and the design essays' claim is an
    # illustration
    resharing = {f.id for f in RESHARING}
    assert resharing == {"cascades_size_one", "cascades_reaching_100", "cascades_span",
                         "virality_diversity", "falsehood_reach", "falsehood_depth",
                         "equal_size_structure", "algorithmic_amplification"}
    assert resharing.isdisjoint(ids) and {f.id for f in ILLUSTRATIONS} == {"newcomer_reach"}
    assert SCORED == ("calibration", "validation")


def test_interval_is_students_t_and_fails_on_a_value_not_computed():
    mean, _, hi = interval([1.0, 2.0, 3.0])
    # t(0.975, 2) = 4.302653 (SciPy; the old table's 4.303 was rounded)
    assert mean == 2.0 and hi - mean == pytest.approx(4.302653 * 1.0 / math.sqrt(3), rel=1e-6)
    assert math.isnan(interval([1.0, math.inf])[1])
    assert math.isnan(interval([1.0, math.nan])[2])


def test_size_dependence_is_welchs_interval_of_the_difference():
    assert size_dependent([1.0, 1.1, 0.9, 1.0], [2.0, 2.1, 1.9, 2.0]) is True
    assert size_dependent([1.0, 1.5, 0.5, 1.0], [1.1, 1.6, 0.6, 0.9]) is False
    assert size_dependent([1.0, math.inf], [1.0, 2.0]) is None


def test_validate_model_quick_reports_every_finding_at_both_sizes():
    done = subprocess.run([sys.executable, "-m", "diplosim", "validate-model", "--quick",
                           "--format", "json"], capture_output=True, text=True, timeout=900)
    assert done.returncode in (0, 3), done.stderr  # 3: some finding not reproduced
    table = json.loads(done.stdout)
    rows = {r["id"]: r for r in table["rows"]}
    assert list(rows) == [f.id for f in FINDINGS]
    quick = SIZES["quick"]
    for r in rows.values():
        assert r["source"] and r["published"] and r["tolerance"]
        assert [s["users"] for s in r["sizes"]] == list(quick.users)
        for s in r["sizes"]:
            assert len(s["values"]) == quick.seeds
            if s["ci_low"] is not None:
                assert s["ci_low"] <= s["mean"] <= s["ci_high"]
        assert r["passed"] == (r["part"] == "diagnostic" or all(s["passed"]
                                                                for s in r["sizes"]))
    assert rows["engagement_per_view"]["part"] == "calibration"
    assert "like_given_completion" in rows["engagement_per_view"]["fitted"]
    # only the scored parts decide the exit status
    failed = sorted(r["id"] for r in rows.values() if r["part"] in SCORED and not r["passed"])
    # the opinion rules' rows count too (the Rated-false tag row fails on the current rules)
    failed += [r["id"] for r in table["experiments"] if not r["passed"]]
    assert {r["id"] for r in table["experiments"]} >= {"per_view_effect", "backfire"}
    assert (done.returncode == 3) == bool(failed)
    # exit 3 is accepted only while every failing row has its reason recorded (issue 47)
    undocumented = [i for i in failed if not why(i)]
    assert not undocumented, f"failing without a reason in failing.py: {undocumented}"
    for i in failed:  # and the command says why beside each
        assert f"{i}: {why(i)}" in done.stderr
    # what the model is built on holds at both sizes: the calibration target and reach without
    # followers. (Amplification of followed political accounts by engagement ranking no longer
    # holds once the accounts a scenario names are kept whole and the users are a sample:
    # their followers see them more on a feed of follows alone; issue 45's note.)
    assert rows["views_per_video"]["part"] == "calibration"
    for s in rows["engagement_per_view"]["sizes"]:
        assert s["ci_low"] >= 0.034 and s["ci_high"] <= 0.0538
    for s in rows["newcomer_reach"]["sizes"]:
        assert s["mean"] > 5
    # a mechanism the model lacks is a failure, never a pass
    assert not rows["chronological_time"]["passed"]
    # the diagnostics are shown, never scored: sharing's reproduction number is far below 1
    assert rows["onward_shares"]["part"] == "diagnostic"
    # the feed's make-up from the run's own tally of where each impression came from: the
    # For You sources fill most slots, followed accounts a tenth or so (the source-mix weights)
    for s in rows["for_you_share"]["sizes"]:
        assert 0.7 < s["mean"] < 1.0
    for s in rows["followed_share"]["sizes"]:
        assert 0.02 < s["mean"] < 0.3
    # a TikTok data-donation finding is scored on the same tally, computable in every seed
    assert rows["followed_liked_more"]["part"] == "validation"
    assert all(s["ci_low"] is not None for s in rows["followed_liked_more"]["sizes"])
    for s in rows["onward_shares"]["sizes"]:
        assert 0 < s["mean"] < 0.1
    # at the larger size every seed has enough large cascades for the structural virality
    # spread to be computed (the finding fails on its value, not for want of cascades)
    assert all(v is not None for v in rows["virality_diversity"]["sizes"][1]["values"])


def test_the_table_rewritten_from_the_saved_json_is_the_table_of_the_runs():
    from diplosim.studies.validation import from_json, markdown, to_json
    from diplosim.studies.validation.suite import _row

    values = {f.id: [[0.04, 0.041, 0.042], [0.045, 0.046, math.nan]] for f in FINDINGS}
    values["onward_shares"] = [[0.006, 0.0062, 0.0058], [0.006, 0.0061, 0.0059]]
    rows = [_row(f, (5000, 20000), values[f.id]) for f in FINDINGS]
    again, quick = from_json(to_json(rows, True))
    assert quick is True and markdown(again, True) == markdown(rows, True)
    text = markdown(rows, True)
    assert "probability about 0.006^9" in text
    # the resharing rows sit in their own section after the score, marked as not scored
    score, rest = text.split("**Findings from follower-based platforms")
    assert "falsehood" not in score.lower() and "not scored (" in rest
    assert "| Falsehood reaches people faster than truth |" in rest


def test_a_saved_row_takes_the_part_its_finding_has_now(tmp_path):
    """A table saved before the regrouping (the Twitter rows under validation) is read back
    with each finding in its current part, so --from-json regroups it without rerunning."""
    from diplosim.studies.validation import failed_findings, from_json, to_json
    from diplosim.studies.validation.suite import _row

    values = [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
    rows = [_row(f, (5000, 20000), values) for f in FINDINGS]
    doc = json.loads(to_json(rows, True))
    for r in doc["rows"]:
        if r["part"] in ("resharing", "illustration"):
            r["part"] = "validation"
    again, _ = from_json(json.dumps(doc))
    parts = {r.id: r.part for r in again}
    assert parts["falsehood_reach"] == "resharing" and parts["newcomer_reach"] == "illustration"
    # 0.5 is outside the size-one tolerance (0.90 to 1): not scored, so not a failure
    assert not next(r for r in again if r.id == "cascades_size_one").passed
    assert "cascades_size_one" not in failed_findings(again)
    assert "engagement_per_view" in failed_findings(again)


def test_every_recorded_reason_names_a_scored_row_and_the_page_prints_it():
    from diplosim.studies.validation import experiments_block, why_failing
    from diplosim.studies.validation.experiments import experiments

    rules = experiments()
    scored = {f.id for f in CALIBRATION + VALIDATION}
    assert set(WHY) <= scored | {r.id for r in rules}, set(WHY) - scored
    assert all(len(reason) > 80 for reason in WHY.values())
    # a failing check's reason is on the page; a passing one's is not
    page = experiments_block(rules)
    assert any(not r.passed for r in rules)  # the Rated-false tag row, on the current rules
    for r in rules:
        if r.id in WHY:
            assert (WHY[r.id] in page) == (not r.passed)
    # the findings table lists each failing row's reason, and flags a row without one
    f = VALIDATION[0]
    lines = why_failing([(f.id, f.finding), ("no_such_row", "An unrecorded row")])
    assert lines[-2] == f"- *{f.finding}*: {WHY.get(f.id, '**no reason recorded**')}"
    assert lines[-1] == "- *An unrecorded row*: **no reason recorded**"
    assert why_failing([]) == []


def test_the_untrustworthy_outlet_and_its_twin_differ_only_in_the_truth_of_their_claim():
    doc = validation_scenario(5_000, 4, 1, "chronological")
    actors = {a["id"]: a for a in doc["actors"]}
    bad, good = actors["outlet_untrustworthy"], actors["outlet_trustworthy"]
    truth = {c["id"]: c["true"] for c in doc["claims"]}
    assert truth[bad["campaigns"][0]["claim"]] is False
    assert truth[good["campaigns"][0]["claim"]] is True

    def unnamed(actor: dict) -> dict:
        return {**actor, "id": "", "campaigns": [{**c, "id": "", "claim": ""}
                                                 for c in actor["campaigns"]]}

    assert unnamed(bad) == unnamed(good)
    # followed at the start as official accounts are (no follower count given), unlike the
    # citizens' claim groups, which nobody follows
    assert "followers" not in bad and actors["rumour_posters"]["followers"] == 0
