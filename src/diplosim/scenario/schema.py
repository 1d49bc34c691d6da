"""The scenario schema: every section and field a scenario file may hold, with its constraints.

Structure and value ranges live here; cross-references between sections (an event's actor, a
stance's issue) are checked in ``references.py``. Field descriptions double as documentation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from diplosim.scenario.events import (
    Ban,
    CoordinatedNetwork,
    Crisis,
    Event,
    InfluencerBriefing,
    Policy,
)
from diplosim.scenario.fields import (
    ALL,
    COUNTRY_JSON,
    ContentKind,
    CountryCode,
    Date,
    Day,
    Hashtag,
    Id,
    Language,
    Model,
    Portrays,
    Ranking,
    Share,
    Stance,
    Target,
    Topic,
)
from diplosim.store.contract import ACTOR_TYPES  # the account-type vocabulary
from diplosim.world.countries import country_table

__all__ = [
    "ACTOR_TYPES",
    "GROUP_ACTOR_TYPES",
    "MAX_VARIANTS",
    "Actor",
    "AgeGroup",
    "Audience",
    "Ban",
    "Baseline",
    "Campaign",
    "Claim",
    "ClaimBaseline",
    "CoordinatedNetwork",
    "Crisis",
    "Event",
    "Favourability",
    "InfluencerBriefing",
    "Issue",
    "Moderation",
    "Output",
    "Platform",
    "Policy",
    "Scenario",
    "Stance",
    "Variant",
    "World",
]

#: Actor types that stand for a population of ordinary accounts acting alike.
GROUP_ACTOR_TYPES = ("citizen", "diaspora")
MAX_USERS = 2_000_000_000
#: Variants a scenario may declare: ``diplosim validate`` checks each against the whole scenario.
MAX_VARIANTS = 1_000


def _countries_or_all(value: object) -> object:
    if value == ALL:
        return sorted(c.iso2 for c in country_table().values() if c.platform_users > 0)
    return value


AgeGroup = Literal["18-24", "25-34", "35-44", "45-54", "55+"]
Ages = Annotated[list[AgeGroup] | None, Field(None, min_length=1, description="The age groups "
                                              "the figure is for (a crosstab); default: all "
                                              "ages.")]


class World(Model):
    """Who is on the platform: how many simulated users, from which countries."""

    users: int = Field(ge=1, le=MAX_USERS, description="Users simulated, split across countries "
                       "in proportion to the platform's users there.")
    countries: Annotated[list[CountryCode], BeforeValidator(_countries_or_all),
                         WithJsonSchema({"anyOf": [{"type": "array", "items": COUNTRY_JSON,
                                                    "minItems": 1}, {"const": ALL}]})] = (
        Field(min_length=1, description="ISO codes of the countries simulated, or `all` (every "
              "country with platform users).")
    )
    platform_users: dict[CountryCode, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Override the table's platform users for some countries (e.g. India before "
        "its 2020 ban).",
    )
    favourability: list[Favourability] = Field(
        default_factory=list, description="Polls of favourability toward focal countries, "
        "beyond (or instead of) the shipped Pew rows.")
    age_shares: dict[CountryCode, dict[AgeGroup, Share]] = Field(
        default_factory=dict, description="The platform's users by age group in a country "
        "(normalised), replacing the shipped row (TikTok's advertising audience).")
    shards: int | None = Field(None, ge=1, description="Split the population by region across "
                               "machines (not supported yet).",
                               json_schema_extra={"unsupported": True})


class Moderation(Model):
    fact_check: bool = Field(False, description="Fact-checkers label false claims.")
    fact_check_delay_hours: float = Field(24.0, ge=0, description="Hours from a false claim's "
                                          "post to its label (and demotion).")


class Platform(Model):
    """The platform's policies: how the feed ranks and what it labels."""

    ranking: Ranking = Field("engagement", description="`engagement` (the For You feed), "
                             "`social` (follows first) or `chronological`.")
    state_media_labels: bool = Field(True, description="Label state-affiliated accounts "
                                     "(they persuade less and are demoted).")
    moderation: Moderation = Field(default_factory=Moderation)
    diversity: Share = Field(0.0, description="Share of each feed page given to videos outside "
                             "the viewer's interests.")


Source = Annotated[str, Field(min_length=3, max_length=400, description="Where the figure "
                              "comes from: a survey, its fieldwork dates and sample.")]
Fielded = Annotated[Date | None, Field(None, description="The last day of the poll's "
                                          "fieldwork (or the day it was published, where the "
                                          "fieldwork dates are not given): with the scenario's "
                                          "`start`, it must come before the run it starts.")]


