"""The opinion rules against survey experiments: the engine's own rule functions applied to
simulated respondents, as the published experiments applied a message to theirs.

Each row is computed from the rules the kernel calls (``diplosim.opinion``) with the resolved
parameters, on 20,000 respondents drawn with a fixed seed, so it takes a fraction of a second
and is rerun whenever the page is written. As in the findings table, *calibration* rows name
the parameters fitted or sized to them; *validation* rows were fitted to nothing. The tolerances
were written with the rows, before the rows were first computed; where the author had worked
out the value in closed form before writing a tolerance, the row says so.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from types import SimpleNamespace

import numpy as np

from diplosim.opinion import behaviour, persuasion
from diplosim.parameters import resolve_parameters

__all__ = ["RESPONDENTS", "Experiment", "experiments", "experiments_markdown", "to_dicts"]

#: Simulated respondents per experiment, and their seed.
RESPONDENTS = 20_000
_SEED = 2020

#: Clayton et al. 2020 (as summarised secondarily): the share rating a false headline accurate
#: without a tag and with a 'Rated false' tag; the row's tolerance in percent.
CLAYTON_CONTROL, CLAYTON_TAGGED, TAG_TOLERANCE = 0.29, 0.16, (12.0, 20.0)

_messenger_step = persuasion.messenger_step.py_func
_stance_step = persuasion.stance_step.py_func
_belief_step = persuasion.belief_step.py_func
_counter_weight = persuasion.counter_weight.py_func
_source_trust = persuasion.source_trust.py_func
_like_share = behaviour.like_share_probabilities.py_func


@dataclass(frozen=True)
class Experiment:
    id: str
    part: str            # "calibration" or "validation"
    finding: str
    published: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    fitted: str = ""     # the parameters fitted or sized to it (calibration rows)

    @property
    def passed(self) -> bool:
        return self.low <= self.value <= self.high


def _public(rng: np.random.Generator, n: int) -> np.ndarray:
    """A polarised public on [-1, 1]: 40% on each side (uniform in [0.2, 1]) and 20% without
    a side (uniform in (-0.2, 0.2)), the shape the world gives a polled country."""
    side = rng.random(n)
    mag = 0.2 + 0.8 * rng.random(n)
    middle = (rng.random(n) * 2 - 1) * 0.2
    return np.where(side < 0.4, mag, np.where(side < 0.8, -mag, middle))


def _pitch(kp, attitude: float, stance: float, credibility: float) -> float:
    """Favourability toward a foreign sponsor after one completed view of its political video
    (stance +1), as ``persuasion.persuade`` steps it."""
    direction = _counter_weight(stance, 1.0, kp.counter_attitudinal_factor)
    trust = _source_trust(attitude, kp.source_trust_slope, kp.counter_attitudinal_factor)
    return _messenger_step(kp, attitude, direction, trust, credibility, False, 0.0)


def _stance_moves(kp, stances: np.ndarray) -> np.ndarray:
    return np.array([_stance_step(x, 1.0, 1.0, kp.stance_rate, kp.counter_attitudinal_factor)
                     - x for x in stances])


def _left_after(kp, days: int) -> float:
    """The share of a one-off change left ``days`` days later (the daily ``relax``)."""
    keep = 0.5 ** (1.0 / kp.persuasion_half_life_days)
    capture = persuasion.lasting_capture(kp.persuasion_lasting_share, keep)
    values = np.array([0.01], np.float64)
    lasting = np.zeros(1, np.float64)
    for _ in range(days):
        persuasion.relax(values, lasting, keep, capture)
    return float(values[0] / 0.01)


def experiments(overrides: dict[str, float] | None = None) -> list[Experiment]:
    """Every row, under the default parameters (or ``overrides``)."""
    kp = SimpleNamespace(**resolve_parameters(overrides))
    rng = np.random.default_rng(_SEED)
    public = _public(rng, RESPONDENTS)
    # one ad: favourability toward its sponsor, as a share of the scale's range (CHV: 1-5)
    moved = np.array([_pitch(kp, a, a, kp.credibility_influencer) - a for a in public])
    per_view = float(moved.mean()) / 2 * 100
    # persuasion in parallel: the stance moves of the opposed, the middle and the sympathetic
    opposed = _stance_moves(kp, public[public <= -0.2])
    middle = _stance_moves(kp, public[np.abs(public) < 0.2])
    sympathetic = _stance_moves(kp, public[public >= 0.2])
    groups = sum(float(g.mean()) > 0 for g in (opposed, middle, sympathetic))
    ratio = float(opposed.mean() / sympathetic.mean())
    away = float((opposed < 0).mean()) * 100
    # a fact-check tag: the share rating a false headline accurate, from Clayton's control
    tagged = _belief_step(CLAYTON_CONTROL, 1.0, 0.0, True, kp.correction_log_odds) * 100
    like0, share0 = _like_share(kp, 1.0, False)
    like1, share1 = _like_share(kp, 1.0, True)
    chv = "Coppock, Hill & Vavreck 2020, Science Advances 6:eabc4046 (49 ads, 59 experiments)"
    return [
        Experiment("per_view_effect", "calibration",
                   "One view's effect on favourability toward its sponsor (% of the scale)",
                   "1.2% (0.049 of a 1-5 scale; 95% interval 0.25% to 2.2%)",
                   per_view, 0.25, 2.2, "%", chv, "stance_rate, favourability_rate (sized)"),
        Experiment("parallel_ratio", "calibration",
                   "Opposed viewers' stance move over sympathetic viewers'",
                   "0.66 (op-eds: 0.58 / 0.88); 0.81 (ads, Republicans)",
                   ratio, 0.5, 1.0, "",
                   "Coppock, Ekins & Kirby 2018, QJPS; " + chv + ", Figure 2",
                   "counter_attitudinal_factor (shaped)"),
        Experiment("left_after_ten_days", "calibration",
                   "Share of a one-off effect left after ten days",
                   "34% (12 panel experiments)", _left_after(kp, 10) * 100, 29.0, 39.0, "%",
                   "Coppock 2022, Persuasion in Parallel, ch. 6",
                   "persuasion_half_life_days, persuasion_lasting_share"),
        Experiment("label_shares", "calibration", "A label's cut in shares",
                   "-24%", (share1 / share0 - 1) * 100, -26.0, -22.0, "%",
                   "TikTok 2021 (unverified-content banner, with Irrational Labs)",
                   "fact_check_share_reduction (the figure)"),
        Experiment("label_likes", "calibration", "A label's cut in likes",
                   "-7%", (like1 / like0 - 1) * 100, -9.0, -5.0, "%",
                   "TikTok 2021 (the same test)", "fact_check_like_reduction (the figure)"),
        Experiment("parallel_groups", "validation",
                   "Groups (opposed, middle, sympathetic) moved the message's way",
                   "all three (persuasion in parallel)", float(groups), 3.0, 3.0, "of 3",
                   "Coppock 2022, Persuasion in Parallel; Coppock, Ekins & Kirby 2018"),
        Experiment("backfire", "validation",
                   "Opposed respondents moved away by a counter-attitudinal video",
                   "none (backfire in 0 of 52 issues)", away, 0.0, 1.0, "%",
                   "Wood & Porter 2019, Political Behavior 41:135"),
        Experiment("gone_after_a_week", "validation",
                   "Share of a one-off effect gone after a week",
                   "50% to 75%", (1 - _left_after(kp, 7)) * 100, 50.0, 75.0, "%",
                   "Hill, Lo, Vavreck & Zaller 2008 working paper of their 2013 Political "
                   "Communication article"),
        Experiment("rated_false_tag", "validation",
                   "Share rating a false headline accurate with a 'Rated false' tag "
                   "(control 29%)",
                   "16% ('Disputed': 19%)", tagged, *TAG_TOLERANCE, "%",
                   "Clayton et al. 2020, Political Behavior 42:1073, as summarised "
                   "secondarily; tolerance: 4 points (two standard errors of a share among "
                   "about 500 respondents, an assumption on the group size); the author had "
                   "computed the model's value in closed form before writing it"),
    ]


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def experiments_markdown(rows: list[Experiment]) -> str:
    """The rows as the validation page's table."""
    head = ["| finding | published | model | tolerance | result | source |",
            "| --- | --- | --- | --- | --- | --- |"]
    lines = [f"Generated by `make validate` (and by `diplosim validate-model --from-json`): "
             f"the engine's opinion rules applied to {RESPONDENTS:,} simulated respondents "
             f"(seed {_SEED}); no run of the platform is involved, so there is no interval "
             "and no world size."]
    for part, title in (("calibration", "**Calibration** (the parameters named were fitted "
                         "or sized to these):"),
                        ("validation", "**Validation** (fitted to nothing; "
                         f"{sum(r.passed for r in rows if r.part == 'validation')} of "
                         f"{sum(r.part == 'validation' for r in rows)} reproduced):")):
        lines += ["", title, "", *head]
        for r in rows:
            if r.part != part:
                continue
            value = f"{_fmt(r.value)}{r.unit}"
            tol = f"{_fmt(r.low)} to {_fmt(r.high)}{r.unit}"
            tol += f" (fitted: {r.fitted})" if r.fitted else ""
            if r.unit == "of 3":
                value, tol = f"{r.value:.0f} of 3", "3 of 3"
            lines.append(f"| {r.finding} | {r.published} | {value} | {tol} | "
                         f"{'pass' if r.passed else '**fail**'} | {r.source} |")
    return "\n".join(lines)


def to_dicts(rows: list[Experiment]) -> list[dict]:
    """The rows as JSON-ready dictionaries (with ``passed``)."""
    return [{**asdict(r), "value": r.value if math.isfinite(r.value) else None,
             "passed": r.passed} for r in rows]
