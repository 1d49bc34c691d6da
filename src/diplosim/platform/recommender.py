"""The For You recommender: candidate sources rebuilt each tick; how a feed slot picks from them.

Sources: (a) the staged exposure pool, per language; (b) trending by engagement velocity, per
language; (c) interest-matched, the best-rated recent videos per topic (any language); (d)
followed accounts' recent posts and shares; (e) recent videos at random (diversity). A ranking
mode is a mix of sources: ``engagement`` uses all, ``social`` follows first and fills with
trending, ``chronological`` shows followed accounts' newest items only; the weights of the first
two are rows of the parameter table (``source_mix_*``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from diplosim.errors import DiplosimError
from diplosim.platform.guide import fill_guide, guided_search, upper_bound
from diplosim.platform.videos import VideoStore
from diplosim.radix import radix_sort
from diplosim.world.topics import TOPICS

__all__ = ["MODES", "SOURCES", "Candidates", "PoolShape", "build_candidates", "candidate_window",
           "guide_table", "hashtag_heat", "pick_weighted", "source_mix"]

MODES = ("engagement", "social", "chronological")
SOURCES = ("pool", "trending", "interest", "followed")
#: Each source's weight in a ranking mode's feed, by ``SOURCES``: the parameter that gives it
#: (``source_mix_*`` rows of the parameter table, with their sources), or a fixed weight that
#: defines the mode: a social feed follows the graph first and fills with trending (no pool,
#: no interest source); a chronological feed is followed accounts alone.
_MIX: dict[str, tuple[str | float, ...]] = {
    "engagement": ("source_mix_engagement_pool", "source_mix_engagement_trending",
                   "source_mix_engagement_interest", "source_mix_engagement_followed"),
    "social": (0.0, "source_mix_social_trending", 0.0, "source_mix_social_followed"),
    "chronological": (0.0, 0.0, 0.0, 1.0),
}
RECENT_HOURS = 168           # trending, interest and diversity consider the last week


@dataclass
class Candidates:
    pool_ptr: np.ndarray
    pool_ids: np.ndarray
    pool_cum: np.ndarray
    pool_guide: np.ndarray  # where each equal-weight bucket of a group starts (guide_table)
    trend_ptr: np.ndarray
    trend_ids: np.ndarray
    trend_cum: np.ndarray
    topic_ptr: np.ndarray
    topic_ids: np.ndarray
    topic_cum: np.ndarray
    recent_lo: int   # the diversity source: every video from this row on is recent
    recent_n: int
    trend_guide: np.ndarray | None = None  # the trending and interest lists' guide tables
    topic_guide: np.ndarray | None = None


@njit(cache=True)
def _pool_list(lo, created_tick, stage, views, lang, quotas, tick, max_age, n_langs,
               age_scale, age_exponent, weight):
    """The exposure pool's CSR list: per language, every video in a pool stage and younger than
    ``max_age`` hours, by the views its stage still has to give (most first, ties by id), with
    cumulative weights: those views times the video's pull at its age, ``(1 + age /
    age_scale) ** -age_exponent`` (``pool_age_scale_hours``, ``pool_age_exponent``), times its
    sampling weight (``VideoStore.weight``). Video ``lo + i`` is row ``i`` of the columns.

    The order is a stable radix sort (``diplosim.radix``) on the whole-number views left:
    the same order, in two or three passes over the list."""
    n = created_tick.shape[0]
    m = 0
    for i in range(n):
        age = tick - created_tick[i]
        if stage[i] >= 0 and 0 <= age < max_age and quotas[stage[i]] > views[i]:
            m += 1
    ids = np.empty(m, np.int32)
    rest = np.empty(m, np.int64)
    pull = np.empty(m, np.float64)
    k = 0
    top = np.iinfo(np.int64).min
    for i in range(n):
        age = tick - created_tick[i]
        if stage[i] >= 0 and 0 <= age < max_age and quotas[stage[i]] > views[i]:
            ids[k] = lo + i
            rest[k] = quotas[stage[i]] - views[i]
            pull[k] = (1.0 + age / age_scale) ** -age_exponent * weight[i]
            top = max(top, rest[k])
            k += 1
    # key: how far below the heaviest (ascending key = descending weight)
    key = np.empty(m, np.uint64)
    for i in range(m):
        key[i] = np.uint64(top - rest[i])
    _, order = radix_sort(key, True)
    # then by language (a stable counting sort keeps each language's members in that order)
    ptr = np.zeros(n_langs + 1, np.int64)
    for i in range(m):
        ptr[lang[ids[i] - lo] + 1] += 1
    for g in range(n_langs):
        ptr[g + 1] += ptr[g]
    fill = ptr[:-1].copy()
    out_ids = np.empty(m, np.int32)
    out_w = np.empty(m, np.float64)
    for i in range(m):
        j = order[i]
        g = lang[ids[j] - lo]
        out_ids[fill[g]] = ids[j]
        out_w[fill[g]] = np.float64(rest[j]) * pull[j]
        fill[g] += 1
    out_cum = np.empty(m, np.float64)
    total = 0.0
    for i in range(m):
        total += out_w[i]
        out_cum[i] = total
    return ptr, out_ids, out_cum


@njit(cache=True)
def _recent_members(created, velocity, impressions, engaged, tick, hours):
    """One pass over the store's recent suffix: the rows (ascending) of videos younger than
    ``hours`` with trending velocity (the trending source's members) and with views (the
    interest source's, with their rating squared: (likes + 2 comments + 4 shares + 0.4) /
    (views + 20), counted over every view the video drew, platform-audience picks included),
    and the first recent row (the diversity source draws from all recent rows)."""
    n = created.shape[0]
    n_hot = n_seen = 0
    first = n
    for i in range(n):
        age = tick - created[i]
        if 0 <= age < hours:
            first = min(first, i)
            n_hot += velocity[i] > 0
            n_seen += impressions[i] > 0
    hot = np.empty(n_hot, np.int32)  # rows of the window: int32 halves the hour's peak
    seen = np.empty(n_seen, np.int32)
    rating2 = np.empty(n_seen, np.float64)
    a = b = 0
    for i in range(n):
        age = tick - created[i]
        if not 0 <= age < hours:
            continue
        if velocity[i] > 0:
            hot[a] = i
            a += 1
        if impressions[i] > 0:
            rating = (engaged[i] + 0.4) / (impressions[i] + 20.0)
            seen[b] = i
            rating2[b] = rating * rating
            b += 1
    return hot, seen, rating2, first


@njit(cache=True)
def _by_group(ids, group, weight, n_groups):
    """CSR of ids by group (every member: a list cut at a fixed length would keep a share of the
    videos that shrinks as the world grows), each group's members in id order, with cumulative
    weights: a pick is proportional to weight whatever the order."""
    out_ptr = np.zeros(n_groups + 1, np.int64)
    for i in range(ids.shape[0]):
        out_ptr[group[i] + 1] += 1
    for g in range(n_groups):
        out_ptr[g + 1] += out_ptr[g]
    fill = out_ptr[:-1].copy()
    out_ids = np.empty(ids.shape[0], np.int32)
    out_w = np.empty(ids.shape[0], np.float64)
    for i in range(ids.shape[0]):
        g = group[i]
        out_ids[fill[g]] = ids[i]
        out_w[fill[g]] = weight[i]
        fill[g] += 1
    out_cum = np.empty(ids.shape[0], np.float64)
    total = 0.0
    for k in range(ids.shape[0]):
        total += out_w[k]
        out_cum[k] = total
    return out_ptr, out_ids, out_cum


def hashtag_heat(set_velocity: np.ndarray, set_count: np.ndarray,
                 set_tags: list[np.ndarray]) -> np.ndarray:
    """Per hashtag set, its hottest tag's pooled engagement velocity: the mean velocity of the
    tag's recent videos times the logarithm of their number plus one (a tag's pull grows with
    its volume, but slowly enough that a popular tag cannot run away); 0 for the empty set.
    ``set_velocity`` and ``set_count`` are the recent videos' summed velocity and number per
    set (``_set_sums``); ``set_tags[k]`` the tag numbers of hashtag set ``k`` (set 0 is
    empty)."""
    n_tags = 1 + max((int(t.max()) for t in set_tags if t.size), default=-1)
    tag_velocity, tag_count = np.zeros(max(n_tags, 1)), np.zeros(max(n_tags, 1))
    for k, tags in enumerate(set_tags):
        tag_velocity[tags] += set_velocity[k]
        tag_count[tags] += set_count[k]
    pooled = tag_velocity / np.maximum(tag_count, 1) * np.log1p(tag_count)
    return np.array([pooled[t].max() if t.size else 0.0 for t in set_tags])


@njit(cache=True)
def _set_sums(sets, created, velocity, tick, hours, n_sets):
    """Summed velocity (float64) and number of the videos younger than ``hours``, per hashtag
    set."""
    total = np.zeros(n_sets, np.float64)
    count = np.zeros(n_sets, np.int64)
    for i in range(created.shape[0]):
        if 0 <= tick - created[i] < hours:
            total[sets[i]] += np.float64(velocity[i])
            count[sets[i]] += 1
    return total, count


def source_mix(params: dict[str, float], mode: str) -> np.ndarray:
    """Where each source's share of a ``mode`` feed's slots ends: the cumulative shares of pool,
    trending and interest (followed accounts fill the rest), from the mode's weights in the
    resolved ``params`` divided by their sum."""
    mix = _MIX[mode]
    cum = np.cumsum([params[w] if isinstance(w, str) else w for w in mix], dtype=np.float64)
    if not cum[-1] > 0.0:
        names = ", ".join(w for w in mix if isinstance(w, str))
        raise DiplosimError(f"parameters {names}: the {mode} feed's source weights sum to 0; "
                            "at least one must be positive")
    return cum[:3] / cum[-1]


def candidate_window(max_pool_age: int) -> int:
    """Hours back a video can still be a candidate (trending, interest, diversity or pool)."""
    return max(RECENT_HOURS, max_pool_age)


@dataclass(frozen=True)
class PoolShape:
    """The exposure pool's rules: each stage's views (platform views: the first test audience,
    then tenfold), the hours a video stays in it, and how its pull falls with age."""

    quotas: np.ndarray
    max_age: int
    age_scale: float
    age_exponent: float


@njit(cache=True)
def with_platform_share(ptr, ids, cum, sampling, demand):
    """A language-grouped list with, per language, a *platform share* entry (id -1) added where
    the sample's own videos weigh less than the language's share of the feed's demand
    (``demand``: the share of the sample's language choices) times all of them: the
    platform's videos in that language a small sample happened not to draw. A pick of it is
    drawn again (``pick_weighted`` gives -1). Without it, a language few sampled users post
    in would give every slot to whatever is there, the accounts a scenario names above all,
    which a sample of the platform would see as rarely as the platform's many videos make
    them (the ODD page's sampling concept)."""
    n_groups = ptr.shape[0] - 1
    own = np.zeros(n_groups, np.float64)
    for g in range(n_groups):
        for k in range(ptr[g], ptr[g + 1]):
            if sampling[ids[k]] >= 1.0:
                own[g] += cum[k] - (cum[k - 1] if k > 0 else 0.0)
    total = own.sum()
    extra = np.zeros(n_groups, np.float64)
    for g in range(n_groups):
        extra[g] = max(0.0, demand[g] * total - own[g])
    n_extra = 0
    for g in range(n_groups):
        n_extra += extra[g] > 0.0
    out_ptr = np.zeros(n_groups + 1, np.int64)
    out_ids = np.empty(ids.shape[0] + n_extra, np.int32)
    out_cum = np.empty(ids.shape[0] + n_extra, np.float64)
    running = 0.0
    j = 0
    for g in range(n_groups):
        for k in range(ptr[g], ptr[g + 1]):
            running += cum[k] - (cum[k - 1] if k > 0 else 0.0)
            out_ids[j] = ids[k]
            out_cum[j] = running
            j += 1
        if extra[g] > 0.0:
            running += extra[g]
            out_ids[j] = -1
            out_cum[j] = running
            j += 1
        out_ptr[g + 1] = j
    return out_ptr, out_ids, out_cum


def build_candidates(store: VideoStore, tick: int, n_langs: int, pool: PoolShape,
                     set_tags: list[np.ndarray] | None = None,
                     pooling: float = 0.0, demand: np.ndarray | None = None) -> Candidates:
    """The tick's candidate lists. With ``pooling`` > 0 a trending video's weight also gets
    that times its hashtag's pooled velocity (a trending hashtag lifts its videos that are
    engaged with; ``hashtag_trend_pooling`` in the parameter table). Only the store's recent
    suffix is read: older videos are candidates of no source. With ``demand`` (each language's
    share of the sample's language choices) the pool and trending lists get their platform
    share entries (``with_platform_share``)."""
    lo = store.first_since(tick - candidate_window(pool.max_age) + 1)
    n = store.n

    def col(name: str, where: np.ndarray | None = None) -> np.ndarray:
        values = getattr(store, name)[lo:n]
        return values if where is None else values[where]

    pool_ptr, pool_ids, pool_cum = _pool_list(lo, col("created_tick"), col("pool_stage"),
                                              col("pool_views"), col("lang"), pool.quotas,
                                              tick, pool.max_age, n_langs, pool.age_scale,
                                              pool.age_exponent, col("weight"))
    created, velocity = col("created_tick"), col("eng_decayed")
    hot, seen, rating2, first_recent = _recent_members(created, velocity, col("all_views"),
                                                       col("all_engaged"), tick, RECENT_HOURS)
    sampling = col("weight")  # a named account's video weighs the sampling fraction
    weight = velocity[hot].astype(np.float64)  # a video trends on its own engagement first
    if pooling > 0 and set_tags is not None and len(set_tags) > 1:
        set_velocity, set_count = _set_sums(col("hashtags"), created, velocity, tick,
                                            RECENT_HOURS, len(set_tags))
        heat = hashtag_heat(set_velocity, set_count, set_tags)
        weight += pooling * heat[col("hashtags", hot)]
    weight *= sampling[hot]
    # ids and groups in their stored widths (int32, uint16, uint8): these lists are built at
    # the run's high-water mark, where every byte per window video counts
    trend_ptr, trend_ids, trend_cum = _by_group(lo + hot, col("lang", hot), weight, n_langs)
    del hot, weight
    if demand is not None:
        pool_ptr, pool_ids, pool_cum = with_platform_share(pool_ptr, pool_ids, pool_cum,
                                                           store.weight, demand)
        trend_ptr, trend_ids, trend_cum = with_platform_share(trend_ptr, trend_ids, trend_cum,
                                                              store.weight, demand)
    topic_ptr, topic_ids, topic_cum = _by_group(lo + seen, col("topic", seen),
                                                rating2 * sampling[seen], len(TOPICS))
    return Candidates(pool_ptr, pool_ids, pool_cum, guide_table(pool_ptr, pool_cum), trend_ptr,
                      trend_ids, trend_cum, topic_ptr, topic_ids, topic_cum,
                      int(lo + first_recent), int(n - lo - first_recent),
                      guide_table(trend_ptr, trend_cum), guide_table(topic_ptr, topic_cum))


@njit(inline="always", cache=True)
def pick_weighted(ptr, ids, cum, group, r, guide=None):
    """A video from ``group`` of a CSR candidate list, with probability proportional to weight;
    with the list's ``guide_table``, the same video found without searching the whole group
    (the exposure pool: a million members at 10,000,000 users; trending and interest lists of
    a week of videos: 30,000 members a group at 200,000 users, where the guides took 24% off
    the feed kernel's time, same picks)."""
    a = ptr[group]
    b = ptr[group + 1]
    if b <= a:
        return -1
    base = cum[a - 1] if a > 0 else 0.0
    total = cum[b - 1] - base
    if total <= 0.0:
        return -1
    if guide is None:
        j = upper_bound(cum, a, b, base + r * total)
    else:
        j = guided_search(cum, a, b, guide, base, total, r)
    if j >= b - a:
        j = b - a - 1
    return ids[a + j]


@njit(cache=True)
def guide_table(ptr, cum):
    """``diplosim.platform.guide``'s table for every group of a CSR list."""
    guide = np.zeros(cum.shape[0], np.int32)
    for g in range(ptr.shape[0] - 1):
        fill_guide(cum, ptr[g], ptr[g + 1], guide)
    return guide