class Baseline(Model):
    """Where a country's users stand on an issue when the run starts, from a poll: the shares
    on each side (the rest without a side), or a mean and spread on the -1..1 scale."""

    country: CountryCode
    positive: Share | None = Field(None, description="Share of users on the +1 side.")
    negative: Share | None = Field(None, description="Share of users on the -1 side.")
    mean: float | None = Field(None, ge=-1, le=1, description="Mean stance (with `sd`).")
    sd: float | None = Field(None, gt=0, le=2, description="Spread of stances around `mean` "
                             "(default: the parameter stance_initial_sd).")
    source: Source
    fielded: Fielded = None
    ages: Ages = None

    @model_validator(mode="after")
    def _one_form(self) -> Baseline:
        shares = self.positive is not None or self.negative is not None
        if shares == (self.mean is not None) or (self.sd is not None and self.mean is None):
            raise PydanticCustomError("baseline", "expected either positive and negative "
                                      "shares or a mean (and sd), not both or neither", {})
        if shares and (self.positive is None or self.negative is None):
            raise PydanticCustomError("baseline", "expected both positive and negative", {})
        if shares and self.positive + self.negative > 1:
            raise PydanticCustomError("shares", "positive + negative must be at most 1, got "
                                      "{total}", {"total": round(self.positive
                                                                 + self.negative, 6)})
        return self


class Issue(Model):
    """A contested question; stances run from -1 (``negative``) to +1 (``positive``)."""

    id: Id
    negative: str = Field(min_length=1, max_length=80, description="Name of the -1 side.")
    positive: str = Field(min_length=1, max_length=80, description="Name of the +1 side.")
    baselines: list[Baseline] = Field(default_factory=list, description="Polled starting "
                                      "stances by country; other countries start around 0 "
                                      "(stance_initial_sd).")


class Favourability(Model):
    """A poll of one country's users about a focal country; replaces the shipped row."""

    viewer: CountryCode = Field(description="The polled country.")
    focal: CountryCode = Field(description="The country asked about.")
    favourable: Share | None = Field(None, description="Share favourable (if only one share "
                                     "is published, the other is 1 - it - "
                                     "survey_no_opinion_share).")
    unfavourable: Share | None = None
    source: Source
    fielded: Fielded = None
    ages: Ages = None

    @model_validator(mode="after")
    def _total(self) -> Favourability:
        if self.favourable is None and self.unfavourable is None:
            raise PydanticCustomError("shares", "expected favourable, unfavourable or both", {})
        if None not in (self.favourable, self.unfavourable) and \
                self.favourable + self.unfavourable > 1:
            raise PydanticCustomError("shares", "favourable + unfavourable must be at most 1, "
                                      "got {total}", {"total": round(self.favourable
                                                                     + self.unfavourable, 6)})
        return self


class ClaimBaseline(Model):
    """How many of a country's users believe a claim when the run starts, from a survey."""

    country: CountryCode
    believing: Share = Field(description="Share of users who believe the claim (who would rate "
                             "it true or likely true).")
    source: Source
    fielded: Fielded = None
    ages: Ages = None


class Claim(Model):
    """A circulating factual claim, true or false."""

    id: Id
    true: bool = Field(description="Whether the claim is true.")
    baselines: list[ClaimBaseline] = Field(
        default_factory=list, description="Surveyed belief by country; other countries start "
        "at the parameter false_claim_believing_share or true_claim_believing_share.")


class Campaign(Model):
    """What an actor posts, how often, to whom, over which days."""

    id: Id
    start_day: Day = 0.0
    end_day: float | None = Field(None, gt=0, description="Day the campaign stops "
                                  "(default: the end of the run).")
    posts_per_day: float = Field(ge=0, description="Posts per day per account.")
    content_mix: dict[ContentKind, Share] | None = Field(
        None, description="Shares of entertainment, news, policy and education; they sum to 1."
    )
    topics: list[Topic] = Field(default_factory=list)
    hashtags: list[Hashtag] = Field(default_factory=list)
    stance: Stance | None = None
    claim: Id | None = Field(None, description="A declared claim the posts carry.")
    targets: list[Target] = Field(default_factory=lambda: [ALL], min_length=1,
                                  description="Countries targeted, or `all`.")
    ages: list[AgeGroup] | None = Field(None, min_length=1, description="Age groups targeted "
                                        "(default: all): the feed shows the posts only to "
                                        "users of these groups.")
    languages: list[Language] | None = Field(None, description="Default: the actor's languages.")
    appeal: Share | None = Field(None, description="How engaging the videos are, 0-1 (default: "
                                 "by content kind, see the parameter table).")
    challenge: bool = Field(False, description="A hashtag challenge: viewers post their own "
                            "videos with the campaign's hashtags.")
    portrays: Portrays = Field(default_factory=dict, description="How the videos portray "
                               "countries, -1 (attack) to +1 (praise): `{RU: -0.8, UA: 0.6}`. "
                               "The actor's own country is pulled up by default.")


class Audience(Model):
    """An account's published audience on the platform, scaled into the simulated world."""

    followers: int | None = Field(None, ge=0, le=2_000_000_000, description="Followers of "
                                  "each account on the real platform; the simulation starts "
                                  "the account with this times the sampling fraction "
                                  "(world.users / the platform's users in the scenario's "
                                  "countries).")
    views_per_post: float | None = Field(None, ge=0, description="Published typical views "
                                         "of a post, reported beside the simulated ones.")
    source: Source

    @model_validator(mode="after")
    def _something(self) -> Audience:
        if self.followers is None and self.views_per_post is None:
            raise PydanticCustomError("audience", "expected followers or views_per_post", {})
        return self


