"""The end-of-run tables: every post with its final counts, every account with its followers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from diplosim.engine.state import SimState
from diplosim.platform.accounts import MESSENGER_TYPES
from diplosim.platform.videos import NEVER
from diplosim.world.topics import TOPICS

__all__ = ["accounts_table", "posts_table"]


def _dict(codes: np.ndarray, values: list[str] | tuple[str, ...]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(values))


def _nullable_dict(codes: np.ndarray, values: list[str]) -> pa.DictionaryArray:
    codes = codes.astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                          pa.array(values or [""]))


def _texts(state: SimState) -> list[str]:
    """A readable description per post; coordinated posts are near-copies of one template."""
    st, s = state.store, state.scenario
    n = st.n
    claims = [c.id for c in s.claims]
    tags = [" ".join(t) for t in state.catalogue.hashtag_sets]
    topic, claim, hashtags = st.topic[:n], st.claim[:n], st.hashtags[:n]
    variant, messenger = st.variant[:n], st.messenger[:n]
    network = MESSENGER_TYPES.index("network")
    words = ("truth", "facts", "proof", "evidence")
    out = []
    for i in range(n):
        c = f" about {claims[claim[i]]}" if claim[i] >= 0 else ""
        if messenger[i] == network:
            out.append(f"They hide the {words[variant[i] & 3]}{c}! Share before it is deleted "
                       f"{tags[hashtags[i]]}".strip())
        else:
            out.append(f"{TOPICS[topic[i]]} video{c} {tags[hashtags[i]]} #{variant[i]:x}".strip())
    return out


def posts_table(state: SimState) -> pa.Table:
    st, s = state.store, state.scenario
    n = st.n
    issues = [i.id for i in s.issues]
    claims = [c.id for c in s.claims]
    actors = [a.id for a in s.actors]
    author = st.author[:n]
    campaign = st.campaign[:n]
    actor = state.actor_of(np.arange(n))
    fc = st.fact_check_tick[:n]
    stance_issue = st.stance_issue[:n]
    claim_true = np.array([c.true for c in s.claims] + [False])[st.claim[:n]]
    return pa.table({
        "post": pa.array(np.arange(n, dtype=np.int32)),
        "account": pa.array(author),
        "time": pa.array(st.created_sec[:n]),
        "tick": pa.array(st.created_tick[:n]),
        "day": pa.array((st.created_tick[:n] // 24).astype(np.int16)),
        "language": _dict(st.lang[:n], state.languages),
        "topic": _dict(st.topic[:n], TOPICS),
        "text": pa.array(_texts(state)),
        "hashtags": pa.array([list(state.catalogue.hashtag_sets[h]) for h in st.hashtags[:n]],
                             pa.list_(pa.string())),
        "appeal": pa.array(st.appeal[:n]),
        "issue": _nullable_dict(stance_issue, issues),
        "stance": pa.array(st.stance_value[:n], mask=stance_issue < 0),
        "claim": _nullable_dict(st.claim[:n], claims),
        "claim_true": pa.array(claim_true, mask=st.claim[:n] < 0),
        "actor": _nullable_dict(actor, actors),
        "campaign": _nullable_dict(campaign, [c for _, c in state.catalogue.campaigns]),
        "sponsor": _nullable_dict(st.sponsor[:n], actors),
        "messenger": _dict(st.messenger[:n], MESSENGER_TYPES),
        "state_affiliated": pa.array(st.labelled[:n]),
        "challenge": pa.array(st.challenge[:n]),
        "fact_check_tick": pa.array(fc, mask=fc == NEVER),
        "impressions": pa.array(st.impressions[:n]),
        "completions": pa.array(st.completions[:n]),
        "likes": pa.array(st.likes[:n]),
        "comments": pa.array(st.comments[:n]),
        "shares": pa.array(st.shares[:n]),
    })


def accounts_table(state: SimState) -> pa.Table:
    acc, s = state.accounts, state.scenario
    size = acc.size
    actors = [a.id for a in s.actors]
    from diplosim.scenario.schema import CoordinatedNetwork

    networks = [e.id for e in s.events if isinstance(e, CoordinatedNetwork)]
    kind = np.where(acc.actor >= 0, 1, np.where(acc.network >= 0, 2, 0))
    posts = np.bincount(state.store.author[: state.store.n], minlength=size)
    handles = [f"user{i}" for i in range(acc.n_users)] + acc.handles
    return pa.table({
        "account": pa.array(np.arange(size, dtype=np.int32)),
        "handle": pa.array(handles),
        "kind": _dict(kind, ["user", "actor", "network"]),
        "actor_type": _dict(acc.messenger, MESSENGER_TYPES),
        "actor": _nullable_dict(acc.actor, actors),
        "country": _dict(acc.country, acc.countries),
        "language": _dict(acc.lang, state.languages),
        "state_affiliated": pa.array(acc.labelled),
        "inauthentic": pa.array(acc.network >= 0),
        "network": _nullable_dict(acc.network, networks),
        "active_from_tick": pa.array(acc.active_from),
        "followers_start": pa.array(state.followers_start),
        "followers_end": pa.array(acc.followers),
        "posts": pa.array(posts.astype(np.int32)),
    })
