"""The timeline's events: an influencer briefing, a coordinated network, a crisis, a ban and a
policy change, each a day and what happens on it (``Event`` chooses by ``type``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from diplosim.scenario.fields import (
    ALL,
    CountryCode,
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

__all__ = ["EVENT_TYPES", "Ban", "CoordinatedNetwork", "Crisis", "Event", "InfluencerBriefing",
           "Policy"]


class _Event(Model):
    day: Day = Field(description="Day the event happens (fractions are hours: 3.5 is noon).")


class InfluencerBriefing(_Event):
    type: Literal["influencer_briefing"]
    actor: Id
    campaign: Id
    influencers: int = Field(ge=1, le=100_000)
    countries: list[CountryCode] = Field(min_length=1)


class CoordinatedNetwork(_Event):
    type: Literal["coordinated_network"]
    id: Id
    country: CountryCode
    accounts: int = Field(ge=1, le=1_000_000)
    languages: list[Language] = Field(min_length=1)
    claim: Id | None = None
    stance: Stance | None = None
    posts_per_account_per_day: float = Field(ge=0)
    burst_window_minutes: float = Field(gt=0, le=1440)
    targets: list[Target] = Field(default_factory=lambda: [ALL], min_length=1)
    hashtags: list[Hashtag] = Field(default_factory=list)
    end_day: float | None = Field(None, gt=0)
    portrays: Portrays = Field(default_factory=dict, description="How the network's videos "
                               "portray countries, -1 to +1.")


class Crisis(_Event):
    type: Literal["crisis"]
    topic: Topic
    countries: list[CountryCode] = Field(min_length=1)
    interest_multiplier: float = Field(gt=0, le=100)
    duration_days: float = Field(gt=0)
    half_life_days: float | None = Field(None, gt=0, description="One exponential fade: the "
                                         "extra interest halves every this many days "
                                         "(default: none, the published two-phase fade).")
    fades: bool = Field(True, description="false: the multiplier holds at its full level to "
                        "the crisis's end (default true: the extra interest fades, fast then "
                        "as a power law, as attention to an outside shock is measured to).")


class Ban(_Event):
    type: Literal["ban"]
    country: CountryCode
    vpn_share: Share = Field(0.0, description="Share of the country's users who keep using the "
                             "app through a VPN.")
    end_day: float | None = Field(None, gt=0, description="Day the service is restored, if it is.")
    leave_share: Share = Field(0.0, description="Share of the country's users who move to "
                               "another app when the ban starts and stay there after it ends "
                               "(at most 1 - vpn_share).")
    exempt: list[Id] = Field(default_factory=list, description="Actors based in the country "
                             "whose accounts keep posting through the ban (every other account "
                             "based there, the scenario's actors, groups and networks "
                             "included, stops posting; ordinary users keep posting only "
                             "through a VPN).")

    @model_validator(mode="after")
    def _shares(self) -> Ban:
        if self.vpn_share + self.leave_share > 1:
            raise PydanticCustomError("shares", "vpn_share + leave_share must be at most 1, got "
                                      "{total}", {"total": round(self.vpn_share
                                                                 + self.leave_share, 6)})
        return self


class Policy(_Event):
    """A platform policy changes from ``day``: everywhere, or (``countries``) a national
    information environment: what users there may post and see, and whether they see labels."""

    type: Literal["policy"]
    ranking: Ranking | None = None
    state_media_labels: bool | None = None
    fact_check: bool | None = None
    fact_check_delay_hours: float | None = Field(None, ge=0)
    diversity: Share | None = None
    countries: list[CountryCode] | None = Field(None, min_length=1, description="Only in these "
                                                "countries (uploads, foreign_content and "
                                                "state_media_labels).")
    uploads: bool | None = Field(None, description="false: accounts based in `countries` "
                                 "can no longer post (except `exempt` actors).")
    foreign_content: bool | None = Field(None, description="false: users in `countries` see "
                                         "only videos of accounts based in their own country.")
    exempt: list[Id] = Field(default_factory=list, description="Actors whose accounts keep "
                             "posting when uploads stop.")

    @model_validator(mode="after")
    def _scope(self) -> Policy:
        national = ("uploads", "foreign_content")
        if self.countries is None and any(getattr(self, k) is not None for k in national):
            raise PydanticCustomError("scope", "uploads and foreign_content need countries "
                                      "(the countries whose users they apply to)", {})
        platform_wide = ("ranking", "fact_check", "fact_check_delay_hours", "diversity")
        given = [k for k in platform_wide if getattr(self, k) is not None]
        if self.countries is not None and given:
            raise PydanticCustomError("scope", "{fields} apply to the whole platform, not to "
                                      "countries; use a second policy event",
                                      {"fields": ", ".join(given)})
        if self.exempt and self.uploads is not False:
            raise PydanticCustomError("scope", "exempt applies with uploads: false", {})
        return self


Event = Annotated[
    InfluencerBriefing | CoordinatedNetwork | Crisis | Ban | Policy, Field(discriminator="type")
]
EVENT_TYPES = {
    m.model_fields["type"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in (InfluencerBriefing, CoordinatedNetwork, Crisis, Ban, Policy)
}
