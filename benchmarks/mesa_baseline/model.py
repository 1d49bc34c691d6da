"""The reduced diplosim model written the standard way, in Mesa: one Python ``Agent`` per user
that scrolls its feed page in ``step()``, with Python's random numbers.

What is shared and what is not. The world (population, accounts, follow graph) is built by
diplosim from the same scenario and seed, and the platform's bookkeeping between ticks (posting,
the candidate lists, exposure pools, the tables) is diplosim's, vectorised, so the comparison
isolates the per-impression work, where both spend their time: choosing each slot's video from
the engagement-ranked sources, the viewer's behaviour (complete, like, comment, share, follow)
and the persuasion update. The feed's choice of a video per slot (``diplosim.engine.kernel``)
is re-implemented here per agent in plain Python; the behaviour and persuasion formulas are
diplosim's own functions (``diplosim.opinion``) called uncompiled; agents hold their own state
as Python values. The reduced model has no events (bans, policies, networks, crises).
"""

from __future__ import annotations

import bisect
import random
import struct
from pathlib import Path
from types import SimpleNamespace

import mesa
import numpy as np
from mesa.agent import AgentSet

from diplosim.engine.engine import _manifest, _video_floor, burn_in_platform
from diplosim.engine.hour import active_users, post_hour
from diplosim.engine.named import add_platform_audience
from diplosim.engine.outcomes import TickBuffers, TickLog
from diplosim.engine.snapshots import attitude_table, attitudes_by_age, audience_table
from diplosim.engine.state import SEEN, build_state, refresh_masks, relax_opinions
from diplosim.opinion import behaviour, persuasion
from diplosim.platform.exposure_pools import promote
from diplosim.platform.recommender import build_candidates, candidate_window, source_mix
from diplosim.scenario.schema import Scenario
from diplosim.store.writer import RunWriter

__all__ = ["FeedModel", "UserAgent", "run_mesa"]

# The behaviour and persuasion rules are diplosim's own functions, called as plain Python (their
# uncompiled bodies), so both implementations share one statement of the model's formulas.
congruence = behaviour.congruence.py_func
completion_probability = behaviour.completion_probability.py_func
engagement_factor = behaviour.engagement_factor.py_func
like_share_probabilities = behaviour.like_share_probabilities.py_func
favourability_step = persuasion.favourability_step.py_func
stance_step = persuasion.stance_step.py_func
belief_step = persuasion.belief_step.py_func
contact_step = persuasion.contact_step.py_func
source_trust = persuasion.source_trust.py_func
counter_weight = persuasion.counter_weight.py_func

_TRIES = 6
_SEEN = SEEN
_STATE_MEDIA = 5


_M64 = (1 << 64) - 1
_G = 0x9E3779B97F4A7C15


def _mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


class CounterDraws:
    """diplosim's counter-based draws (``diplosim.platform.rng``) in pure Python, numbered as
    the kernel numbers them: with ``exact=True`` the Mesa model must reproduce diplosim's run
    draw for draw, which checks that the two implement the same rules."""

    def __init__(self, seed: int, tick: int, user: int):
        z = _mix((seed + _G) & _M64)
        z = _mix(z ^ ((tick + _G) & _M64))
        self.key = _mix(z ^ ((user + _G) & _M64))
        self.draw = 0

    def at(self, k: int) -> float:
        return (_mix(self.key ^ ((self.draw + k + _G) & _M64)) >> 11) * (1.0 / 9007199254740992.0)


class PythonDraws:
    """Python's Mersenne Twister, one number per use (the ordinary agent-based way)."""

    def __init__(self, rnd: random.Random):
        self.random, self.draw = rnd.random, 0

    def at(self, k: int) -> float:
        return self.random()


def _float32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def _pick(ptr: list, ids: list, cum: list, group: int, r: float) -> int:
    """``diplosim.platform.recommender.pick_weighted`` on Python lists (``bisect`` where the
    compiled one slices a NumPy array, which from Python would copy the list every call)."""
    a, b = ptr[group], ptr[group + 1]
    if b <= a:
        return -1
    base = cum[a - 1] if a > 0 else 0.0
    total = cum[b - 1] - base
    if total <= 0.0:
        return -1
    j = bisect.bisect_right(cum, base + r * total, a, b) - a
    return ids[a + min(j, b - a - 1)]


