"""Data-quality checks of an imported folder: what in the export is implausible, counted and
explained, never silently loaded or silently dropped.

Rows the importer could not load are in ``rejected`` (each with its file, line and reason);
here they are grouped by what went wrong. Rows it loaded are checked for what a platform would
not write: more likes than views, engagement on a video nobody viewed, times before the
platform existed or after the import, and ids that lost their last digits on the way (a 19-digit
TikTok id read as a floating-point number somewhere upstream keeps only 15 to 17 significant
digits). Ids seen twice (the same video on two pages of results) are loaded once; the import's
manifest counts them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from diplosim.analysis.run import Run

__all__ = ["PLATFORM_START", "Check", "quality_checks"]

#: 1 September 2016, when Douyin (TikTok's Chinese counterpart) launched: no TikTok video is
#: older (TikTok itself launched abroad in 2017).
PLATFORM_START = 1_472_688_000
#: Ids above 2**53 that are exact doubles: a genuine 19-digit TikTok id is one with probability
#: about 1/1024 (doubles near 7e18 are 1,024 apart); a folder where many are has ids that were
#: rounded through a float.
FLOAT_EXACT = 2**53

#: Groups of rejection reasons: (id, title, a fragment of the reason, what it means).
_REJECTED = (
    ("milliseconds", "Times in milliseconds", "milliseconds?",
     "the time is 1,000 times too large for seconds since 1970: the exporter wrote "
     "milliseconds; the rows were not loaded (convert the column to seconds and import again)"),
    ("negative_counts", "Negative or out-of-range counts", "expected a whole number from 0",
     "a count below 0 (or beyond the 64-bit range) cannot be a platform count; the rows were "
     "not loaded"),
    ("fractional_counts", "Counts that are not whole numbers", "expected a whole number, got",
     "a count with a fraction (12.5) or not a number; whole numbers written as floats (12.0) "
     "are loaded as they are; these rows were not"),
    ("missing_fields", "Required fields missing", "missing ",
     "an id, account or time is absent, so the row cannot be placed; not loaded"),
)


@dataclass
class Check:
    id: str
    title: str
    count: int        # rows affected
    of: int           # rows it was checked over
    meaning: str      # what it says about the data and what was done with the rows
    examples: list[str] = field(default_factory=list)

    def as_row(self) -> dict:
        share = self.count / self.of if self.of else 0.0
        return {"check": self.title, "rows": self.count, "of": self.of, "share": share,
                "meaning": self.meaning, "examples": ", ".join(self.examples)}


def quality_checks(run: Run) -> list[Check]:
    """The checks of an imported folder, each with its count (zero counts included, so a
    reader sees what was checked); [] for a simulated run."""
    if run.manifest.get("kind") != "import":
        return []
    imports = run.manifest.get("imports") or []
    read = sum(int(i.get("rows", 0)) for i in imports)
    checks = _rejected(run, read)
    duplicates = sum(int(i.get("duplicates", 0)) for i in imports)
    checks.append(Check("duplicates", "Ids seen more than once", duplicates, read,
                        "the same id on two pages or in two files; loaded once, the first "
                        "seen (later copies may have newer counts)"))
    if run.has("posts"):
        checks += _posts(run)
    return checks


def _rejected(run: Run, read: int) -> list[Check]:
    rows = run.rows("SELECT file, line, reason FROM rejected ORDER BY file, line") \
        if run.has("rejected") else []
    out, used = [], set()
    for cid, title, fragment, meaning in _REJECTED:
        hits = [r for i, r in enumerate(rows) if i not in used and fragment in r["reason"]]
        used |= {i for i, r in enumerate(rows) if fragment in r["reason"]}
        out.append(Check(cid, title, len(hits), read, meaning,
                         [f"{r['file']}:{r['line']}" for r in hits[:3]]))
    other = [r for i, r in enumerate(rows) if i not in used]
    out.append(Check("other_rejected", "Other unreadable rows", len(other), read,
                     "not JSON, not an object of the expected kind, or a field of the wrong "
                     "type (each reason is in the rejected table); not loaded",
                     [f"{r['file']}:{r['line']}" for r in other[:3]]))
    return out


def _posts(run: Run) -> list[Check]:
    con = run.con
    (n,) = con.execute("SELECT count(*) FROM posts").fetchone()

    def rows_where(where: str, params: list | None = None) -> tuple[int, list[str]]:
        (k,) = con.execute(f"SELECT count(*) FROM posts WHERE {where}", params or []
                           ).fetchone()
        ex = [r[0] for r in con.execute(f"SELECT post::VARCHAR FROM posts WHERE {where} "
                                        "ORDER BY post LIMIT 3", params or []).fetchall()]
        return int(k), ex

    out = []
    k, ex = rows_where("likes > views AND views > 0")
    out.append(Check("likes_above_views", "More likes than views", k, n,
                     "a platform cannot record more likes than plays: the counts were "
                     "collected at different times or one column holds something else; "
                     "loaded as written, and engagement per view over these rows exceeds 100%",
                     ex))
    k, ex = rows_where("views = 0 AND (coalesce(likes, 0) + coalesce(comments, 0) "
                       "+ coalesce(shares, 0)) > 0")
    out.append(Check("engagement_without_views", "Engagement on a video with no views", k, n,
                     "likes, comments or shares with a view count of 0 (views hidden or not "
                     "collected); loaded, but they count no views", ex))
    now = int(time.time())
    k, ex = rows_where("time < ? OR time > ?", [PLATFORM_START, now + 86_400])
    out.append(Check("time_outside", "Times before TikTok existed or in the future", k, n,
                     "before September 2016 or after the import: a wrong time zone, unit or "
                     "column; loaded as written", ex))
    (big, exact) = con.execute(f"""
        SELECT count(*) FILTER (WHERE v > {FLOAT_EXACT}),
               count(*) FILTER (WHERE v > {FLOAT_EXACT}
                                AND v::DOUBLE::HUGEINT = v)
        FROM (SELECT TRY_CAST(post AS HUGEINT) AS v FROM posts)""").fetchone()
    expected = big / 1024
    lost = int(exact) if exact > max(5, 10 * expected) else 0
    ex = [] if not lost else [r[0] for r in con.execute(f"""
        SELECT post FROM posts WHERE TRY_CAST(post AS HUGEINT) > {FLOAT_EXACT}
          AND TRY_CAST(post AS HUGEINT)::DOUBLE::HUGEINT = TRY_CAST(post AS HUGEINT)
        ORDER BY post LIMIT 3""").fetchall()]
    out.append(Check("id_precision", "Ids that lost precision as floats", lost, n,
                     f"{int(exact):,} of {int(big):,} long numeric ids are exact doubles, where "
                     f"about {expected:.1f} would be by chance: the ids were read as floating-"
                     "point numbers upstream (a spreadsheet, a JSON reader without big "
                     "integers) and their last digits are gone, so they no longer match the "
                     "platform's ids; loaded as written" if lost else
                     f"{int(exact):,} of {int(big):,} long numeric ids are exact doubles, as "
                     f"chance gives (about {expected:.1f}): no sign of ids rounded through a "
                     "float", ex))
    return out
