"""The docs' performance table (docs/performance.md), rendered from
``benchmarks/results.json`` (never typed)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def render(results: dict) -> str:
    world = results["world_synthesis"]["target"]
    engine = results["engine_example"]["runs"][0]
    rows = [
        ("population synthesis, 10,000,000 users", f"{world['seconds']:.1f} s", "< 60 s"),
        ("world state (population only)", f"{world['bytes_per_user']:.0f} bytes per user",
         "< 300"),
        (f"example scenario, {engine['users']:,} users × {engine['days']} days",
         f"{engine['seconds']:.1f} s ({engine['seconds_per_sim_day']:.2f} s per simulated day)",
         "< 120 s"),
        ("impressions per second",
         f"{engine['impressions_per_s'] / 1e6:.2f}M total, "
         f"{engine['impressions_per_s_per_core'] / 1e6:.2f}M per core ({engine['threads']} "
         f"threads); {engine['impressions'] / 1e6:.1f}M impressions", ""),
        ("engine state (population, accounts, follow and friends graphs, feed memory, inboxes)",
         f"{engine.get('state_bytes_per_user', engine['bytes_per_user']):.0f} bytes per user, "
         "plus a video store of "
         f"{engine['video_store_bytes'] / 1e6:.1f} MB for {engine['posts']:,} videos", ""),
        ("peak memory of that run", f"{engine['peak_rss_bytes'] / 1e6:.0f} MB", ""),
    ]
    if "engine_scale" in results:
        scale = results["engine_scale"]
        large_runs = results.get("engine_large", {}).get("runs", [])
        for r, entry in [(r, "") for r in scale["runs"]] + [(r, " (`engine_large`)")
                                                              for r in large_runs]:
            rows.append((f"example scenario, {r['users']:,} users × {r['days']} days{entry}",
                         f"{r['seconds']:.1f} s ({r['seconds_per_sim_day']:.2f} s per simulated "
                         f"day); {r['impressions_per_s'] / 1e6:.2f}M impressions/s "
                         f"({r['impressions_per_s_per_core'] / 1e6:.2f}M per core); peak "
                         f"{r['peak_rss_bytes'] / 1e6:,.0f} MB = {r['bytes_per_user']:.0f} bytes "
                         f"per user + video store {r['video_store_bytes'] / 1e6:.1f} MB + "
                         f"{r['rss_before_bytes'] / 1e6:.0f} MB before the run; headline "
                         f"metrics {r['analysis_seconds']:.2f} s",
                         "1M: < 120 s, ≥ 5M/s, < 300 B/user" if r["users"] == 1_000_000
                         else ""))
        lin = scale["linear"]
        first_week = ""
        if "time_ratio_double_days_first_week" in lin:
            first_week = (f" (each run also plays the week of burn-in before hour 0, so "
                          f"14 → 28 days is 21 → 35 simulated; 7 → 14 days: "
                          f"×{lin['time_ratio_double_days_first_week']:.2f})")
        repeats = (f"; the median of {lin['repeats']} interleaved runs of each"
                   if lin.get("repeats", 1) > 1 else "")
        rows.append((f"doubling the work (no events, {lin['base']['users']:,} users × "
                     f"{lin['base']['days']} days = {lin['base']['seconds']:.1f} s{repeats})",
                     f"users ×2: time ×{lin['time_ratio_double_users']:.2f}; days ×2: time "
                     f"×{lin['time_ratio_double_days']:.2f}{first_week}", "≤ ×2 (+5% noise)"))
        large = results.get("engine_large", {}).get("runs")
        one_m = next((r for r in scale["runs"] if r["users"] == 1_000_000), None)
        if large and one_m:  # ten times the target size, not judged (see docs/scale.md)
            rows.append(("1,000,000 → 10,000,000 users (7 days, with events; `engine_large`)",
                         f"time ×{large[0]['seconds'] / one_m['seconds']:.2f} for ×10 the "
                         "impressions: the hour's live videos no longer fit the CPU cache "
                         "([Scaling](scale.md))", "(not set)"))
    limit = results.get("engine_limit", {})
    if "engine_share_of_limit" in limit:
        before, run, after = limit["runs"]
        rows.append((f"the machine's own limit: the least an impression must do, on the "
                     f"arrays of a {run['users']:,}-user run (`bench_limit`, timed before and "
                     "after the engine)",
                     f"limit {before['impressions_per_s'] / 1e6:.2f}M and "
                     f"{after['impressions_per_s'] / 1e6:.2f}M impressions/s; the engine "
                     f"{run['impressions_per_s'] / 1e6:.2f}M/s ({run['seconds']:.1f} s): "
                     f"**{limit['engine_share_of_limit']:.1%}** of the limits' mean",
                     "(reported)"))
    if "mesa_baseline" in results:
        m = results["mesa_baseline"]["runs"][0]
        rows.append((f"the same reduced model in Mesa, {m['users']:,} users × {m['days']} days",
                     f"diplosim {m['diplosim_impressions_per_s'] / 1e6:.2f}M impressions/s, "
                     f"Mesa {m['mesa_impressions_per_s'] / 1e3:.0f}k/s: "
                     f"**{m['ratio_vs_mesa']:.1f}×**; aggregates the same "
                     f"({'all' if m['same_results'] else 'NOT all'} |z| < {m['max_z']})"
                     + (f"; diplosim's feed kernel alone {m['kernel_only_ratio_vs_mesa']:.0f}× "
                        "(the ceiling if nothing else cost time; outside the kernel "
                        f"{m['diplosim_seconds'] - m['diplosim_kernel_seconds']:.2f} of "
                        f"{m['diplosim_seconds']:.2f} s; 100× would allow "
                        f"{m['diplosim_seconds'] * m['ratio_vs_mesa'] / 100:.2f} s in all)"
                        if "kernel_only_ratio_vs_mesa" in m else ""),
                     "≥ 100×"))
    if "checkpoint" in results:
        ck = results["checkpoint"]
        plain, daily = ck["runs"]
        rows.append((f"daily checkpoints (`--checkpoint-every 1d`), {plain['users']:,} users × "
                     f"{plain['days']} days", f"{plain['seconds']:.1f} s without, "
                     f"{daily['seconds']:.1f} s with: ×{ck['time_ratio_daily_checkpoints']:.2f}"
                     f" ({ck['seconds_per_checkpoint']:.2f} s a checkpoint)", "(none set)"))
    if "analysis_headline" in results:
        a = results["analysis_headline"]["runs"][0]
        rows.append((f"headline metrics (`diplosim summary`) over {a['exposure_rows']:,} "
                     "exposure rows", f"{a['seconds']:.1f} s (peak memory "
                     f"{a['peak_rss_bytes'] / 1e6:,.0f} MB)", "< 60 s"))
    if "coordination_vs_toolkit" in results:
        c = results["coordination_vs_toolkit"]["runs"][0]
        rows.append(("co-retweet pairs, russian_coord_tweets.csv, 10 s window, against "
                     "coordination-network-toolkit",
                     f"detection (each from its loaded data) {c['diplosim_detect_seconds']:.3f}"
                     f" s vs {c['toolkit_compute_seconds']:.3f} s "
                     f"({c['speedup_detection']:.1f}×); from the CSV "
                     f"{c['diplosim_seconds']:.2f} s vs {c['toolkit_seconds']:.2f} s "
                     f"({c['speedup_end_to_end']:.1f}×); {c['pairs_diplosim']:,} pairs each",
                     "≥ 5× (detection)"))
    if "coordination_tiktok_sounds" in results:
        c = results["coordination_tiktok_sounds"]["runs"][0]
        rows.append((f"co-sound pairs, {c['rows']:,} TikTok posts (Research API JSON lines), "
                     "1 h window, against coordination-network-toolkit",
                     f"from the file {c['diplosim_seconds']:.2f} s vs "
                     f"{c['toolkit_seconds']:.2f} s ({c['speedup_end_to_end']:.1f}×); "
                     f"{c['pairs_diplosim']:,} pairs each"
                     if c["pairs_diplosim"] == c["pairs_toolkit"] else
                     f"pairs differ: {c['pairs_diplosim']:,} vs {c['pairs_toolkit']:,}",
                     "≥ 5× (end to end)"))
        rows.append(("the window curve (12 windows, 1 s to 1 h) against one detection at 1 h, "
                     "each from the imported folder",
                     f"{c['curve_seconds_12_windows']:.3f} s vs "
                     f"{c['detection_seconds_at_3600']:.3f} s: ×{c['curve_over_detection']:.2f}",
                     "≤ ×2"))
    if "import_jsonl" in results:
        m = results["import_jsonl"]["runs"][0]
        rows.append((f"import of a {m['file_bytes'] / 1e9:.1f} GB Research API JSON-lines "
                     f"file ({m['lines']:,} lines)",
                     f"{m['seconds']:.0f} s ({m['rows_per_s']:,} rows/s), peak memory "
                     f"{m['peak_rss_bytes'] / 1e6:,.0f} MB; {m['loaded']:,} loaded + "
                     f"{m['rejected']:,} rejected + {m['duplicates']:,} duplicates",
                     "< 1 GB RSS"))
    if "import_shapes" in results:
        by = {m["shape"]: m for m in results["import_shapes"]["runs"]}
        t = results["import_shapes"]["target"]
        if {"lines", "array", "page"} <= set(by):
            lines, array, page = by["lines"], by["array"], by["page"]
            rows.append((f"the same export as a JSON array ({array['file_bytes'] / 1e9:.1f} GB), "
                         f"and a {page['file_bytes'] / 1e9:.1f} GB API page on one line, "
                         "measured beside JSON lines",
                         f"array {array['seconds']:.0f} s, peak "
                         f"{array['peak_rss_bytes'] / 1e6:,.0f} MB "
                         f"({t['array_over_lines_peak_rss']:.3f}× the lines' "
                         f"{lines['peak_rss_bytes'] / 1e6:,.0f} MB); page {page['seconds']:.0f} s,"
                         f" peak {page['peak_rss_bytes'] / 1e6:,.0f} MB; every row accounted for",
                         "< 1 GB RSS each"))
    if "uncertainty" in results:
        u = results["uncertainty"]
        t, r = u["target"], u["ray_runs"][0]
        rows.append((f"sweep runs per hour on a local Ray ({r['users']:,} users × {r['days']} "
                     f"days, {r['runs']} runs; {len(u['ray_runs']) // 2} interleaved tries of "
                     "each)",
                     f"one worker {t['runs_per_hour_one_worker']:,.0f}, two workers "
                     f"{t['runs_per_hour_two_workers']:,.0f}: ×{t['ray_speedup']:.2f} (each "
                     "try timed from starting Ray, which took "
                     f"{min(x['ray_start_seconds'] for x in u['ray_runs']):.1f}–"
                     f"{max(x['ray_start_seconds'] for x in u['ray_runs']):.1f} s; busy "
                     f"workers alone ×{t['steady_speedup_without_fixed_costs']:.2f})",
                     f"≥ ×{t['min_ray_speedup']:g}"))
    if "morris" in results.get("morris_screening", {}):
        m = results["morris_screening"]["morris"]
        rows.append((f"Morris screening, {m['parameters']} parameters × {m['trajectories']} "
                     f"trajectories ({m['runs']} runs, {m['users']:,} users × {m['days']} "
                     "days), `diplosim sensitivity` end to end",
                     f"{m['seconds'] / 60:.1f} min ({m['runs_per_hour']:,.0f} runs per "
                     "hour)", "< 20 min"))
    if "runs" in results.get("scenarios_replicated", {}):
        r = results["scenarios_replicated"]["runs"][0]
        rows.append(("`make scenarios` with its replicates (every run from scratch)",
                     f"{r['seconds'] / 60:.1f} min", "< 60 min"))
    # results re-measured later with ``--only`` say so (each records when it was measured)
    later = sorted(f"`{k}` {v['measured']}" for k, v in results.items()
                   if isinstance(v, dict) and v.get("measured", results["started"])
                   != results["started"])
    again = f" (re-measured on its own: {', '.join(later)})" if later else ""
    lines = [BEGIN, f"Measured by `make bench` on {results['machine']['cpus']} cores, "
             f"{results['started']}{again}:", "", "| benchmark | figure | target |",
             "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join([*lines, *_limit_tables(limit), END])


def _limit_tables(limit: dict) -> list[str]:
    """The engine_limit entry's run by part: a user's bytes of state, and the profile's
    seconds by phase (what the engine does beyond the limit)."""
    out: list[str] = []
    run = limit.get("runs", [{}, {}, {}])[1]
    parts = run.get("state_bytes_per_user_by_part")
    if parts:
        out += ["", f"The engine's state in that {run['users']:,}-user run, by part, in bytes per "
                f"user ({run['state_bytes_per_user']:.1f} in all; {run['bytes_per_user']:.1f} "
                "at the peak with the run's working memory, the video store left out):", "",
                "| part | bytes per user |", "| --- | ---: |"]
        out += [f"| {name} | {b:.1f} |" for name, b in sorted(parts.items(), key=lambda kv:
                                                              -kv[1])]
    prof = limit.get("profile")
    if prof:
        wall = prof["seconds"]
        named = {"run_sessions": "feed kernel (`run_sessions`)",
                 "_collect": "booking the hour's rows (`_collect`)",
                 "finish": "applying the hour (`finish`: counts, trending, friends' sends)",
                 "build_candidates": "candidate lists (`build_candidates`)",
                 "post_hour": "posting (`post_hour`)", "build_state": "world build",
                 "active_users": "active users", "promote": "exposure-pool promotion"}
        phases = dict(sorted(prof["phases"].items(), key=lambda kv: -kv[1]))
        rest = prof["untimed"] + sum(v for k, v in phases.items() if k not in named)
        out += ["", f"Where the engine's time goes (`benchmarks.profile_engine`, "
                f"{prof['users']:,} users × {prof['days']} days without events, after the "
                f"limit runs: {wall:.1f} s, {prof['impressions'] / wall / 1e6:.2f}M reported "
                "impressions/s; the burn-in's week is played too):", "",
                "| phase | seconds | share |", "| --- | ---: | ---: |"]
        out += [f"| {named[k]} | {v:.1f} | {v / wall:.0%} |" for k, v in phases.items()
                if k in named]
        out += [f"| daily tables, writer, the rest | {rest:.1f} | {rest / wall:.0%} |"]
    return out


def update_readme(results: dict, readme: Path = ROOT / "docs" / "performance.md") -> None:
    """Rewrite the performance table of the docs' performance page (between its markers)."""
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    readme.write_text(head + render(results) + tail, encoding="utf-8")


def current() -> dict:
    return json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))
