"""The trust block: the README and the scenarios page carry the validation pass count from the
saved table, what an interval covers and what the model leaves out (issue 47 item 4)."""

from __future__ import annotations

from pathlib import Path

from diplosim.studies.blocks import replace_block
from diplosim.studies.limits import LEFT_OUT, TRUST_MARKERS, trust_markdown, write_trust
from diplosim.studies.validation import FINDINGS, from_json, to_json
from diplosim.studies.validation.suite import _row

ROOT = Path(__file__).resolve().parents[2]


def _block(page: Path) -> str:
    begin, end = TRUST_MARKERS
    return page.read_text(encoding="utf-8").split(begin)[1].split(end)[0].strip()


def test_the_readme_and_the_scenarios_page_carry_the_saved_tables_count():
    rows, quick = from_json((ROOT / "docs" / "validation.json").read_text(encoding="utf-8"))
    expected = trust_markdown(rows, quick)
    assert _block(ROOT / "README.md") == expected, (
        "run `diplosim validate-model --from-json docs/validation.json --no-sizes "
        "--summary-into README.md --summary-into docs/scenarios.md`")
    assert _block(ROOT / "docs" / "scenarios.md") == trust_markdown(rows, quick,
                                                                    "validation.md")
    from diplosim.studies.validation.experiments import experiments

    scored = [r for r in rows if r.part == "validation"]
    rules = [r for r in experiments() if r.part == "validation"]
    ok = sum(r.passed for r in scored) + sum(r.passed for r in rules)
    assert f"**{ok} of {len(scored) + len(rules)}**: {sum(r.passed for r in scored)} of " \
        f"{len(scored)} on the simulated platform" in expected


def test_the_count_follows_the_rows_and_the_limits_are_listed(tmp_path):
    """A table whose scored findings all sit inside their tolerances but one gives 'N - 1 of
    N'; an interval is said to cover seed noise only; every left-out item is listed."""
    import math

    def inside(f):
        x = f.low + 1.0 if not math.isfinite(f.high) else (f.low + f.high) / 2
        return 0.0 if f.id == "attention_curve" else x  # below its 0.9

    rows = [_row(f, (5000, 20000), [[inside(f)] * 3, [inside(f)] * 3]) for f in FINDINGS]
    scored = [r for r in rows if r.part == "validation"]
    assert sum(r.passed for r in scored) == len(scored) - 1
    text = trust_markdown(rows, True)
    # the opinion rules' survey-experiment checks are counted with them, as the code scores them
    from diplosim.studies.validation.experiments import experiments

    rules = [r for r in experiments() if r.part == "validation"]
    rules_ok = sum(r.passed for r in rules)
    assert rules  # the opinion rules have survey-experiment checks to count
    assert f": {len(scored) - 1} of {len(scored)} on the simulated platform at the quick " \
        f"sizes and {rules_ok} of {len(rules)} checks of its opinion rules" in text
    assert f"reproduces **{len(scored) - 1 + rules_ok} of {len(scored) + len(rules)}**" in text
    assert "run-to-run noise only" in text and "understates" in text
    # the findings not reproduced are named: the one failing row and each failing check
    named = text.split("Not reproduced, each with its reason there: ")[1].split(". A figure")[0]
    failing = [r.finding for r in scored if not r.passed]
    failing += [r.finding for r in rules if not r.passed]
    assert named.split("; ") == failing and len(failing) == 1 + len(rules) - rules_ok
    assert all(f"*{what}*" in text for what, _ in LEFT_OUT)
    page = tmp_path / "page.md"
    page.write_text("a\n" + "\n".join(TRUST_MARKERS) + "\nb\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    write_trust([page], from_json(to_json(rows, True))[0], True, tmp_path / "docs" / "v.md")
    text = trust_markdown(rows, True, "docs/v.md")
    assert replace_block(page.read_text(encoding="utf-8"), text, "page", *TRUST_MARKERS) == \
        page.read_text(encoding="utf-8")
