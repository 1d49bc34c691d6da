"""What a valid scenario may still get wrong: an actor or network posting in a language few of
its target users speak (its posts in that language then draw almost no views there, without
any error). ``diplosim validate`` and ``diplosim run`` print these warnings; they never stop a
run."""

from __future__ import annotations

from diplosim.scenario.fields import ALL
from diplosim.scenario.schema import Scenario
from diplosim.world.countries import country_table, language_names

__all__ = ["FEW_SPEAKERS", "language_warnings", "speaker_share"]

#: Below this share of its target users speaking a language, posting in it is flagged
#: (assumption: the feed matches a video's language to its viewers' (``language_mismatch_factor``
#: in the parameter table), so a language fewer than one in ten targets speak reaches few).
FEW_SPEAKERS = 0.10


def speaker_share(scenario: Scenario, language: str, countries: list[str]) -> float:
    """The share of the platform users of ``countries`` who speak ``language``: each country's
    speakers (the country table's share of its population) weighted by its platform users."""
    table = country_table()
    users = {c: scenario.world.platform_users.get(c, table[c].platform_users) for c in countries}
    total = sum(users.values())
    if total <= 0:
        return 0.0
    spoken = sum(u * min(1.0, dict(table[c].languages).get(language, 0.0))
                 for c, u in users.items())
    return spoken / total


def _targets(scenario: Scenario, targets: list[str]) -> list[str]:
    world = list(scenario.world.countries)
    return world if ALL in targets else [c for c in targets if c in world]


def language_warnings(scenario: Scenario) -> list[str]:
    """One line per campaign (or network) and language that fewer than ``FEW_SPEAKERS`` of the
    users speak in every one of its target countries (a campaign posting in each target's own
    language is not flagged), with the share of its posts in that language."""
    names = language_names()
    found = []
    posting = [(f"actor {a.id}, campaign {c.id}", c.languages or a.languages, c.targets)
               for a in scenario.actors for c in a.campaigns if c.posts_per_day > 0]
    posting += [(f"network {n.id}", n.languages, n.targets) for n in scenario.networks()]
    for who, languages, targets in posting:
        countries = _targets(scenario, targets)
        if not countries:
            continue
        for lang in dict.fromkeys(languages):
            best = max(countries, key=lambda c: speaker_share(scenario, lang, [c]))
            if speaker_share(scenario, lang, [best]) < FEW_SPEAKERS:
                found.append(
                    f"{who}: about {1 / len(set(languages)):.0%} of its posts are in "
                    f"{names.get(lang, lang)} ({lang}), which "
                    f"{speaker_share(scenario, lang, countries):.1%} of its target users "
                    f"({', '.join(countries)}) speak, and under {FEW_SPEAKERS:.0%} in each of "
                    "its target countries: those posts will draw few views there")
    return found
