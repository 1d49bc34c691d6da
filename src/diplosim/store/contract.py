"""The table contract between the two halves: every table of a run folder, simulated or
imported, with each column's name, Arrow type and meaning, and the account types.

The engine's writer, the importers and the analysis read their tables' shapes from here, and the
run-folder page of the docs is generated from it. A column has a type per source: a simulated
run numbers posts and accounts (``int32``) where an import keeps the platform's ids (``string``);
a column with no type for a source is not written by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from diplosim.errors import DiplosimError

__all__ = ["ACCOUNT_TYPES", "ACTOR_TYPES", "EMPTY_EVENTS", "IMPORTED", "IMPORTED_TABLES",
           "REGISTRY_ACCOUNT_TYPES", "SIMULATED", "SIMULATED_ACCOUNT_TYPES", "SIMULATED_TABLES",
           "SOURCES", "TABLES", "AccountType", "Column", "Table", "conform", "markdown", "schema"]

#: The two sources of a run folder's tables.
SIMULATED, IMPORTED = "simulated", "imported"
SOURCES = (SIMULATED, IMPORTED)


@dataclass(frozen=True)
class AccountType:
    """An account type (``accounts.actor_type``, ``posts.messenger``)."""

    name: str
    meaning: str
    #: A scenario may declare an actor of this type.
    actor: bool = False
    #: Appears in a simulated run's tables.
    simulated: bool = False
    #: An import's actor registry (``--actors registry.csv``) may tag an account with it.
    registry: bool = False


#: The one account-type vocabulary. Order matters: a simulated run's ``actor_type`` and
#: ``messenger`` dictionaries list the simulated types in this order.
ACCOUNT_TYPES = (
    AccountType("user", "an ordinary account: a sampled user, or an imported account no "
                "registry names", simulated=True),
    AccountType("head_of_state", "a head of state or government", actor=True, simulated=True),
    AccountType("foreign_ministry", "a foreign ministry", actor=True, simulated=True,
                registry=True),
    AccountType("embassy", "an embassy speaking to its host country", actor=True,
                simulated=True, registry=True),
    AccountType("international_org", "an international organisation (WHO, UN, UNICEF)",
                actor=True, simulated=True, registry=True),
    AccountType("state_media", "state-affiliated media", actor=True, simulated=True,
                registry=True),
    AccountType("ngo", "an NGO or advocacy group", actor=True, simulated=True, registry=True),
    AccountType("influencer", "an influencer (who may be briefed or sponsored)", actor=True,
                simulated=True, registry=True),
    AccountType("citizen", "citizens or citizen journalists (a scenario group stands for "
                "many accounts)", actor=True, simulated=True, registry=True),
    AccountType("diaspora", "a diaspora group", actor=True, simulated=True),
    AccountType("military", "armed forces", actor=True, simulated=True),
    AccountType("network", "an account of a coordinated (inauthentic) network; a scenario "
                "declares networks as events, not actors", simulated=True, registry=True),
    AccountType("government", "any government account (a registry that does not say which "
                "kind)", registry=True),
    AccountType("media", "a news outlet not affiliated with a state", registry=True),
    AccountType("other", "any other account a registry names", registry=True),
)
#: Types a scenario's actors may have (``scenario.schema`` accepts exactly these).
ACTOR_TYPES = tuple(t.name for t in ACCOUNT_TYPES if t.actor)
#: The ``actor_type`` and ``messenger`` values of a simulated run, in dictionary order.
SIMULATED_ACCOUNT_TYPES = tuple(t.name for t in ACCOUNT_TYPES if t.simulated)
#: Types an import's actor registry may give (accounts it does not name are ``user``).
REGISTRY_ACCOUNT_TYPES = tuple(t.name for t in ACCOUNT_TYPES if t.registry)


@dataclass(frozen=True)
class Column:
    """A column: its type in a simulated run and in an import (None: that source does not
    write it), and what it means."""

    name: str
    simulated: pa.DataType | None
    imported: pa.DataType | None
    meaning: str


@dataclass(frozen=True)
class Table:
    """A table: what a row is, and its columns in a simulated run's order (columns only an
    import writes placed where they fit). ``imported_order``: an import's column order where
    it differs."""

    name: str
    row: str
    columns: tuple[Column, ...]
    imported_order: tuple[str, ...] | None = None
    #: When the source writes the table (for the docs).
    note: str = ""

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s for s in SOURCES if any(getattr(c, s) is not None
                                               for c in self.columns))

    def schema(self, source: str) -> pa.Schema:
        """The Arrow schema ``source`` writes (every field nullable, no metadata)."""
        if source not in SOURCES:
            raise ValueError(f"source: expected one of {', '.join(SOURCES)}, got {source!r}")
        types = {c.name: getattr(c, source) for c in self.columns
                 if getattr(c, source) is not None}
        if not types:
            raise ValueError(f"{self.name}: a {source} folder has no such table")
        order = self.imported_order if source == IMPORTED and self.imported_order else types
        return pa.schema([(name, types[name]) for name in order])


_I16, _I32, _I64 = pa.int16(), pa.int32(), pa.int64()
_F32, _F64, _B, _S = pa.float32(), pa.float64(), pa.bool_(), pa.string()
#: Categories a simulated run writes dictionary-encoded (int32 codes, string values).
_D = pa.dictionary(pa.int32(), pa.string())
_L = pa.list_(pa.string())

_ACCOUNTS = Table("accounts", "account (sampled users, then actor and network accounts)", (
    Column("account", _I32, _S, "the account's id (imported: the platform's username, or its "
           "pseudonym)"),
    Column("handle", _S, _S, "its name: `user<id>` for a sampled user, the actor's handle"),
    Column("kind", _D, _S, "`user`, `actor` (in the scenario or the registry) or `network`"),
    Column("actor_type", _D, _S, "its account type (below); `user` for ordinary accounts"),
    Column("actor", _D, _S, "the actor or coordinated network it is (the scenario's id, the "
           "registry's handle)"),
    Column("country", _D, _S, "where it is based (ISO code; imported: the registry's)"),
    Column("language", _D, None, "the language it posts in"),
    Column("state_affiliated", _B, _B, "labelled state-affiliated (imported: the registry's "
           "label says state)"),
    Column("inauthentic", _B, None, "an account of a coordinated network"),
    Column("network", _D, None, "the coordinated network it belongs to"),
    Column("label", None, _S, "the registry's label"),
    Column("display_name", None, _S, "the display name (user info)"),
    Column("verified", None, _B, "verified by the platform (user info)"),
    Column("active_from_tick", _I32, None, "the hour from which it acts"),
    Column("followers_start", _I32, _I64, "followers at the start (imported: null)"),
    Column("followers_end", _I32, _I64, "followers at the end (imported: user info's "
           "follower count)"),
    Column("following", None, _I64, "accounts it follows (user info)"),
    Column("posts", _I32, _I64, "its posts in the folder"),
))

_POSTS = Table("posts", "video", (
    Column("post", _I32, _S, "the post's id (imported: the platform's video id)"),
    Column("account", _I32, _S, "its author (`accounts.account`)"),
    Column("time", _I64, _I64, "when it was posted, in seconds (simulated: from the start; "
           "imported: since 1970, UTC)"),
    Column("tick", _I32, None, "the hour it was posted"),
    Column("day", _I16, _I32, "the day it was posted"),
    Column("language", _D, _S, "its language"),
    Column("topic", _D, None, "its topic"),
    Column("text", _S, _S, "its description"),
    Column("hashtags", _L, _L, "its hashtags, lower case with `#`"),
    Column("shared_object", None, _S, "what it shares or reposts (mapped CSV)"),
    Column("urls", None, _L, "links in its text"),
    Column("country", None, _S, "where the creator registered (`region_code`; not where the "
           "audience is)"),
    Column("appeal", _F32, None, "how engaging it is (drawn per post)"),
    Column("issue", _D, None, "the issue it takes a stance on"),
    Column("stance", _F32, None, "its stance on that issue, in [-1, 1]"),
    Column("claim", _D, None, "the claim it carries"),
    Column("claim_true", _B, None, "whether that claim is true"),
    Column("actor", _D, _S, "the actor or coordinated network behind it: the campaign's "
           "actor, else the author's (imported: registry handle)"),
    Column("campaign", _D, _S, "the campaign it belongs to (imported: null)"),
    Column("sponsor", _D, None, "the actor sponsoring it (an influencer partnership)"),
    Column("messenger", _D, _S, "its author's account type"),
    Column("state_affiliated", _B, None, "its author is labelled state-affiliated"),
    Column("challenge", _B, None, "made for a hashtag challenge"),
    Column("fact_check_tick", _I32, None, "the hour it was fact-checked"),
    Column("impressions", _I64, _I64, "times it was shown to the simulated users (imported: "
           "`view_count`)"),
    Column("platform_views", _I64, None, "its estimated views on the whole platform: the "
           "simulated users are a sample of the platform's users in the scenario's countries "
           "(see the ODD page's sampling concept)"),
    Column("platform_posts", _F64, None, "the platform's posts it stands for: 1 over the "
           "sampling fraction for a post of the sampled users, 1 for an account the scenario "
           "names (kept whole); a sum of it estimates the platform's posts"),
    Column("completions", _I64, _I64, "views to the end (imported: null)"),
    Column("likes", _I32, _I64, "likes"),
    Column("comments", _I32, _I64, "comments"),
    Column("shares", _I32, _I64, "shares"),
    Column("views", None, _I64, "views as the export gives them"),
    Column("favorites", None, _I64, "times saved as a favourite"),
    Column("music", None, _S, "its sound (`music_id`)"),
    Column("duet_of", None, _S, "the video it duets"),
    Column("transcript", None, _S, "its speech as text (`voice_to_text`)"),
    Column("label", None, _S, "the platform's label on it (`video_label`)"),
    Column("source_file", None, _S, "the file it was read from"),
    Column("source_line", None, _I64, "the line of that file"),
), imported_order=(
    "post", "account", "time", "day", "text", "hashtags", "shared_object", "urls", "country",
    "language", "likes", "comments", "shares", "views", "impressions", "completions",
    "favorites", "music", "duet_of", "transcript", "label", "actor", "campaign", "messenger",
    "source_file", "source_line"))

_EXPOSURES = Table("exposures", "post × viewer country × hour", (
    Column("post", _I32, None, "the post shown"),
    Column("country", _D, None, "the viewers' country"),
    Column("day", _I16, None, "the day"),
    Column("hour", _I32, None, "the hour (from the start)"),
    Column("impressions", _I32, None, "times it was shown"),
    Column("completions", _I32, None, "views to the end"),
    Column("unique_viewers", _I32, None, "distinct viewers (a user sees a post at most once an "
           "hour, so these equal impressions)"),
))

_AUDIENCE = Table("audience", "day × actor × viewer country", (
    Column("day", _I16, None, "the day"),
    Column("actor", _S, None, "the actor or coordinated network"),
    Column("country", _S, None, "the viewers' country"),
    Column("unique_viewers", _I64, None, "distinct users who saw at least one of the actor's "
           "posts that day (one bit per user and actor, cleared daily)"),
))

_AUDIENCE_BY_AGE = Table("audience_by_age", "day × actor × viewer country × age group", (
    Column("day", _I16, None, "the day"),
    Column("actor", _S, None, "the actor"),
    Column("country", _S, None, "the viewers' country"),
    Column("age", _S, None, "the viewers' age group (`18-24`, `25-34`, `35-44`, `45-54`, "
           "`55+`)"),
    Column("unique_viewers", _I64, None, "distinct users of that group who saw at least one "
           "of the actor's posts that day (summed over the groups: `audience`)"),
))

_INTERACTIONS = Table("interactions", "like, comment, share or follow (imported: comment)", (
    Column("tick", _I32, _I64, "the hour (imported: the comment's time in seconds)"),
    Column("time", _I64, _I64, "when, in seconds"),
    Column("kind", _D, _S, "`like`, `comment`, `share` or `follow`"),
    Column("account", _I32, _S, "who interacted"),
    Column("post", _I32, _S, "with which post"),
    Column("target_account", _I32, _S, "the post's author"),
    Column("from_account", _I32, _S, "shares: whom it came from"),
    Column("comment", None, _S, "the comment's id"),
    Column("text", None, _S, "the comment's text"),
    Column("parent", None, _S, "the comment or post it replies to"),
), note="an import writes it when comments are imported")

_STATS = ("mean", "sd", "min", "q10", "q25", "q50", "q75", "q90", "max", "skew", "kurtosis",
          "share_pos", "share_neg")
_ATTITUDES = Table("attitudes", "day × country × subject", (
    Column("day", _I32, None, "the day: 0 is the start, d the end of day d−1"),
    Column("country", _S, None, "the public's country"),
    Column("kind", _S, None, "`favourability` toward a focal country, `stance` on an issue, "
           "`belief` in a claim"),
    Column("subject", _S, None, "the country, issue or claim"),
    Column("n", _I64, None, "users in the country"),
    *(Column(s, _F64, None, {
        "mean": "the mean", "sd": "the standard deviation", "min": "the lowest value",
        "q10": "the 10th percentile", "q25": "the 25th percentile", "q50": "the median",
        "q75": "the 75th percentile", "q90": "the 90th percentile", "max": "the highest value",
        "skew": "the skewness", "kurtosis": "the kurtosis (not excess)",
        "share_pos": "the share above the positive-opinion threshold",
        "share_neg": "the share below the negative-opinion threshold"}[s] + " (null: no users)")
      for s in _STATS),
))

_ATTITUDES_BY_AGE = Table("attitudes_by_age", "day × country × age group × subject", (
    Column("day", _I32, None, "the day: 0 is the start, d the end of day d−1"),
    Column("country", _S, None, "the public's country"),
    Column("age", _S, None, "the age group (`18-24`, `25-34`, `35-44`, `45-54`, `55+`)"),
    Column("kind", _S, None, "`favourability`, `stance` or `belief`, as in `attitudes`"),
    Column("subject", _S, None, "the country, issue or claim"),
    Column("n", _I64, None, "users of that group in the country"),
    Column("mean", _F64, None, "the mean (null: no users)"),
    Column("share_pos", _F64, None, "the share above the positive-opinion threshold (null: no "
           "users)"),
    Column("share_neg", _F64, None, "the share below the negative-opinion threshold (null: no "
           "users)"),
))

_EVENTS = Table("events", "event that fired", (
    Column("tick", _I64, None, "the hour it fired"),
    Column("day", _I64, None, "the day"),
    Column("type", _S, None, "`ban`, `ban_lifted`, `policy`, `crisis`, `influencer_briefing`, "
           "`coordinated_network`"),
    Column("subject", _S, None, "whom or what it concerns (a country, topic, actor, network)"),
    Column("detail", _S, None, "its settings, as JSON"),
), note="a run in which no event fired writes it with one column, `tick` (int32), and no rows")
#: The events table of a run in which no event fired (kept as earlier versions wrote it).
EMPTY_EVENTS = pa.schema([("tick", _I32)])

_REJECTED = Table("rejected", "input row an import could not load", (
    Column("file", None, _S, "the file"),
    Column("line", None, _I64, "its line"),
    Column("item", None, _I64, "the item's place on that line (a page holds many)"),
    Column("reason", None, _S, "what is wrong with it"),
    Column("raw", None, _S, "the row as read (its first 300 characters; pseudonymised: null)"),
))

_FOLLOWS = Table("follows", "follow in the Research API's follower and following lists", (
    Column("follower", None, _S, "the account that follows"),
    Column("followed", None, _S, "the account followed"),
    Column("source_file", None, _S, "the file it was read from"),
    Column("source_line", None, _I64, "the line of that file"),
), note="an import of `tiktok-followers` or `tiktok-following`")

_ENGAGEMENTS = Table("engagements", "video in a user's reposted, liked or pinned list", (
    Column("account", None, _S, "the user whose list it is"),
    Column("relation", None, _S, "`repost`, `like` or `pin`"),
    Column("post", None, _S, "the video"),
    Column("creator", None, _S, "the video's author"),
    Column("time", None, _I64, "when the video was posted, in seconds since 1970"),
    Column("source_file", None, _S, "the file it was read from"),
    Column("source_line", None, _I64, "the line of that file"),
), note="an import of `tiktok-reposted`, `tiktok-liked` or `tiktok-pinned`")

#: Every table, by name, in the order a folder lists them.
TABLES = {t.name: t for t in (_ACCOUNTS, _POSTS, _EXPOSURES, _INTERACTIONS, _ATTITUDES,
                              _EVENTS, _AUDIENCE, _ATTITUDES_BY_AGE, _AUDIENCE_BY_AGE,
                              _REJECTED, _FOLLOWS, _ENGAGEMENTS)}
SIMULATED_TABLES = tuple(n for n, t in TABLES.items() if SIMULATED in t.sources)
IMPORTED_TABLES = tuple(n for n, t in TABLES.items() if IMPORTED in t.sources)


@cache
def schema(table: str, source: str) -> pa.Schema:
    """The Arrow schema of ``table`` as ``source`` (``SIMULATED`` or ``IMPORTED``) writes it."""
    return TABLES[table].schema(source)


def conform(data: pa.Table, table: str, source: str) -> pa.Table:
    """``data`` with the declared schema: its columns must be the declared ones in order; a
    column of another type is cast (an error names it when it cannot be)."""
    want = schema(table, source)
    if data.schema.equals(want):
        return data
    if table == "events" and source == SIMULATED and data.schema.equals(EMPTY_EVENTS):
        return data
    if data.schema.names != want.names:
        raise DiplosimError(f"{table} ({source}): expected the columns {', '.join(want.names)}"
                            f", got {', '.join(data.schema.names)}")
    try:
        return data.cast(want)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    for field in want:  # name the column at fault
        got = data.schema.field(field.name).type
        try:
            data.column(field.name).cast(field.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
            raise DiplosimError(f"{table}.{field.name} ({source}): expected {field.type}, got "
                                f"{got} ({e})") from None
    raise AssertionError("unreachable: a cast failed for no column")


def markdown() -> str:
    """The run-folder page's tables: one per table, its columns with their types per source
    and their meanings; then the account types."""
    def typed(t: pa.DataType | None) -> str:
        if t is None:
            return "—"
        return "category" if pa.types.is_dictionary(t) else f"`{t}`".replace("<item: ", "<")

    out = []
    for t in TABLES.values():
        both = len(t.sources) == 2
        which = "simulated and imported" if both else f"{t.sources[0]} only"
        out += [f"### `{t.name}`", "", f"One row per {t.row}; {which}."
                + (f" Note: {t.note}." if t.note else ""), ""]
        head = ["column", *(s for s in SOURCES if s in t.sources), "meaning"]
        out += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        for c in t.columns:
            types = [typed(getattr(c, s)) for s in SOURCES if s in t.sources]
            out.append(f"| `{c.name}` | " + " | ".join(types) + f" | {c.meaning} |")
        if t.imported_order:
            out += ["", "An import writes these columns in the order "
                    + ", ".join(f"`{n}`" for n in t.imported_order) + "."]
        out.append("")
    out += ["### Account types", "",
            "The values of `accounts.actor_type` and `posts.messenger`.", "",
            "| type | meaning | a scenario's actor | in a simulated run | in an import's "
            "registry |", "| --- | --- | --- | --- | --- |"]
    for a in ACCOUNT_TYPES:
        marks = ["yes" if v else "" for v in (a.actor, a.simulated, a.registry)]
        out.append(f"| `{a.name}` | {a.meaning} | " + " | ".join(marks) + " |")
    return "\n".join(out) + "\n"