class UserAgent(mesa.Agent):
    """One platform user: its profile, opinions, follows and recently seen videos."""

    def __init__(self, model: FeedModel, u: int):
        super().__init__(model)
        pop, acc = model.state.pop, model.state.accounts
        self.u = u
        self.country = int(pop.country[u])
        self.age = int(pop.age[u])
        self.lang1 = int(pop.lang1[u])
        self.lang2 = int(pop.lang2[u])
        self.interests = [float(x) for x in pop.interests[u]]
        self.attitudes = [float(x) for x in pop.attitudes[u]]
        self.stances = [float(x) for x in pop.stances[u]]
        self.beliefs = [float(x) for x in pop.beliefs[u]]
        self.expo = [0] * model.state.expo.shape[1]
        self.follows = acc.follow_idx[acc.follow_ptr[u]:acc.follow_ptr[u + 1]].tolist()
        self.extra: list[int] = []
        # what the user saw during the burn-in, oldest first (diplosim's ring of SEEN)
        st = model.state
        pos = int(st.seen_pos[u])
        ring = [int(st.seen[u, (pos + k) % _SEEN]) for k in range(_SEEN)]
        self.seen: list[int] = [v for v in ring if v >= 0]

    def step(self) -> None:
        m = self.model
        kp, videos, boost = m.kp, m.videos, m.boost[self.country]
        rnd = CounterDraws(m.seed, m.tick, self.u) if m.exact else PythonDraws(m.random)
        self.rnd = rnd
        weights = [w * b for w, b in zip(self.interests, boost, strict=True)]
        total, best = sum(weights), max(max(weights), 1e-9)
        page: list[int] = []
        inbox = self._inbox(page)
        for _slot in range(m.page_size):
            v, via = next(inbox, (-1, -1))
            src = 6 if v >= 0 else 0  # where the video came from (``SOURCE`` of the kernel)
            speaks = False  # (``_watch`` works it out again)
            for _ in range(_TRIES if v < 0 else 0):
                r, r2 = rnd.at(0), rnd.at(2)
                cand, cvia, source_interest = -1, -1, False
                if r < m.mix[1]:
                    lang = self.lang1
                    if self.lang2 != 65535 and rnd.at(1) >= 0.8:
                        lang = self.lang2
                    cand = _pick(*m.pool, lang, r2) if r < m.mix[0] else _pick(*m.trend, lang, r2)
                    csrc = 1 if r < m.mix[0] else 2
                elif r < m.mix[2]:
                    x, t = rnd.at(3) * total, 0
                    while t < len(weights) - 1 and x >= weights[t]:
                        x -= weights[t]
                        t += 1
                    cand = _pick(*m.topic, t, r2)
                    source_interest = True
                    csrc = 3
                else:
                    cand, cvia = self._followed(r2)
                    csrc = 5
                rnd.draw += 5
                if cand < 0:
                    continue
                rec = videos[cand]
                if rec[0] == self.u or not m.masks[rec[4]][self.country] \
                        or not m.age_masks[rec[4]][self.age]:
                    continue
                # the last SEEN impressions, this page's included, are not shown again
                if cand in page or cand in self.seen[max(0, len(self.seen) + len(page) - _SEEN):]:
                    continue
                speaks = rec[5] == self.lang1 or rec[5] == self.lang2
                accept = 1.0
                if source_interest and not speaks:
                    accept *= kp.cross_language_acceptance
                if m.labels_on[self.country] and rec[12] and rec[10] == _STATE_MEDIA:
                    accept *= 1.0 - kp.state_media_demotion
                if rec[11] and rec[1] <= m.tick:
                    accept *= 1.0 - kp.fact_check_demotion
                if accept < 1.0 and rnd.at(0) >= accept:
                    rnd.draw += 1
                    continue
                rnd.draw += 1
                v, via, src = cand, cvia, csrc
                break
            if v < 0:
                continue
            page.append(v)
            m.record(self.u, v, self._watch(videos[v], via, weights, best, speaks), via, videos,
                     src)
            rnd.draw += 6
        self.seen = (self.seen + page)[-_SEEN:]

    def _inbox(self, page: list[int]):
        """What friends sent (diplosim's inbox arrays, filled by its bookkeeping), in entry
        order: each entry read is cleared; stale, own, untargeted or seen videos are skipped."""
        m, st = self.model, self.model.state
        box = int(st.inbox_row[self.u])  # the user's inbox row, -1: nothing sent lately
        for k in range(st.inbox_vid.shape[1] if box >= 0 else 0):
            cand = int(st.inbox_vid[box, k])
            if cand < 0:
                continue
            st.inbox_vid[box, k] = -1
            if (m.tick - int(st.inbox_tick[box, k])) % 65536 >= m.kp.follow_window_hours:
                continue
            rec = m.videos[cand]
            if rec[0] == self.u or not m.masks[rec[4]][self.country] \
                        or not m.age_masks[rec[4]][self.age]:
                continue
            if cand in page or cand in self.seen[max(0, len(self.seen) + len(page) - _SEEN):]:
                continue
            acc = st.accounts  # the sender is kept as its place in the user's friend row
            yield cand, int(acc.friend_idx[acc.friend_ptr[self.u] + int(st.inbox_from[box, k])])

    def _followed(self, r: float) -> tuple[int, int]:
        n = len(self.follows) + len(self.extra)
        if n == 0:
            return -1, -1
        j = int(r * n)
        f = self.follows[j] if j < len(self.follows) else self.extra[j - len(self.follows)]
        m = self.model
        best, best_key = -1, -1.0
        for v, t in m.ring(f):
            if v < 0 or m.tick - t >= m.kp.follow_window_hours:
                continue
            key = m.eng[v]  # the most engaging (first of equals)
            if key > best_key:
                best, best_key = v, key
        return best, f

    def _watch(self, rec: tuple, via: int, weights: list, best: float, speaks: bool) -> int:
        m, kp, rnd = self.model, self.model.kp, self.rnd
        issue, claim, topic = rec[6], rec[7], rec[9]
        match = weights[topic] / best
        speaks = rec[5] == self.lang1 or rec[5] == self.lang2
        cong = 0.75 if issue < 0 else congruence(self.stances[issue], rec[3])
        p_done = completion_probability(kp, match, rec[2], speaks, cong)
        flags = 1
        if rnd.at(0) >= p_done:
            return flags
        flags |= 2
        corrected = rec[11] and rec[1] <= m.tick
        eng = engagement_factor(kp, rec[2], cong)
        if rec[11]:
            eng *= kp.false_claim_novelty
        like, share = like_share_probabilities(kp, eng, corrected)
        if rnd.at(1) < like:
            flags |= 4
        if rnd.at(2) < kp.comment_given_completion * eng:
            flags |= 8
        if rnd.at(3) < share:
            flags |= 16
        if rnd.at(4) < kp.follow_given_completion * eng * match:
            author = rec[0]
            if author not in self.extra and author not in self.follows:
                flags |= 32
                self.extra = ([*self.extra, author])[-m.extra_width:]
        if rec[13] and rnd.at(5) < kp.challenge_post_probability:
            flags |= 64
        cred = m.credibility[rec[10]]
        if m.labels_on[self.country] and rec[12]:
            cred *= kp.label_credibility_factor
        f, own, p = rec[8], m.focal_of_country[self.country], rec[14]
        trust = 1.0
        rate, sat = kp.favourability_rate, kp.favourability_saturation
        factor = kp.counter_attitudinal_factor
        if f >= 0 and f != own:
            a = self.attitudes[f]
            direction = 1.0
            if issue >= 0:
                direction = counter_weight(self.stances[issue], rec[3], factor)
            t = source_trust(a, kp.source_trust_slope, factor)
            if p > 0 and m.portray[p][f] != 0.0:
                pass
            elif rec[10] == 0:
                self.attitudes[f] = m.store(contact_step(
                    a, direction * kp.everyday_favourability_factor * t, cred,
                    rate, float(self.expo[f]), sat, kp.contact_ceiling))
            else:
                self.attitudes[f] = m.store(favourability_step(
                    a, direction, cred * t, rate, float(self.expo[f]), sat))
            if rec[10] != 0:
                trust = t
            self.expo[f] = min(self.expo[f] + 1, 65535)
        if p > 0:
            for g, w in enumerate(m.portray[p]):
                if w == 0.0 or g == own:
                    continue
                self.attitudes[g] = m.store(favourability_step(
                    self.attitudes[g], w, cred * trust, rate, float(self.expo[g]), sat))
                if g != f:
                    self.expo[g] = min(self.expo[g] + 1, 65535)
        cred *= trust
        if issue >= 0:
            self.stances[issue] = m.store(stance_step(
                self.stances[issue], rec[3], cred, kp.stance_rate, factor))
        if claim >= 0:
            self.beliefs[claim] = m.store(belief_step(
                self.beliefs[claim], cred, kp.belief_rate, corrected,
                kp.correction_log_odds))
        return flags


