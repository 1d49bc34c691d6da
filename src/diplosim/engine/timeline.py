"""The scenario's events, applied at the start of their hour: bans and their end, policy switches,
crises, influencer briefings, coordinated networks switching on."""

from __future__ import annotations

import json

import numpy as np

from diplosim.actors.campaigns import network_posts, sponsored_posts
from diplosim.engine.state import SimState
from diplosim.opinion.attention import HOLD, PUBLISHED
from diplosim.platform.videos import NEVER, NewVideos
from diplosim.scenario.schema import (
    Ban,
    CoordinatedNetwork,
    Crisis,
    InfluencerBriefing,
    Policy,
)
from diplosim.world.topics import TOPICS

__all__ = ["apply_events", "event_tick", "network_bursts"]


def event_tick(day: float) -> int:
    return int(round(day * 24))


def _row(tick: int, kind: str, subject: str, **detail) -> dict:
    return {"tick": tick, "day": tick // 24, "type": kind, "subject": subject,
            "detail": json.dumps(detail, sort_keys=True, default=str)}


def _claim_delay(state: SimState) -> int:
    return state.fact_check_delay if state.fact_check else -1


def apply_events(state: SimState, tick: int, rng: np.random.Generator,
                 log: list[dict]) -> list[NewVideos]:
    """Apply every event (and event end) due at ``tick``; returns posts the events create."""
    s, posts = state.scenario, []
    world = list(state.pop.countries)
    for ev in s.events:
        start = event_tick(ev.day)
        if isinstance(ev, Ban):
            ci = world.index(ev.country)
            if tick == start:
                state.banned[ci], state.vpn_share[ci] = True, ev.vpn_share
                actors = [a.id for a in s.actors]
                state.ban_exempt[[actors.index(a) for a in ev.exempt]] = True
                state.left_share[ci] = max(state.left_share[ci], ev.leave_share)
                log.append(_row(tick, "ban", ev.country, vpn_share=ev.vpn_share,
                                leave_share=ev.leave_share))
            if ev.end_day is not None and tick == event_tick(ev.end_day):
                state.banned[ci] = False
                log.append(_row(tick, "ban_lifted", ev.country))
        elif tick != start:
            continue
        elif isinstance(ev, Policy):
            _policy(state, ev, tick, log)
        elif isinstance(ev, Crisis):
            countries = np.array([world.index(c) for c in ev.countries])
            end = start + int(round(ev.duration_days * 24))
            fading = (HOLD if not ev.fades else ev.half_life_days or PUBLISHED)
            state.boosts.append((start, end, countries, TOPICS.index(ev.topic),
                                 ev.interest_multiplier, fading))
            log.append(_row(tick, "crisis", ev.topic, countries=ev.countries,
                            interest_multiplier=ev.interest_multiplier,
                            half_life_days=ev.half_life_days, fades=ev.fades,
                            until_tick=end))
        elif isinstance(ev, InfluencerBriefing):
            posts.append(_briefing(state, ev, tick, rng, log))
        elif isinstance(ev, CoordinatedNetwork):
            ni = [e for e in s.events if isinstance(e, CoordinatedNetwork)].index(ev)
            end = event_tick(ev.end_day) if ev.end_day is not None else s.duration_days * 24
            state.network_active[ni] = (start, end)
            log.append(_row(tick, "coordinated_network", ev.id, accounts=ev.accounts,
                            claim=ev.claim, targets=ev.targets))
    return posts


def _policy(state: SimState, ev: Policy, tick: int, log: list[dict]) -> None:
    changes = ev.model_dump(exclude={"day", "type"}, exclude_none=True)
    if not ev.exempt:
        changes.pop("exempt", None)
    if ev.ranking is not None:
        state.ranking = ev.ranking
    world = list(state.pop.countries)
    where = (np.array([world.index(c) for c in ev.countries]) if ev.countries is not None
             else np.arange(len(world)))
    if ev.state_media_labels is not None:
        state.labels_on[where] = ev.state_media_labels
    if ev.foreign_content is not None:
        state.foreign_blocked[where] = not ev.foreign_content
    if ev.uploads is not None:
        state.uploads_blocked[where] = not ev.uploads
        exempt = [a.id for a in state.scenario.actors].index
        state.upload_exempt[[exempt(a) for a in ev.exempt]] = not ev.uploads
    if ev.fact_check_delay_hours is not None:
        state.fact_check_delay = int(round(ev.fact_check_delay_hours))
    if ev.diversity is not None:
        state.diversity = ev.diversity
    if ev.fact_check is not None and ev.fact_check != state.fact_check:
        state.fact_check = ev.fact_check
        if ev.fact_check:  # false claims already out get their label after the delay from now
            st = state.store
            pending = st.column("claim_false") & (st.column("fact_check_tick") == NEVER)
            due = np.maximum(st.column("created_tick") + state.fact_check_delay, tick)
            st.column("fact_check_tick")[pending] = due[pending]
    log.append(_row(tick, "policy", "platform" if ev.countries is None else
                    ",".join(ev.countries), **changes))


def _briefing(state: SimState, ev: InfluencerBriefing, tick: int, rng: np.random.Generator,
              log: list[dict]) -> NewVideos:
    """The actor recruits the most-followed ordinary creators in the named countries."""
    pop, acc, s = state.pop, state.accounts, state.scenario
    codes = [pop.countries.index(c) for c in ev.countries]
    candidates = np.flatnonzero(np.isin(pop.country, codes))
    order = np.lexsort((candidates, -acc.followers[candidates]))
    chosen = candidates[order[: ev.influencers]]
    actor = next(a for a in s.actors if a.id == ev.actor)
    campaign = next(c for c in actor.campaigns if c.id == ev.campaign)
    log.append(_row(tick, "influencer_briefing", ev.actor, campaign=ev.campaign,
                    influencers=int(chosen.size), countries=ev.countries,
                    followers=int(acc.followers[chosen].sum())))
    return sponsored_posts(tick, chosen, campaign, actor, s, state.catalogue, pop, state.vocab,
                           state.focal_of_code, rng, state.params, _claim_delay(state))


def network_bursts(state: SimState, tick: int, rng: np.random.Generator) -> list[NewVideos]:
    """Active networks burst ``posts_per_account_per_day`` times a day at hours drawn per day."""
    s, out = state.scenario, []
    networks = [e for e in s.events if isinstance(e, CoordinatedNetwork)]
    first = state.accounts.n_users + sum(a.accounts for a in s.actors)
    for ni, net in enumerate(networks):
        if ni in state.network_active:
            start, end = state.network_active[ni]
            day_rng = np.random.Generator(np.random.PCG64(
                np.random.SeedSequence([s.seed, 300, ni, tick // 24])))
            n_bursts = int(np.floor(net.posts_per_account_per_day))
            if day_rng.random() < net.posts_per_account_per_day - n_bursts:
                n_bursts += 1
            hours = day_rng.choice(24, size=min(n_bursts, 24), replace=False)
            if start <= tick < end and tick % 24 in hours:
                out.append(network_posts(tick, net, ni, first, s, state.catalogue, state.vocab,
                                         state.focal_of_code, rng, state.params,
                                         _claim_delay(state)))
        first += net.accounts
    return out
