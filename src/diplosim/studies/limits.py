"""How far to trust a figure, said where readers look: the validation pass count (from the saved
validation table), what the intervals cover, and what the model leaves out. ``make validate``
writes the block into the README and the scenarios page (``validate-model --summary-into``);
nothing in it is typed by hand."""

from __future__ import annotations

import os
from pathlib import Path

from diplosim.store.writer import write_text_atomic
from diplosim.studies.blocks import replace_block

__all__ = ["LEFT_OUT", "TRUST_MARKERS", "trust_markdown", "write_trust"]

TRUST_MARKERS = ("<!-- trust:begin -->", "<!-- trust:end -->")

#: What the model leaves out, each with what it means for a figure.
LEFT_OUT: tuple[tuple[str, str], ...] = (
    ("Other platforms", "a ban moves a `leave_share` of users off the app; where they go and "
     "what they see there is not simulated"),
    ("What comments say", "comments are counted, not read: no replies, pile-ons or backlash in "
     "the comment sections"),
    ("Search and profile visits", "views come from the feed's sources and friends' sends; a "
     "creator-analytics sample puts search at 1.1% and profiles at 2.0% of a video's views "
     "(medians over 31,059 posts, quso.ai; industry)"),
    ("Manual promotion", "no hand-picked boosting of videos (TikTok's 'heating', 1-2% of daily "
     "views by internal documents Forbes reported in January 2023)"),
    ("Creators who adapt", "actors post on their campaigns' fixed schedules; nobody changes "
     "what they post after seeing what worked"),
    ("Time that responds to the feed", "sessions per day are a parameter, not an outcome of "
     "what the feed serves (so a feed cannot make users stay longer)"),
    ("News outside the app", "television, other sites and offline talk move opinion only "
     "through a scenario's events"),
    ("Live streams, duets and sounds", "videos are single posts; no live gifts, no duets or "
     "stitches, no sound trends beyond hashtag challenges"),
)


def _count(rows: list, part: str) -> tuple[int, int]:
    scored = [r for r in rows if r.part == part]
    return sum(r.passed for r in scored), len(scored)


def trust_markdown(rows: list, quick: bool, link: str = "docs/validation.md") -> str:
    """The block: pass counts of the saved table ``rows`` (``link``: the validation page, as
    the page holding the block reaches it), what an interval covers, and ``LEFT_OUT``."""
    from diplosim.studies.validation.experiments import experiments

    ok, n = _count(rows, "validation")
    fit_ok, fit_n = _count(rows, "calibration")
    # the opinion rules against survey experiments: computed from the code (no run)
    rules = experiments()
    rules_ok, rules_n = _count(rules, "validation")
    shown = sum(r.part == "resharing" for r in rows)
    failing = [r.finding for r in [*rows, *rules] if r.part == "validation" and not r.passed]
    size = "the quick sizes" if quick else "both validation sizes"
    lines = [
        f"**How far to trust a figure.** Of the published findings nothing was fitted to, the "
        f"model reproduces **{ok + rules_ok} of {n + rules_n}**: {ok} of {n} on the simulated "
        f"platform at {size} and {rules_ok} of {rules_n} checks of its opinion rules against "
        f"survey experiments ([validation]({link}); "
        f"calibration targets met: {fit_ok} of {fit_n}; {shown} findings from Twitter, its "
        "retweet cascades and its timeline of followed accounts, are shown there but not "
        "scored for a For You feed)." + (
            f" Not reproduced, each with its reason there: {'; '.join(failing)}."
            if failing else "") + " A figure's "
        "interval is 95% over "
        "seeds: it measures run-to-run noise only, not what is unknown about the assumptions, "
        "so it understates the uncertainty: each scenario's page sets its headline figures "
        "over the assumptions' documented ranges (a Latin hypercube, `make ranges`) beside the "
        "seed's spread, and its screening names the assumptions each depends on most.", "",
        "**What the model leaves out:**", "",
    ]
    lines += [f"- *{what}*: {why}." for what, why in LEFT_OUT]
    return "\n".join(lines)


def write_trust(pages: list[Path], rows: list, quick: bool, validation_page: Path) -> None:
    """Rewrite the trust block of each page, linking ``validation_page`` relative to it."""
    for page in pages:
        link = Path(os.path.relpath(validation_page.resolve(), page.resolve().parent)).as_posix()
        text = page.read_text(encoding="utf-8")
        write_text_atomic(page, replace_block(text, trust_markdown(rows, quick, link),
                                              str(page), *TRUST_MARKERS))
