"""Population synthesis: N users as arrays (struct of arrays), seeded, from the country table.

Users are drawn in proportion to platform users over the scenario's countries and stored in
contiguous country blocks; each gets languages, an interest vector, an activity level,
favourability toward the focal countries, stances on the issues and beliefs in the claims.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

from diplosim.parameters import resolve_parameters
from diplosim.world.ages import AGE_GROUPS, draw_ages
from diplosim.world.countries import Country, country_table, favourability_surveys
from diplosim.world.strata import stratified_lognormal
from diplosim.world.topics import TOPICS

if TYPE_CHECKING:  # the scenario package builds on this one: no import back at run time
    from diplosim.scenario.schema import Scenario

__all__ = ["NO_LANGUAGE", "Population", "beta_mean_for", "country_shares", "synthesise"]

NO_LANGUAGE = np.iinfo(np.uint16).max
#: Independent random streams, so adding one component never changes another's draws.
_STREAM = {"country": 1, "language": 2, "interest": 3, "activity": 4, "attitude": 5,
           "stance": 6, "belief": 7, "baseline": 8, "age": 9, "age_baseline": 10}
_CHUNK = 1 << 16  # rows drawn at a time: consecutive draws give the same stream as one


@dataclass
class Population:
    """Every user's state; row i of each array is user i. Users are grouped by country."""

    countries: tuple[str, ...]   # index -> ISO code (the scenario's order)
    languages: tuple[str, ...]   # index -> ISO 639 code
    focal: tuple[str, ...]       # attitude columns: focal countries
    issues: tuple[str, ...]      # stance columns
    claims: tuple[str, ...]      # belief columns
    country: np.ndarray          # uint16 (N,)
    lang1: np.ndarray            # uint16 (N,) main language
    lang2: np.ndarray            # uint16 (N,) second language or NO_LANGUAGE
    interests: np.ndarray        # uint16 (N, topics): weight relative to the favourite (65535)
    activity: np.ndarray         # float32 (N,), mean 1
    attitudes: np.ndarray        # float32 (N, focal) favourability in [-1, 1]
    stances: np.ndarray          # float32 (N, issues) in [-1, 1]
    beliefs: np.ndarray          # float32 (N, claims) in [0, 1]
    age: np.ndarray              # uint8 (N,) age group: an index into world.ages.AGE_GROUPS

    @property
    def size(self) -> int:
        return int(self.country.shape[0])

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self)
                   if isinstance(getattr(self, f.name), np.ndarray))

    def users_per_country(self) -> dict[str, int]:
        counts = np.bincount(self.country, minlength=len(self.countries))
        return {code: int(n) for code, n in zip(self.countries, counts, strict=True)}


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _STREAM[stream]])))


def country_shares(scenario: Scenario) -> dict[str, float]:
    """Expected share of users per scenario country: platform users, with scenario overrides."""
    table = country_table()
    users = {c: scenario.world.platform_users.get(c, table[c].platform_users)
             for c in scenario.world.countries}
    total = sum(users.values())
    return {c: n / total for c, n in users.items()}