class FeedModel(mesa.Model):
    """The reduced model: every hour, active users (Mesa agents) scroll one feed page."""

    def __init__(self, scenario: Scenario, out: Path, exact: bool = False):
        if scenario.events or scenario.platform.ranking != "engagement" \
                or scenario.platform.diversity:
            raise ValueError("the Mesa baseline runs the reduced model: an engagement-ranked "
                             "feed without diversity and without events")
        super().__init__(seed=scenario.seed)
        self.random = random.Random(scenario.seed)
        self.seed, self.exact = scenario.seed, exact
        # diplosim keeps opinions in float32; the exact check rounds the same way
        self.store = _float32 if exact else float
        self.state = state = build_state(scenario)
        burn_in_platform(state)  # the platform's past, played by diplosim as in a run
        self.writer = RunWriter(out, _manifest(scenario, state))
        # the kernel's parameter record as plain Python numbers, read by name like the kernel
        record = state.kernel_params[0]
        self.kp = SimpleNamespace(**{n: record[n].item() for n in record.dtype.names})
        self.credibility = state.credibility.tolist()
        self.focal_of_country = state.focal_of_country.tolist()
        self.labels_on = state.labels_on.tolist()
        self.portray = state.portray.tolist()
        self.page_size = int(state.params["videos_per_session"])
        self.mix = source_mix(state.params, "engagement").tolist()
        self.extra_width = state.accounts.extra_follows.shape[1]
        self.users = [UserAgent(self, u) for u in range(state.pop.size)]
        self.tick = 0
        self.challenge = (np.empty(0, np.int64), np.empty(0, np.int32))
        self.videos: list[tuple] = []
        self.impressions = 0
        self.buffers = TickBuffers()  # diplosim's per-tick scratch, kept as diplosim keeps it

    def ring(self, account: int) -> list[tuple[int, int]]:
        st = self.state
        r = int(st.ring_row[account])  # diplosim keeps a ring row only while it holds entries
        if r < 0:
            return []
        ticks = st.ring_tick[r].tolist()
        return [(v, self.tick - (self.tick - t) % 65536) for v, t in
                zip(st.ring_vid[r].tolist(), ticks, strict=True)]

    def record(self, u: int, v: int, flags: int, via: int, videos: list, src: int) -> None:
        self._video.append(v)
        self._flags.append(flags | (128 if via >= 0 else 0))  # through the follow graph
        self._src.append(src)
        self._from.append((via if via >= 0 else videos[v][0]) if flags & 16 else -1)
        self._users.append(u)

    def step(self) -> None:
        state, tick = self.state, self.tick
        window = candidate_window(state.pool.max_age)
        if tick == 0:
            self.writer.append("attitudes", attitude_table(state, 0))
            self.writer.append("attitudes_by_age", attitudes_by_age(state, 0))
        if tick % 24 == 0:
            state.video_floor = _video_floor(state, tick, window)
        # ordinary users' posts carry their authors' current stance and beliefs, as in diplosim
        self._sync(attitudes=False)
        post_hour(state, tick, self.challenge)
        st = state.store
        self.videos += st.hot[len(self.videos):st.n].tolist()
        refresh_masks(state)
        if len(state.set_tags) != len(state.catalogue.hashtag_sets):
            state.set_tags = state.catalogue.set_tags()
        self.masks = state.masks.tolist()
        self.age_masks = state.age_masks.tolist()
        self.boost = state.topic_boost(tick).tolist()
        self.eng = st.eng_decayed[:st.n].tolist()
        c = build_candidates(st, tick, len(state.languages), state.pool, state.set_tags,
                             state.params["hashtag_trend_pooling"], state.demand)
        self.cand = c
        self.pool = (c.pool_ptr.tolist(), c.pool_ids.tolist(), c.pool_cum.tolist())
        self.trend = (c.trend_ptr.tolist(), c.trend_ids.tolist(), c.trend_cum.tolist())
        self.topic = (c.topic_ptr.tolist(), c.topic_ids.tolist(), c.topic_cum.tolist())
        active = active_users(state, tick)
        self._video, self._flags, self._from, self._users, self._src = [], [], [], [], []
        AgentSet([self.users[u] for u in active.tolist()], random=self.random).do("step")
        self._finish(tick)
        self.tick += 1

    def _finish(self, tick: int) -> None:
        """Hand the tick's impressions to diplosim's bookkeeping (as the kernel's output)."""
        state = self.state
        users = np.asarray(self._users, np.int64)
        order = np.argsort(users, kind="stable")  # the bookkeeping reads users in order
        starts = np.searchsorted(users[order], np.unique(users))
        page = self.page_size
        uniq = np.unique(users)
        video = np.full(uniq.size * page, -1, np.int32)
        flags = np.zeros(uniq.size * page, np.uint8)
        source = np.full(uniq.size * page, -1, np.int32)
        src = np.zeros(uniq.size * page, np.uint8)
        counts = np.diff(np.append(starts, users.size))
        slot = np.arange(users.size) - np.repeat(starts, counts)
        pos = np.repeat(np.arange(uniq.size) * page, counts) + slot
        video[pos] = np.asarray(self._video, np.int32)[order]
        flags[pos] = np.asarray(self._flags, np.uint8)[order]
        source[pos] = np.asarray(self._from, np.int32)[order]
        src[pos] = np.asarray(self._src, np.uint8)[order]
        log = TickLog(state, tick, state.video_floor, self.buffers)
        log.add(uniq, page, video, flags, source, src, last=True)
        exposures, interactions = log.finish(0.5 ** (1 / state.params["trending_half_life_hours"]))
        promote(state.store, state.pool.quotas, state.params["pool_promotion_engagement"],
                state.video_floor)
        # the named accounts' platform audience, as the engine adds it
        add_platform_audience(state, self.cand, log.slots, tick, log.base)
        self.challenge = log.challenges
        self.impressions += log.impressions
        self.writer.append("exposures", exposures)
        self.writer.append("interactions", interactions)
        if tick % 24 == 23:
            self._sync()
            # the day's end: what has not lasted fades, on the arrays, then back to the agents
            relax_opinions(state)
            for a in self.users:
                a.attitudes = [float(x) for x in state.pop.attitudes[a.u]]
                a.stances = [float(x) for x in state.pop.stances[a.u]]
                a.beliefs = [float(x) for x in state.pop.beliefs[a.u]]
            self.writer.append("attitudes", attitude_table(state, tick // 24 + 1))
            self.writer.append("attitudes_by_age", attitudes_by_age(state, tick // 24 + 1))
            audience, by_age = audience_table(state, tick // 24)
            self.writer.append("audience", audience)
            self.writer.append("audience_by_age", by_age)
            self.writer.end_day()

    def _sync(self, attitudes: bool = True) -> None:
        """Copy the agents' opinions into the arrays the attitude table (and, stances and
        beliefs, the posting of ordinary users) reads."""
        pop = self.state.pop
        for a in self.users:
            if attitudes:
                pop.attitudes[a.u] = a.attitudes
            pop.stances[a.u] = a.stances
            pop.beliefs[a.u] = a.beliefs


def run_mesa(scenario: Scenario, out: Path, exact: bool = False) -> dict:
    """Run the reduced model for the scenario's days; returns impressions and seconds, timed as
    the bench times ``diplosim.engine.simulate``: from building the world to the finished
    tables."""
    import time

    start = time.perf_counter()
    model = FeedModel(scenario, out, exact)
    for _ in range(scenario.duration_days * 24):
        model.step()
    model.writer.finish({"impressions": model.impressions, "engine": "mesa"})
    seconds = time.perf_counter() - start
    return {"impressions": model.impressions, "seconds": seconds}
