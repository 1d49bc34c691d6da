"""The topic vocabulary of interests and videos, and the kinds of content a campaign mixes.

Topics index the columns of every user's interest vector; a scenario names them by these words.
"""

from __future__ import annotations

__all__ = ["CONTENT_KINDS", "TOPICS", "topic_index"]

#: Interest topics (the columns of the interest matrix). ``conflict`` and ``politics`` carry the
#: contested issues; the rest are the everyday subjects of a short-video feed.
TOPICS: tuple[str, ...] = (
    "entertainment", "comedy", "music", "dance", "food", "travel", "culture", "sports",
    "fashion", "education", "science", "health", "climate", "news", "politics", "conflict",
)

#: Kinds of content a campaign mixes: light entertainment, news, policy updates (a visa rule),
#: education. Each kind maps onto the topic the feed matches it against.
CONTENT_KINDS: dict[str, str] = {
    "entertainment": "entertainment",
    "news": "news",
    "policy": "politics",
    "education": "education",
}


def topic_index(name: str) -> int:
    return TOPICS.index(name)
