"""Reports: one self-contained HTML file for a run folder (``write_report``) or for several runs
side by side (``write_comparison``). A page never replaces one of its inputs, a table of a
diplosim folder or, unless ``force``, a file that is not HTML (``store.folders``)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_comparison", "write_report", "write_sensitivity_report", "write_sweep_report"]


def _page_target(out: str | Path | None, default: Path, inputs: list, force: bool) -> Path:
    from diplosim.store.folders import check_output_file

    return check_output_file(Path(out) if out else default, "html", inputs, "--out", force)


def _write_page(target: Path, page: str) -> Path:
    """Write a page; in a diplosim folder, its marker lists it as diplosim's (a later run may
    replace it)."""
    from diplosim.store.folders import record_files
    from diplosim.store.writer import write_text_atomic

    write_text_atomic(target, page)
    record_files(target.parent, [target.name])
    return target


def write_report(run_dir: str | Path, out: str | Path | None = None, force: bool = False
                 ) -> Path:
    """Write the HTML report of a run folder (default ``RUN/report.html``); returns its path."""
    from diplosim.analysis.run import load_run
    from diplosim.report.html import render_page
    from diplosim.report.imported import build_imported_sections
    from diplosim.report.sections import build_sections, overview

    target = _page_target(out, Path(run_dir) / "report.html", [run_dir], force)
    run = load_run(run_dir)
    # an imported folder gets the sections built for what an export holds
    imported = run.manifest.get("kind") == "import"
    sections = build_imported_sections(run) if imported else build_sections(run)
    s = run.manifest.get("scenario") or {}
    title = f"diplosim report: {s.get('name') or Path(run_dir).resolve().name}"
    subtitle = s.get("description") or str(Path(run_dir))
    page = render_page(title, subtitle.strip(), sections, overview(run))
    return _write_page(target, page)


def write_comparison(run_dirs: list[str | Path], out: str | Path, force: bool = False,
                     baseline: str | None = None, measures: list[str] | None = None) -> Path:
    """Write the HTML comparison of several run folders, or of runs and sweep folders (then
    with every figure's interval, differences from ``baseline`` and each of ``measures``);
    returns its path."""
    from diplosim.report.compare import comparison_page

    paths = [Path(d) for d in run_dirs]
    target = _page_target(out, Path(out), paths, force)
    if any((p / "sweep.json").exists() for p in paths):
        from diplosim.report.compare import replicated_page

        return _write_page(target, replicated_page(paths, baseline, measures or []))
    return _write_page(target, comparison_page(paths))


def write_sweep_report(sweep_dir: str | Path, out: str | Path | None = None,
                       force: bool = False) -> Path:
    """Write the HTML report of a sweep folder (default ``SWEEP/report.html``)."""
    from diplosim.report.sweep import sweep_page

    target = _page_target(out, Path(sweep_dir) / "report.html", [sweep_dir], force)
    return _write_page(target, sweep_page(Path(sweep_dir)))


def write_sensitivity_report(folder: str | Path, result: dict, out: str | Path | None = None
                             ) -> Path:
    """Write the HTML page of a sensitivity analysis (default ``DIR/sensitivity.html``)."""
    from diplosim.report.sensitivity import sensitivity_page

    target = _page_target(out, Path(folder) / "sensitivity.html", [folder], False)
    return _write_page(target, sensitivity_page(result))