def _languages(block: list[Country], counts: np.ndarray, rng: np.random.Generator,
               vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    n = int(counts.sum())
    lang1 = np.empty(n, np.uint16)
    lang2 = np.full(n, NO_LANGUAGE, np.uint16)
    start = 0
    for country, m in zip(block, counts, strict=True):
        m = int(m)
        codes = [vocab[c] for c, _ in country.languages] or [vocab["und"]]
        shares = np.array([s for _, s in country.languages] or [1.0])
        first = rng.choice(len(codes), size=m, p=shares / shares.sum())
        # A user also speaks each other language with its population share; the most spoken
        # such language becomes the second one.
        speaks = rng.random((m, len(codes))) < np.minimum(shares, 1.0)
        speaks[np.arange(m), first] = False
        has_second = speaks.any(axis=1)
        second = speaks.argmax(axis=1)
        code_arr = np.array(codes, np.uint16)
        lang1[start:start + m] = code_arr[first]
        lang2[start:start + m][has_second] = code_arr[second[has_second]]
        start += m
    return lang1, lang2


def _opinion_shares(viewer: str, focal: str, p: dict[str, float],
                    polls: dict[tuple[str, str], tuple[float, float]] | None = None,
                    start: dt.date | None = None) -> tuple[float, float]:
    """(favourable, unfavourable) shares of ``viewer``'s users toward ``focal``: the
    scenario's poll, else the shipped survey row (unless it was fielded after the scenario's
    ``start``: a poll never answers for a time before it), else the parameters."""
    if polls and (viewer, focal) in polls:
        return polls[(viewer, focal)]
    if viewer == focal:
        return p["own_country_favourable_share"], 0.0
    survey = favourability_surveys().get((viewer, focal))
    if survey is not None and start is not None and survey.fielded > start:
        survey = None
    if survey is None:
        share = p["unsurveyed_favourable_share"]
        return share, share
    rest = 1.0 - p["survey_no_opinion_share"]
    fav = survey.favourable if survey.favourable is not None else rest - survey.unfavourable
    unfav = survey.unfavourable if survey.unfavourable is not None else rest - fav
    return max(fav, 0.0), max(unfav, 0.0)


def _sides(rng: np.random.Generator, n: int, pos: float, neg: float,
           floor: float) -> np.ndarray:
    """Values in [-1, 1] from the shares on each side: a side's users uniform in [floor, 1]
    (or [-1, -floor]), the rest uniform in (-floor, floor)."""
    u = rng.random(n, dtype=np.float32)
    mag = rng.random(n, dtype=np.float32)
    col = (mag * 2 - 1) * floor                                # no side
    col = np.where(u < pos, floor + mag * (1 - floor), col)
    col = np.where((u >= pos) & (u < pos + neg), -floor - mag * (1 - floor), col)
    return col


def _attitudes(pop_country: np.ndarray, countries: tuple[str, ...], focal: tuple[str, ...],
               rng: np.random.Generator, p: dict[str, float],
               polls: dict[tuple[str, str], tuple[float, float]],
               start: dt.date | None = None) -> np.ndarray:
    out = np.empty((pop_country.shape[0], len(focal)), np.float32)
    floor = p["attitude_opinion_floor"]
    bounds = np.searchsorted(pop_country, np.arange(len(countries) + 1))
    for ci, viewer in enumerate(countries):
        lo, hi = bounds[ci], bounds[ci + 1]
        for fi, target in enumerate(focal):
            fav, unfav = _opinion_shares(viewer, target, p, polls, start)
            out[lo:hi, fi] = _sides(rng, hi - lo, fav, unfav, floor)
    return out


def _stances(scenario: Scenario, pop_country: np.ndarray, countries: tuple[str, ...],
             seed: int, p: dict[str, float]) -> np.ndarray:
    """Stances around 0 (``stance_initial_sd``); a country with a polled baseline draws its
    block from the poll instead (its own stream, so other countries' draws do not change)."""
    n, issues = pop_country.shape[0], scenario.issues
    out = np.clip(_rng(seed, "stance").normal(0, p["stance_initial_sd"], (n, len(issues))),
                  -1, 1).astype(np.float32)
    bounds = np.searchsorted(pop_country, np.arange(len(countries) + 1))
    rng = _rng(seed, "baseline")
    for k, issue in enumerate(issues):
        for b in issue.baselines:
            if b.ages:
                continue  # a crosstab by age: drawn in _by_age
            ci = countries.index(b.country)
            lo, hi = bounds[ci], bounds[ci + 1]
            if b.mean is not None:
                sd = p["stance_initial_sd"] if b.sd is None else b.sd
                col = np.clip(rng.normal(b.mean, sd, hi - lo), -1, 1)
            else:
                col = _sides(rng, hi - lo, b.positive, b.negative, p["stance_side_floor"])
            out[lo:hi, k] = col
    return out


def beta_mean_for(believing: float, concentration: float) -> float:
    """The mean of a Beta distribution of concentration ``concentration`` with ``believing``
    of its mass above 0.5 (a user believes a claim when its belief is above one half)."""
    from scipy.optimize import brentq
    from scipy.special import betainc

    believing = min(max(believing, 1e-4), 1 - 1e-4)

    def above(m: float) -> float:
        return 1.0 - betainc(m * concentration, (1 - m) * concentration, 0.5) - believing

    return float(brentq(above, 1e-6, 1 - 1e-6, xtol=1e-10))


def _beliefs(scenario: Scenario, pop_country: np.ndarray, countries: tuple[str, ...],
             rng: np.random.Generator, p: dict[str, float]) -> np.ndarray:
    """Beliefs in each claim: Beta draws whose share above 0.5 is the country's surveyed share
    of believers (``claims[].baselines``), else the parameter for true or false claims."""
    n, claims = pop_country.shape[0], scenario.claims
    conc = p["belief_initial_concentration"]
    out = np.empty((n, len(claims)), np.float32)
    bounds = np.searchsorted(pop_country, np.arange(len(countries) + 1))
    for k, claim in enumerate(claims):
        default = p["true_claim_believing_share" if claim.true else
                    "false_claim_believing_share"]
        surveyed = {b.country: b.believing for b in claim.baselines if not b.ages}
        for ci, code in enumerate(countries):
            lo, hi = bounds[ci], bounds[ci + 1]
            mean = beta_mean_for(surveyed.get(code, default), conc)
            out[lo:hi, k] = rng.beta(mean * conc, (1 - mean) * conc, hi - lo)
    return out


def _by_age(scenario: Scenario, pop_country: np.ndarray, countries: tuple[str, ...],
            age: np.ndarray, focal: tuple[str, ...], attitudes: np.ndarray,
            stances: np.ndarray, beliefs: np.ndarray, rng: np.random.Generator,
            p: dict[str, float]) -> None:
    """Polls by age group (a poll's ``ages``): the users of those groups in the polled country
    are drawn again from the crosstab, the rest keep the all-ages poll. Drawn last, from their
    own stream, so a scenario without such polls draws exactly as before."""
    bounds = np.searchsorted(pop_country, np.arange(len(countries) + 1))

    def rows(code: str, ages: list[str]) -> np.ndarray:
        ci = countries.index(code)
        lo, hi = bounds[ci], bounds[ci + 1]
        codes = [AGE_GROUPS.index(a) for a in ages]
        return lo + np.flatnonzero(np.isin(age[lo:hi], codes))

    for k, issue in enumerate(scenario.issues):
        for b in issue.baselines:
            if b.ages:
                idx = rows(b.country, b.ages)
                if b.mean is not None:
                    sd = p["stance_initial_sd"] if b.sd is None else b.sd
                    stances[idx, k] = np.clip(rng.normal(b.mean, sd, idx.size), -1, 1)
                else:
                    stances[idx, k] = _sides(rng, idx.size, b.positive, b.negative,
                                             p["stance_side_floor"])
    rest = 1.0 - p["survey_no_opinion_share"]
    for f in scenario.world.favourability:
        if f.ages:
            fav = f.favourable if f.favourable is not None else max(rest - f.unfavourable, 0.0)
            unfav = (f.unfavourable if f.unfavourable is not None
                     else max(rest - f.favourable, 0.0))
            idx = rows(f.viewer, f.ages)
            attitudes[idx, focal.index(f.focal)] = _sides(rng, idx.size, fav, unfav,
                                                          p["attitude_opinion_floor"])
    conc = p["belief_initial_concentration"]
    for k, claim in enumerate(scenario.claims):
        for b in claim.baselines:
            if b.ages:
                idx = rows(b.country, b.ages)
                mean = beta_mean_for(b.believing, conc)
                beliefs[idx, k] = rng.beta(mean * conc, (1 - mean) * conc, idx.size)


#: Interest weights are stored in 16 bits as a share of the user's favourite topic: half the
#: memory of float32 (32 bytes a user), and only relative weights are ever used (which topic
#: to post on or be shown, how well a video matches next to the favourite).
INTEREST_SCALE = 65535


def _interests(n: int, alpha: float, rng: np.random.Generator) -> np.ndarray:
    """Dirichlet interests over topics (gamma draws normalised), stored relative to each
    user's favourite topic in 16 bits: weights under 1/65535 of the favourite become 0."""
    out = np.empty((n, len(TOPICS)), np.uint16)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        g = rng.standard_gamma(alpha, size=(hi - lo, len(TOPICS)), dtype=np.float32)
        g += np.float32(1e-12)  # all-zero rows are possible in float32 for small alpha
        out[lo:hi] = np.rint(g / g.max(axis=1, keepdims=True) * INTEREST_SCALE)
    return out


def synthesise(scenario: Scenario, users: int | None = None, seed: int | None = None,
               params: dict[str, float] | None = None) -> Population:
    """Draw the population of ``scenario`` (``users``/``seed`` override the scenario's).
    ``params`` are the resolved parameters (``diplosim.parameters.resolve_parameters``, as
    the engine's state holds them); without them the scenario's are resolved here."""
    n = scenario.world.users if users is None else users
    seed = scenario.seed if seed is None else seed
    p = resolve_parameters(scenario.parameters) if params is None else params
    table = country_table()
    countries = tuple(scenario.world.countries)
    shares = country_shares(scenario)
    counts = _rng(seed, "country").multinomial(n, [shares[c] for c in countries])
    country = np.repeat(np.arange(len(countries), dtype=np.uint16), counts)

    block = [table[c] for c in countries]
    languages = tuple(sorted({code for c in block for code, _ in c.languages} | {"und"}))
    vocab = {code: i for i, code in enumerate(languages)}
    lang1, lang2 = _languages(block, counts, _rng(seed, "language"), vocab)

    sigma = p["activity_lognormal_sigma"]
    # stratified per country (``world/strata.py``): each country's mean activity is 1 exactly
    activity = stratified_lognormal(country, sigma, rng=_rng(seed, "activity")).astype(np.float32)

    focal = tuple(scenario.focal_countries())
    issues = tuple(i.id for i in scenario.issues)
    claims = tuple(c.id for c in scenario.claims)
    rest = 1.0 - p["survey_no_opinion_share"]
    polls = {(f.viewer, f.focal): (
        f.favourable if f.favourable is not None else max(rest - f.unfavourable, 0.0),
        f.unfavourable if f.unfavourable is not None else max(rest - f.favourable, 0.0))
        for f in scenario.world.favourability if not f.ages}
    beliefs = _beliefs(scenario, country, countries, _rng(seed, "belief"), p)
    age = draw_ages(country, countries, _rng(seed, "age"), scenario.world.age_shares)
    attitudes = _attitudes(country, countries, focal, _rng(seed, "attitude"), p, polls,
                           scenario.start)
    stances = _stances(scenario, country, countries, seed, p)
    _by_age(scenario, country, countries, age, focal, attitudes, stances, beliefs,
            _rng(seed, "age_baseline"), p)
    return Population(
        countries=countries, languages=languages, focal=focal, issues=issues, claims=claims,
        country=country, lang1=lang1, lang2=lang2,
        interests=_interests(n, p["interest_dirichlet_alpha"], _rng(seed, "interest")),
        activity=activity,
        attitudes=attitudes, stances=stances, beliefs=beliefs, age=age,
    )
