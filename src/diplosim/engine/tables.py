"""The end-of-run tables: every post with its final counts, every account with its followers.
Built in slices of ``BATCH`` rows, so their Python strings never exist for the whole run at once."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from diplosim.engine.state import SimState
from diplosim.platform.accounts import MESSENGER_TYPES, count_ids
from diplosim.platform.videos import NEVER
from diplosim.store.contract import SIMULATED, schema
from diplosim.world.topics import TOPICS

__all__ = ["BATCH", "account_counts", "accounts_table", "posts_table", "slices"]

BATCH = 1 << 16
#: The tables' columns and types, from the table contract.
_POSTS, _ACCOUNTS = schema("posts", SIMULATED), schema("accounts", SIMULATED)


def slices(n: int):
    """(lo, hi) row ranges of at most ``BATCH`` rows covering ``range(n)`` (one empty range for
    n = 0, so an empty table still has its schema)."""
    for lo in range(0, max(n, 1), BATCH):
        yield lo, min(n, lo + BATCH)


def _dict(codes: np.ndarray, values: list[str] | tuple[str, ...]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(values))


def _nullable_dict(codes: np.ndarray, values: list[str]) -> pa.DictionaryArray:
    codes = codes.astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                          pa.array(values or [""]))


def _texts(state: SimState, lo: int, hi: int) -> list[str]:
    """A readable description per post; coordinated posts are near-copies of one template."""
    st, s = state.store, state.scenario
    claims = [c.id for c in s.claims]
    tags = [" ".join(t) for t in state.catalogue.hashtag_sets]
    topic, claim, hashtags = st.topic[lo:hi], st.claim[lo:hi], st.hashtags[lo:hi]
    variant, messenger = st.variant[lo:hi], st.messenger[lo:hi]
    network = MESSENGER_TYPES.index("network")
    words = ("truth", "facts", "proof", "evidence")
    out = []
    for i in range(hi - lo):
        c = f" about {claims[claim[i]]}" if claim[i] >= 0 else ""
        if messenger[i] == network:
            out.append(f"They hide the {words[variant[i] & 3]}{c}! Share before it is deleted "
                       f"{tags[hashtags[i]]}".strip())
        else:
            out.append(f"{TOPICS[topic[i]]} video{c} {tags[hashtags[i]]} #{variant[i]:x}".strip())
    return out


def posts_table(state: SimState, lo: int, hi: int) -> pa.Table:
    """Posts ``lo`` to ``hi - 1``: what each is, and its counts at the end of the run."""
    st, s = state.store, state.scenario
    issues = [i.id for i in s.issues]
    claims = [c.id for c in s.claims]
    named = s.named_ids()
    author = st.author[lo:hi]
    campaign = st.campaign[lo:hi]
    actor = st.actor[lo:hi]
    fc = st.fact_check_tick[lo:hi]
    stance_issue = st.stance_issue[lo:hi]
    claim_true = np.array([c.true for c in s.claims] + [False])[st.claim[lo:hi]]
    return pa.table({
        "post": pa.array(np.arange(lo, hi, dtype=np.int32)),
        "account": pa.array(author),
        "time": pa.array(st.created_sec[lo:hi]),
        "tick": pa.array(st.created_tick[lo:hi]),
        "day": pa.array((st.created_tick[lo:hi] // 24).astype(np.int16)),
        "language": _dict(st.lang[lo:hi], state.languages),
        "topic": _dict(st.topic[lo:hi], TOPICS),
        "text": pa.array(_texts(state, lo, hi), pa.string()),
        "hashtags": pa.array([list(t) for t in state.catalogue.hashtag_sets],
                             pa.list_(pa.string())).take(pa.array(st.hashtags[lo:hi])),
        "appeal": pa.array(st.appeal[lo:hi]),
        "issue": _nullable_dict(stance_issue, issues),
        "stance": pa.array(st.stance_value[lo:hi], mask=stance_issue < 0),
        "claim": _nullable_dict(st.claim[lo:hi], claims),
        "claim_true": pa.array(claim_true, mask=st.claim[lo:hi] < 0),
        "actor": _nullable_dict(actor, named),
        "campaign": _nullable_dict(campaign, [c for _, c in state.catalogue.campaigns]),
        "sponsor": _nullable_dict(st.sponsor[lo:hi], [a.id for a in s.actors]),
        "messenger": _dict(st.messenger[lo:hi], MESSENGER_TYPES),
        "state_affiliated": pa.array(st.labelled[lo:hi]),
        "challenge": pa.array(st.challenge[lo:hi]),
        "fact_check_tick": pa.array(fc, mask=fc == NEVER),
        "impressions": pa.array(st.impressions[lo:hi]),
        "platform_views": pa.array(np.rint(st.platform_views[lo:hi]).astype(np.int64)),
        # a named account's video weighs the sampling fraction, the sample's own weigh 1
        "platform_posts": pa.array(np.where(st.weight[lo:hi] < 1.0, 1.0,
                                            1.0 / state.sampling)),
        "completions": pa.array(st.completions[lo:hi]),
        "likes": pa.array(st.likes[lo:hi]),
        "comments": pa.array(st.comments[lo:hi]),
        "shares": pa.array(st.shares[lo:hi]),
    }, schema=_POSTS)


def account_counts(state: SimState) -> tuple[np.ndarray, np.ndarray]:
    """Per account: posts made, and followers at the start (follows made during the run go to
    ``extra_follows``, so the CSR is still the start's)."""
    acc, store = state.accounts, state.store
    return count_ids(store.author[: store.n], acc.size), count_ids(acc.follow_idx, acc.size)


def accounts_table(state: SimState, lo: int, hi: int,
                   counts: tuple[np.ndarray, np.ndarray]) -> pa.Table:
    """Accounts ``lo`` to ``hi - 1``: users (handle ``user<id>``), then actor and network
    accounts, with their followers at the start and the end (``counts``: account_counts)."""
    acc, s = state.accounts, state.scenario
    networks = [e.id for e in s.networks()]
    actor, network = acc.column("actor", lo, hi), acc.column("network", lo, hi)
    kind = np.where(actor >= 0, 1, np.where(network >= 0, 2, 0))
    # a network's accounts report under its id (after the actors: ``Scenario.named_ids``)
    named = np.where(network >= 0, len(s.actors) + network.astype(np.int64), actor)
    posts, followers_start = (c[lo:hi] for c in counts)
    users = pa.array(np.arange(lo, min(hi, acc.n_users), dtype=np.int64)).cast(pa.string())
    handles = pa.concat_arrays([
        pc.binary_join_element_wise("user", users, ""),
        pa.array(acc.handles[max(lo, acc.n_users) - acc.n_users:max(hi, acc.n_users)
                             - acc.n_users], pa.string())])
    return pa.table({
        "account": pa.array(np.arange(lo, hi, dtype=np.int32)),
        "handle": handles,
        "kind": _dict(kind, ["user", "actor", "network"]),
        "actor_type": _dict(acc.column("messenger", lo, hi), MESSENGER_TYPES),
        "actor": _nullable_dict(named, s.named_ids()),
        "country": _dict(acc.column("country", lo, hi), acc.countries),
        "language": _dict(acc.column("lang", lo, hi), state.languages),
        "state_affiliated": pa.array(acc.column("labelled", lo, hi)),
        "inauthentic": pa.array(network >= 0),
        "network": _nullable_dict(network, networks),
        "active_from_tick": pa.array(acc.column("active_from", lo, hi)),
        "followers_start": pa.array(followers_start),
        "followers_end": pa.array(acc.followers[lo:hi]),
        "posts": pa.array(posts),
    }, schema=_ACCOUNTS)
