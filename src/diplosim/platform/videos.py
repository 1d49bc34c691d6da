"""The video store: every posted video as a row of growable arrays, with its running counts.

The engine appends videos each tick; the feed reads them; the store writer turns them into the
``posts`` table at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

__all__ = ["HOT", "NEVER", "NewVideos", "VideoStore"]

NEVER = np.iinfo(np.int32).max  # a tick that never comes (no fact-check label, say)

# name -> dtype of every per-video column; identity and content first, counts last.
_COLUMNS: dict[str, type] = {
    "author": np.int32, "created_tick": np.int32, "created_sec": np.int64,
    "lang": np.uint16, "topic": np.uint8, "appeal": np.float32,
    "stance_issue": np.int16, "stance_value": np.float32, "claim": np.int16,
    "claim_false": np.bool_, "sponsor": np.int16, "campaign": np.int32, "target_set": np.int16,
    "messenger": np.uint8, "labelled": np.bool_, "focal": np.int16, "challenge": np.bool_,
    "hashtags": np.int32, "variant": np.int32, "fact_check_tick": np.int32,
    "pool_stage": np.int8, "pool_views": np.int32, "pool_eng": np.int32,
    "impressions": np.int64, "completions": np.int64, "likes": np.int32, "comments": np.int32,
    "shares": np.int32, "eng_decayed": np.float32,
    "actor": np.int16,  # the actor behind the video (its campaign's, else its author's), or -1
    "portrayal": np.uint8,  # row of the catalogue's portrayal table (0: portrays no country)
    "origin": np.uint16,  # the author's account country (``Accounts.countries`` index)
    # sampling (the ODD page's sampling concept): the candidate lists' weight of the video (1:
    # a video of the sample; the sampling fraction: of an account the scenario names), the
    # views it drew on the platform and their weighted engagement (likes + 2 comments + 4
    # shares: what the interest source rates), its estimated views on the platform, and, for a
    # named account's video, its expected reactions per view among a probe of its audience
    # (``diplosim.opinion.probe``): completions, engagements, likes + 2 comments + 4 shares
    "weight": np.float32, "all_views": np.float32, "all_engaged": np.float32,
    "platform_views": np.float64, "p_done": np.float32, "p_eng": np.float32,
    "p_rating": np.float32,
}
#: Columns not given by ``NewVideos``: zero on append (the counts; ``origin`` is set by the
#: engine from the author's account).
_COUNTS = ("origin", "pool_views", "pool_eng", "impressions", "completions", "likes", "comments",
           "shares", "eng_decayed", "pool_stage", "all_views", "all_engaged", "platform_views",
           "p_done", "p_eng", "p_rating")


#: The fields the feed kernel reads of every candidate, packed into one 32-byte record per video
#: (one cache line instead of fourteen scattered reads). The store keeps these fields only here:
#: its columns of the same names are views into the records, so nothing is stored twice.
HOT = np.dtype({
    "names": ["author", "fact_check_tick", "appeal", "stance_value", "target_set", "lang",
              "stance_issue", "claim", "focal", "topic", "messenger", "claim_false", "labelled",
              "challenge", "portrayal"],
    "formats": [np.int32, np.int32, np.float32, np.float32, np.int16, np.uint16, np.int16,
                np.int16, np.int16, np.uint8, np.uint8, np.bool_, np.bool_, np.bool_, np.uint8],
    "offsets": [0, 4, 8, 12, 16, 18, 20, 22, 24, 26, 27, 28, 29, 30, 31],
    "itemsize": 32,
})


@dataclass
class NewVideos:
    """Videos to append (one array per descriptive column; counts start at zero)."""

    author: np.ndarray
    created_tick: np.ndarray
    created_sec: np.ndarray
    lang: np.ndarray
    topic: np.ndarray
    appeal: np.ndarray
    stance_issue: np.ndarray
    stance_value: np.ndarray
    claim: np.ndarray
    claim_false: np.ndarray
    sponsor: np.ndarray
    campaign: np.ndarray
    target_set: np.ndarray
    messenger: np.ndarray
    labelled: np.ndarray
    focal: np.ndarray
    challenge: np.ndarray
    hashtags: np.ndarray
    variant: np.ndarray
    fact_check_tick: np.ndarray
    portrayal: np.ndarray

    def __len__(self) -> int:
        return int(self.author.shape[0])

    def take(self, keep: np.ndarray) -> NewVideos:
        """The rows where ``keep`` is true."""
        return NewVideos(**{f.name: getattr(self, f.name)[keep] for f in fields(NewVideos)})

    @staticmethod
    def concat(parts: list[NewVideos]) -> NewVideos | None:
        parts = [p for p in parts if len(p)]
        if not parts:
            return None
        return NewVideos(**{f.name: np.concatenate([getattr(p, f.name) for p in parts])
                            for f in fields(NewVideos)})


class VideoStore:
    """Struct of arrays with amortised doubling; ``n`` rows are live."""

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self._cap = max(capacity, 16)
        for name, dtype in _COLUMNS.items():
            if name not in HOT.names:
                setattr(self, name, np.zeros(self._cap, dtype))
        self._set_hot(np.zeros(self._cap, HOT))

    def _set_hot(self, hot: np.ndarray) -> None:
        self.hot = hot
        for name in HOT.names:
            setattr(self, name, hot[name])

    def append(self, new: NewVideos) -> np.ndarray:
        """Add videos; returns their ids."""
        k = len(new)
        if self.n + k > self._cap:
            self._grow(self.n + k)
        ids = np.arange(self.n, self.n + k, dtype=np.int32)
        if new.target_set.size and new.target_set.max() > np.iinfo(np.int16).max:
            raise OverflowError("more than 32,767 distinct target-country sets")
        for f in fields(NewVideos):
            getattr(self, f.name)[self.n:self.n + k] = getattr(new, f.name)
        for name in _COUNTS:
            getattr(self, name)[self.n:self.n + k] = 0
        self.weight[self.n:self.n + k] = 1.0  # the engine sets named accounts' videos
        self.n += k
        return ids

    def _grow(self, need: int) -> None:
        cap = self._cap
        while cap < need:
            cap *= 2
        def grown(old: np.ndarray) -> np.ndarray:
            arr = np.zeros(cap, old.dtype)
            arr[: self.n] = old[: self.n]
            return arr

        for name in _COLUMNS:
            if name not in HOT.names:
                setattr(self, name, grown(getattr(self, name)))
        self._set_hot(grown(self.hot))
        self._cap = cap

    def first_since(self, tick: int) -> int:
        """The first video posted at ``tick`` or later: videos are appended in posting order,
        so everything from here on is that recent."""
        return int(np.searchsorted(self.created_tick[: self.n], tick, side="left"))

    def column(self, name: str) -> np.ndarray:
        """The live part of a column (a view)."""
        return getattr(self, name)[: self.n]

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in _COLUMNS
                   if name not in HOT.names) + self.hot.nbytes