class Actor(Model):
    """Someone courting foreign publics: a government body, a medium, an organisation, people."""

    id: Id
    type: Literal[ACTOR_TYPES]  # type: ignore[valid-type]
    country: CountryCode
    host_country: CountryCode | None = Field(None, description="For an embassy: where it is.")
    languages: list[Language] = Field(min_length=1)
    accounts: int = Field(1, ge=1, le=10_000_000, description="For citizen and diaspora groups: "
                          "how many accounts act alike, their real number on the platform. "
                          "Every account a scenario names is kept whole at any world size (a "
                          "producer at its real scale, not a viewer); the simulated users see "
                          "its videos with the probability a sample of the platform would, "
                          "which in expectation is sampling the group like the public, with "
                          "less noise (the ODD page's sampling concept).")
    followers: int | None = Field(None, ge=0, le=1_000_000_000, description="Followers each "
                                  "account starts with (default: a share of its target "
                                  "audience, see actor_follower_share); 0 for a newcomer.")
    audience: Audience | None = Field(None, description="Published followers and views, "
                                      "with their source.")
    campaigns: list[Campaign] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_follower_count(self) -> Actor:
        if self.followers is not None and self.audience and self.audience.followers is not None:
            raise PydanticCustomError("followers", "give followers (simulated) or "
                                      "audience.followers (published, scaled), not both", {})
        return self


class Output(Model):
    """What a run keeps beyond the standard tables."""

    exposure_sample: Share | None = Field(None, description="Also keep this share of raw "
                                          "impressions (not supported yet).",
                                          json_schema_extra={"unsupported": True})


class Variant(Model):
    """A named change to the scenario, for comparisons: ``diplosim run FILE --variant ID``."""

    id: Id
    description: str = Field(min_length=1, max_length=500)
    set: dict[str, Any] = Field(default_factory=dict, description="Fields to change, as "
                                "`--set` paths: `platform.moderation.fact_check: false`.")
    remove: list[str] = Field(default_factory=list, description="List items to drop, as paths: "
                              "`events[1]` (removed after `set`, last index first).")


class Scenario(Model):
    """A whole scenario: the world, the platform, the actors and the timeline of events."""

    name: Id
    description: str | None = Field(None, max_length=2000)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    duration_days: int = Field(ge=1, le=3650)
    start: Date | None = Field(None, description="The calendar day day 0 stands for. With "
                                  "it, every poll the scenario gives must be fielded before "
                                  "it, and the shipped favourability rows fielded after it are "
                                  "not used.")
    world: World
    platform: Platform = Field(default_factory=Platform)
    issues: list[Issue] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    parameters: dict[str, float] = Field(default_factory=dict, description="Overrides of the "
                                         "model's parameter table, by name.")
    output: Output = Field(default_factory=Output)
    variants: list[Variant] = Field(default_factory=list, max_length=MAX_VARIANTS,
                                    description="Named variants of this scenario, each run "
                                    f"with `--variant ID` (at most {MAX_VARIANTS:,}).")

    def platform_users(self) -> int:
        """Platform users in the scenario's countries (``world.platform_users`` overrides
        included): the population the simulated users are a sample of."""
        table = country_table()
        return sum(self.world.platform_users.get(c, table[c].platform_users)
                   for c in self.world.countries)

    def platform_scale(self) -> float:
        """The sampling fraction: simulated users per platform user of the scenario's countries.
        The users are drawn in proportion to each country's platform users, so the fraction is
        the same in every country; a published audience (followers) times this is its expected
        size in the sample, and the sample's count of anything divided by it estimates the
        platform's (the ``sampling`` design concept of the model's ODD page)."""
        return self.world.users / max(self.platform_users(), 1)

    def start_followers(self, actor: Actor) -> int | None:
        """Followers each of ``actor``'s accounts starts with, if the scenario says (directly,
        or as a published count scaled by ``platform_scale``); None: drawn."""
        if actor.followers is not None:
            return actor.followers
        if actor.audience is not None and actor.audience.followers is not None:
            return int(round(actor.audience.followers * self.platform_scale()))
        return None

    def networks(self) -> list[CoordinatedNetwork]:
        """The coordinated networks, in the order of their events."""
        return [e for e in self.events if isinstance(e, CoordinatedNetwork)]

    def named_ids(self) -> list[str]:
        """Who the outputs report by name: every actor, then every coordinated network (ids are
        unique across both). A video's ``actor`` in the posts table, an account's in the
        accounts table and the ``audience`` rows use these ids."""
        return [a.id for a in self.actors] + [e.id for e in self.networks()]

    def focal_countries(self) -> list[str]:
        """Countries whose favourability users hold: every actor's and network's country, then
        every country a campaign or network portrays."""
        seen = [a.country for a in self.actors]
        seen += [e.country for e in self.events if isinstance(e, CoordinatedNetwork)]
        seen += [code for a in self.actors for c in a.campaigns for code in c.portrays]
        seen += [code for e in self.events if isinstance(e, CoordinatedNetwork)
                 for code in e.portrays]
        return list(dict.fromkeys(seen))
