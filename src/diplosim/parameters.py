"""The one table of model constants: every number the model uses, with its unit and source.

A scenario may override any of them under ``parameters:`` (validated against this table); the
resolved table is written into each run's manifest. A source is a citation or ``assumption``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["PARAMETERS", "Parameter", "resolve_parameters"]


@dataclass(frozen=True)
class Parameter:
    name: str
    value: float
    unit: str
    low: float
    high: float
    source: str
    description: str


_TABLE = [
    # -- world: population synthesis --------------------------------------------------------
    Parameter(
        "interest_dirichlet_alpha", 0.3, "-", 0.01, 100.0,
        "assumption",
        "Concentration of each user's interest vector over topics (Dirichlet); below 1 most "
        "users care about a few topics.",
    ),
    Parameter(
        "activity_lognormal_sigma", 1.0, "-", 0.0, 3.0,
        "assumption (heavy-tailed use; mean activity is normalised to 1)",
        "Spread of users' activity levels (log-normal), which scales how often they open the app.",
    ),
    Parameter(
        "survey_no_opinion_share", 0.08, "share", 0.0, 0.5,
        "assumption (Pew Global Attitudes 'don't know' shares are typically 5-10%)",
        "Where a survey row gives only the favourable or only the unfavourable share, the other "
        "is 1 - given - this.",
    ),
    Parameter(
        "unsurveyed_favourable_share", 0.35, "share", 0.0, 1.0,
        "assumption (mean favourability 0 where no survey exists)",
        "Share of users favourable (and, equally, unfavourable) toward a focal country where no "
        "public survey gives the figure.",
    ),
    Parameter(
        "own_country_favourable_share", 0.7, "share", 0.0, 1.0,
        "assumption",
        "Share of users favourable toward their own country (none unfavourable, the rest "
        "without an opinion).",
    ),
    Parameter(
        "attitude_opinion_floor", 0.1, "favourability", 0.0, 1.0,
        "assumption",
        "Favourable users' attitudes are uniform in [floor, 1], unfavourable in [-1, -floor], "
        "users without an opinion in (-floor, floor).",
    ),
    Parameter(
        "stance_initial_sd", 0.4, "stance", 0.0, 2.0,
        "assumption (no cross-national survey of these issues on one scale)",
        "Standard deviation of initial stances on each issue (normal around 0, clipped to "
        "[-1, 1]).",
    ),
    Parameter(
        "belief_initial_mean", 0.1, "belief", 0.01, 0.99,
        "assumption",
        "Mean initial belief in a circulating claim (Beta distribution with concentration 10).",
    ),
]

PARAMETERS: MappingProxyType[str, Parameter] = MappingProxyType({p.name: p for p in _TABLE})


def resolve_parameters(overrides: dict[str, float] | None = None) -> dict[str, float]:
    """Default values with a scenario's overrides applied (already validated by the schema)."""
    values = {name: p.value for name, p in PARAMETERS.items()}
    values.update(overrides or {})
    return values
