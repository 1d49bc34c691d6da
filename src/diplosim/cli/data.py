"""Commands that read folders of tables, simulated or imported: import, summary, report and
coordination. Each calls one library function and prints what it returns."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from diplosim.cli.export import TablesFormat, write_tables
from diplosim.cli.options import ForceOption, into_path, out_path
from diplosim.cli.terminal import err, out, print_headline, table
from diplosim.errors import DiplosimError, printable

__all__ = ["coordination", "import_", "report", "summary"]


class ImportFormat(StrEnum):
    tiktok = "tiktok"
    tiktok_users = "tiktok-users"
    tiktok_comments = "tiktok-comments"
    zeeschuimer = "zeeschuimer"
    tiktokapi = "tiktokapi"
    apify = "apify"
    csv = "csv"
    tiktok_followers = "tiktok-followers"
    tiktok_following = "tiktok-following"
    tiktok_reposted = "tiktok-reposted"
    tiktok_liked = "tiktok-liked"
    tiktok_pinned = "tiktok-pinned"


FormatArg = Annotated[ImportFormat, typer.Argument(
    metavar="FORMAT", help="tiktok (Research API "
    "videos), tiktok-users, tiktok-comments, zeeschuimer, tiktokapi (TikTokApi "
    "items), apify (tiktok-scraper / Apify), csv (with --map; maps/ has one "
    "for 4CAT's TikTok CSV), and the Research API's per-user lists: "
    "tiktok-followers, tiktok-following (a follow graph), tiktok-reposted, "
    "tiktok-liked, tiktok-pinned.", show_default=False)]
FilesArg = Annotated[list[Path], typer.Argument(help="Input files.", show_default=False)]
IntoOption = Annotated[Path, typer.Option("--into", callback=into_path, help="Folder of tables "
                                          "to create or add to.", show_default=False)]
MapOption = Annotated[Path | None, typer.Option("--map", help="Column map (YAML) for csv; "
                                                "see maps/.")]
ActorsOption = Annotated[Path | None, typer.Option("--actors", help="Actor registry CSV: handle, "
                                                   "actor_type, country, label.")]
PseudonymiseOption = Annotated[bool, typer.Option(
    "--pseudonymise", help="Replace account names and ids (videos, comments, sounds) with keyed "
    "hashes, in every column, @mention, e-mail address and TikTok link (the handle and id in "
    "it hashed, its query dropped), and name the input files file_<hash>.EXT in the tables and "
    "the manifest. Hashtags and other words of a text are kept.")]
KeyOption = Annotated[str | None, typer.Option("--key", envvar="DIPLOSIM_KEY", help="The key for "
                                               "--pseudonymise (default: a new one, shown once).")]


def import_(fmt: FormatArg, files: FilesArg, into: IntoOption, map_file: MapOption = None,
            actors: ActorsOption = None, pseudonymise: PseudonymiseOption = False,
            key: KeyOption = None, force: ForceOption = False) -> None:
    """Import research exports into a folder of contract tables; every row is loaded, rejected
    (with file, line and reason, in the `rejected` table) or counted as a duplicate."""
    from diplosim.ingest.formats import load_map
    from diplosim.ingest.importer import import_files, load_registry

    column_map = load_map(map_file) if map_file is not None else None
    if fmt is ImportFormat.csv and column_map is None:
        raise DiplosimError("import csv: give the column map with --map MAP.yaml (see maps/)")
    registry = load_registry(actors) if actors is not None else None
    if key is not None and not pseudonymise:
        raise DiplosimError("--key is only used with --pseudonymise")
    with err.status("importing", spinner="dots") as status:
        result = import_files(fmt.value, files, into, column_map, registry,
                              key=(key or "") if pseudonymise else None,
                              progress=lambda n: status.update(f"importing: {n:,} rows read"),
                              force=force)
    t = Table("rows read", "loaded", "rejected", "duplicates",
              title=f"import into {printable(str(into))}", title_justify="left")
    t.add_row(f"{result.rows:,}", f"{result.loaded:,}", f"{result.rejected:,}",
              f"{result.duplicates:,}")
    out.print(t)
    if result.rejected:
        out.print(f"rejected rows, with file, line and reason: {into}/rejected.parquet "
                  f"(e.g. diplosim summary {into})", markup=False)
    if result.key_generated:
        err.print(f"pseudonymisation key (shown once, not stored; keep it to add more data): "
                  f"{result.key_generated}", markup=False)


def summary(
    run_dir: Annotated[Path, typer.Argument(help="A run folder.", show_default=False)],
    by_age: Annotated[bool, typer.Option("--by-age", help="Also break opinion and each "
                                         "actor's audience down by age group.")] = False,
    fmt: Annotated[TablesFormat, typer.Option("--format", help="table (the terminal), json or "
                                              "md (stdout), or csv (one file per table in "
                                              "--out).")] = TablesFormat.table,
    out_dir: Annotated[Path | None, typer.Option("--out", callback=out_path, help="With "
                                                 "--format csv: the folder for the CSV "
                                                 "files.")] = None,
) -> None:
    """Print a run's headline figures: totals, reach, engagement, each actor's top posts,
    opinion, narratives, claims, events (and, with --by-age, opinion and audience by age
    group); --format json|md|csv gives every table for a paper."""
    from diplosim.analysis.folder_summary import RunSummary, folder_summary, summary_tables

    s = folder_summary(run_dir)
    if fmt is not TablesFormat.table:
        write_tables(summary_tables(s), fmt, out_dir, "summary")
        return
    if not isinstance(s, RunSummary):
        _print_imported(s)
        return
    print_headline(s.headline)
    if s.engagement is not None:
        out.print(table("Engagement per view by actor", s.engagement, limit=20))
    if s.published:
        out.print(table("Views per post on the platform beside the published audience",
                        [{k: r[k] for k in ("actor", "platform_views_per_post",
                                            "published_views_per_post", "platform_over_published",
                                            "basis")} for r in s.published], limit=40))
    if s.top_posts:
        out.print(table("Each actor's most viewed posts (views on the platform, estimated)",
                        s.top_posts, limit=60))
    if s.event_effects is not None:
        out.print(table("Event effects (2 days before against 2 days from the event)",
                        s.event_effects, limit=30))
    if s.label_exposure is not None:
        out.print(table("False claims: impressions before and after their label",
                        s.label_exposure))
    _print_rejected(s.rejected)
    if by_age:
        _print_by_age(run_dir)


def _print_by_age(run_dir: Path) -> None:
    from diplosim.analysis.opinion import audience_by_age, opinion_by_age
    from diplosim.analysis.run import load_run

    run = load_run(run_dir)
    if not run.has("attitudes_by_age"):
        err.print(f"{run_dir}: no attitudes_by_age table (a run made before 0.3, or an "
                  "import): nothing to break down by age", markup=False)
        return
    rows = opinion_by_age(run)
    for r in rows:
        for k in ("mean_start", "mean_end", "change"):
            r[k] = f"{r[k]:+.3f}"
        for k in ("share_pos_start", "share_pos_end"):
            r[k] = f"{r[k]:.1%}"
    out.print(table("Opinion by age group (first and last day; share beyond the positive "
                    "threshold)", rows, limit=200))
    out.print(table("Audience by age group (distinct viewers summed over the days)",
                    audience_by_age(run), limit=100))


def _print_rejected(rejected) -> None:
    if rejected is not None:
        out.print(table(f"Rejected input rows ({rejected.count:,}; the first 10)",
                        rejected.first))


def _print_imported(s) -> None:
    """An imported folder's summary: its data-quality checks first, then what an export holds
    (never a section that was never possible for imported data)."""
    out.print(table("Data quality (every check; rows affected of rows checked)",
                    [{"check": c.title, "rows": c.count, "of": c.of,
                      "examples": ", ".join(c.examples)} for c in s.checks], limit=50))
    for c in s.checks:
        if c.count:
            out.print(f"- {c.title}: {c.meaning}", markup=False)
    _print_user_lists(s)
    if not s.has_posts:
        if not s.has_lists:
            out.print("No posts imported yet: the other figures need a posts table.",
                      markup=False)
        return
    o = s.overview
    span = "" if o.first is None else (f", {time.strftime('%Y-%m-%d', time.gmtime(o.first))} to "
                                       f"{time.strftime('%Y-%m-%d', time.gmtime(o.last))} (UTC)")
    out.print(f"{o.posts:,} posts by {o.accounts:,} accounts{span}; {o.views:,} views",
              markup=False)
    pct = {k: (lambda v: "" if v is None else f"{v:.2%}") for k in
           ("engagement_per_view", "likes_per_view", "shares_per_view")}
    out.print(table("Engagement per view by account type", s.engagement_by_type, fmt=pct))
    out.print(table("Top accounts by views", s.top_accounts))
    out.print(table("Hashtags used together most", s.hashtag_pairs))
    out.print(table("Most used sounds", [{k: v for k, v in r.items() if k != "top_accounts"}
                                         for r in s.sounds]))
    out.print(table("Creator region", s.regions, limit=10))
    if s.labels:
        out.print(table("Platform labels (video_label) by account type", s.labels, limit=10))
    if s.duets:
        out.print(table("Most dueted videos", s.duets))
    if s.comments is not None:
        out.print(table(f"Comments ({s.comments['comments']:,}) by reply depth",
                        s.comments["depth"]))
    _print_rejected(s.rejected)


def _print_user_lists(s) -> None:
    """The follow graph and the per-user video lists of an imported folder, when present."""
    if s.follows is not None:
        f = s.follows
        out.print(f"Follow graph: {f['ties']:,} ties among {f['accounts']:,} accounts, "
                  f"{f['mutual_ties']:,} mutual", markup=False)
        out.print(table("Most followed in the lists", s.most_followed))
    if s.engagement_lists is not None:
        out.print(table("Reposted, liked and pinned lists", s.engagement_lists))
        shared = s.shared_engagements
        out.print(table("Accounts reposting the same videos (two or more)", shared) if shared
                  else "No two accounts reposted two or more of the same videos.",
                  markup=False)


def report(
    run_dir: Annotated[Path, typer.Argument(help="A run folder.", show_default=False)],
    out_file: Annotated[Path | None, typer.Option(
        "--out", callback=out_path, help="HTML file (default: RUN/report.html).")] = None,
    force: ForceOption = False,
) -> None:
    """Write a run's self-contained HTML report (opens offline); print its path. Given a
    sweep folder, the sweep's report: each metric against the varied parameter, with 95%
    intervals."""
    from diplosim.report import write_report, write_sweep_report

    with err.status("writing the report", spinner="dots"):
        if (run_dir / "sweep.json").exists():
            path = write_sweep_report(run_dir, out_file, force)
        else:
            path = write_report(run_dir, out_file, force)
    out.print(f"report: {path}", markup=False)


def _by(value: str) -> str:
    from diplosim.analysis.coordination import kinds

    try:
        return ",".join(kinds(value))
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


def _windows(value: str | None) -> list[float] | None:
    if value is None:
        return None
    try:
        seconds = [float(x) for x in value.split(",") if x.strip()]
    except ValueError:
        raise typer.BadParameter(f"expected seconds separated by commas (1,10,60), got "
                                 f"{value!r}") from None
    if not seconds or min(seconds) < 0:
        raise typer.BadParameter(f"expected seconds >= 0 separated by commas, got {value!r}")
    return seconds


RunDirArg = Annotated[Path, typer.Argument(help="A run or import folder.", show_default=False)]
ByOption = Annotated[str, typer.Option(
    "--by", callback=_by, help="What accounts act on together: shared_object, url, hashtag, "
    "text, sound, hashtag_set, mention, duet, transcript, or several with commas "
    "(sound,hashtag).")]
WindowOption = Annotated[float, typer.Option("--window", min=0, help="Seconds between two "
                                             "accounts' actions (inclusive).")]
MinWeightOption = Annotated[int, typer.Option("--min-weight", min=1, help="Co-actions a pair "
                                              "needs to be kept (one can be chance).")]
ThresholdOption = Annotated[float, typer.Option("--threshold", min=0, max=1, help="Text: "
                                                "estimated Jaccard similarity (MinHash).")]
PairsOption = Annotated[Path | None, typer.Option(
    "--out", callback=out_path, help="Write the pairs as CSV (account_a, account_b, weight, "
    "symmetry). Text cells beginning with = + - @ or a tab are written after a ' so a "
    "spreadsheet never runs them (see --raw-csv).")]
EvidenceOption = Annotated[Path | None, typer.Option(
    "--evidence", callback=out_path, help="Write every co-action behind the pairs as CSV: the "
    "accounts, the object, each one's post and time (text cells made spreadsheet-safe as "
    "with --out).")]
RawCsvOption = Annotated[bool, typer.Option(
    "--raw-csv", help="Write the CSV cells exactly as the data have them, without the ' "
    "before text beginning with = + - @, a tab or a carriage return (a spreadsheet may then "
    "run such a cell as a formula).")]
WindowsOption = Annotated[str | None, typer.Option(
    "--windows", help="Also print pairs, accounts and groups at each of these windows "
    "(seconds, e.g. 1,10,60,600,3600), from one detection.")]


def coordination(run_dir: RunDirArg, by: ByOption = "shared_object",
                 window: WindowOption = 60.0, min_weight: MinWeightOption = 2,
                 threshold: ThresholdOption = 0.7, out_file: PairsOption = None,
                 evidence_file: EvidenceOption = None, windows: WindowsOption = None,
                 raw_csv: RawCsvOption = False, force: ForceOption = False) -> None:
    """Find pairs of accounts that acted on the same object (a shared post, URL, hashtag, set
    of hashtags, sound, mention or near-identical text) within a time window; print the groups
    they form, each edge's symmetry, a window estimated from the data (CooRnet's rule), and
    optionally the evidence and the window curve. The CSV files are safe to open in a
    spreadsheet: a text cell beginning with = + - @, a tab or a carriage return gets a leading '
    (numbers stay numbers); --raw-csv writes the cells as they are."""
    from diplosim.analysis.coordination_report import PAIR_COLUMNS, coordination_report
    from diplosim.analysis.run import load_run
    from diplosim.store.csv_out import write_csv
    from diplosim.store.folders import check_output_file

    for path, option in ((out_file, "--out"), (evidence_file, "--evidence")):
        if path is not None:  # before the detection: an input is never replaced
            check_output_file(path, "csv", [run_dir], option, force)
    run = load_run(run_dir)
    curve_at = _windows(windows)
    with err.status("finding co-actions", spinner="dots"):
        c = coordination_report(run, by, window, min_weight, threshold, curve_at,
                                with_evidence=evidence_file is not None)
    if out_file is not None:
        write_csv(out_file, PAIR_COLUMNS, c.pair_rows(), raw=raw_csv)
    if evidence_file is not None:
        write_csv(evidence_file, *c.evidence_rows(), raw=raw_csv)
    _print_coordination(c, f"by {by}, window {window:g} s, min weight {min_weight}")
    if out_file is not None:
        out.print(f"pairs written to {out_file}", markup=False)
    if evidence_file is not None:
        out.print(f"evidence written to {evidence_file}", markup=False)


def _print_coordination(c, detector: str) -> None:
    out.print(f"{len(c.pairs.a):,} pairs among {len(c.stats):,} accounts in {c.groups:,} "
              f"connected groups, {c.communities:,} communities (modularity "
              f"{c.modularity:.3f}) ({detector})", markup=False)
    if c.pairs.a.size:
        out.print(f"edge symmetry (distinct posts of the less active account over the more "
                  f"active one's): median {c.median_symmetry:.2f}; {c.one_sided:,} edges "
                  "below 0.25 (one account drives them)", markup=False)
    out.print(table("Most coordinated accounts", c.stats, limit=15))
    est = c.estimate
    if est["interval"] is not None:
        out.print(f"window estimated from this data (CooRnet's rule): {est['interval']:g} s, "
                  f"the median time the quickest {est['quickest']:,} of {est['objects']:,} "
                  f"objects acted on more than once (second action within "
                  f"{est['second_within']:g} s) took to gather over half their actions",
                  markup=False)
    if c.curve is not None:
        out.print(table("The network as the window grows (one detection at the largest)",
                        c.curve, limit=len(c.curve)))
