"""What the terminal gets: the two consoles (results on stdout, progress and messages on
stderr), tables of rows, cells, sizes in bytes, and the one place a library error becomes a
message and exit code 1.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from diplosim.errors import DiplosimError, printable

__all__ = ["RunsProgress", "cell", "clock_time", "err", "fail", "human_bytes", "nothing", "out",
           "print_headline", "table", "writing"]

def _piped_width() -> int:
    """Piped output's width: 120 columns instead of Rich's 80, so ids are not cut, or wider
    when COLUMNS asks for more (a wide table saved to a file); never narrower."""
    columns = os.environ.get("COLUMNS", "")
    return max(120, min(int(columns), 10_000)) if columns.isdigit() else 120


# Markup is off by default: a string from data (a handle such as "[bold]x") prints as written.
# Strings from data also go through ``printable``, so escape sequences show instead of acting.
out = Console(highlight=False, markup=False,
              width=None if sys.stdout.isatty() else _piped_width())
err = Console(stderr=True, highlight=False, markup=False,
              width=None if sys.stderr.isatty() else _piped_width())


def fail(e: DiplosimError) -> None:
    """A library error as the command's last words: its message on stderr, exit code 1."""
    # messages quote data: each line is made printable (no escape sequence acts)
    text = "\n".join(printable(line) for line in str(e).split("\n"))
    err.print(text, markup=False, soft_wrap=True)
    raise SystemExit(1) from None


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """A file the command writes: a failed write (``OSError``) becomes a library error naming
    the file, so it ends the command through ``fail`` like any other."""
    try:
        yield
    except OSError as e:
        raise DiplosimError(f"{path}: cannot write ({e.strerror or e})") from None


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000:
            return f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def clock_time(seconds: float) -> str:
    """Seconds as h:mm:ss (or m:ss under an hour)."""
    s = int(round(seconds))
    h, m = divmod(s // 60, 60)
    return f"{h}:{m:02d}:{s % 60:02d}" if h else f"{m}:{s % 60:02d}"


class RunsProgress:
    """The progress of many runs on stderr, called as ``progress(done, total)``: the first call
    (runs already complete) says how many runs there are before any starts; when the first run
    finishes it estimates the time left (from the time per run so far, so parallel runs count);
    then a bar with the time left on a terminal, or, when stderr is piped, a plain line each time
    another percent is done."""

    def __init__(self, label: str, console: Console | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.label, self.console, self.clock = label, console or err, clock
        self.start = self.first = self.total = None
        self.percent, self.bar, self.task = -1, None, None

    def __enter__(self) -> RunsProgress:
        return self

    def __exit__(self, *exc) -> bool:
        if self.bar is not None:
            self.bar.stop()
        return False

    def left(self, done: int) -> float | None:
        """Estimated seconds left: the time per run finished here, times the runs to go."""
        ran = done - self.first
        return None if ran <= 0 else (self.clock() - self.start) / ran * (self.total - done)

    def __call__(self, done: int, total: int) -> None:
        say = lambda text: self.console.print(text, markup=False, soft_wrap=True)  # noqa: E731
        if self.start is None:
            self.start, self.first, self.total = self.clock(), done, total
            todo = total - done
            say(f"{self.label}: {total:,} runs" + (f", {done:,} already complete" if done else "")
                + (f"; {todo:,} to run, the time they take estimated after the first" if todo
                   else "; nothing to run"))
            if todo and self.console.is_terminal:
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TextColumn,
                    TimeRemainingColumn,
                )

                self.bar = Progress(TextColumn(self.label), BarColumn(), MofNCompleteColumn(),
                                    TimeRemainingColumn(), console=self.console)
                self.bar.start()
                self.task = self.bar.add_task(self.label, total=total, completed=done)
            return
        left = self.left(done)
        if done == self.first + 1 and done < total and left is not None:
            say(f"{self.label}: the first run took {clock_time(self.clock() - self.start)}; "
                f"about {clock_time(left)} left for the other {total - done:,}")
        if self.bar is not None:
            self.bar.update(self.task, completed=done)
            return
        percent = done * 100 // max(total, 1)
        if percent > self.percent:
            self.percent = percent
            tail = "" if left is None or done == total else f", about {clock_time(left)} left"
            say(f"{self.label}: {done:,}/{total:,} ({percent}%), "
                f"{clock_time(self.clock() - self.start)} elapsed{tail}")


class nothing:
    """A context that does nothing (a status spinner left out with --quiet)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def table(title: str, rows: list[dict], limit: int = 12,
          fmt: dict[str, Callable[[object], str]] | None = None) -> Table:
    """The first ``limit`` rows under ``title``; numbers right-aligned, each cell by ``fmt``'s
    function for its column, else ``cell``."""
    if not rows:  # one line, not a table squashed to the width of "(none)"
        t = Table(title=f"{title}: none", title_justify="left", show_header=False, box=None,
                  expand=True)
        t.add_column("")
        return t
    t = Table(title=title, title_justify="left")
    for name in rows[0]:
        t.add_column(name, justify="right" if isinstance(rows[0][name], int | float) else "left")
    for row in rows[:limit]:
        t.add_row(*[(fmt or {}).get(k, cell)(v) for k, v in row.items()])
    return t


def cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:+.3f}" if abs(value) < 1 else f"{value:,.0f}"
    return printable(f"{value:,}" if isinstance(value, int) else str(value))


def print_headline(h: dict[str, list[dict] | None], totals: bool = True) -> None:
    """A run's headline (``analysis.summary.headline``): its totals line (unless ``totals`` is
    False: ``diplosim run`` prints them in its own first line), then its tables, or why one is
    missing."""
    from diplosim.analysis.summary import NEEDS

    if totals and h.get("totals"):
        t = h["totals"][0]
        eng = t["engagement_per_view"]
        out.print(f"{t['posts']:,} posts, {t['impressions']:,} impressions"
                  + ("" if eng is None else f", {eng:.2%} likes, comments and shares per "
                     "impression"), markup=False)

    share = {"positive_share": lambda v: f"{v:.1%}"}
    pct = {"start": lambda v: f"{v:.1%}", "end": lambda v: f"{v:.1%}"}
    specs = {
        "reach": ("Top actors per country: impressions and mean daily distinct viewers", 30, None),
        "favourability": ("Favourability change toward foreign countries (largest first)", 10,
                          None),
        "narratives": ("Narrative share: impressions on the positive side of each issue", 30,
                       share),
        "beliefs": ("Belief in each claim (share of users above 0.5)", 30, pct),
    }
    for name, (title, limit, fmt) in specs.items():
        if h.get(name) is None:
            out.print(f"{title}: not measurable here (needs the table(s) "
                      f"{', '.join(NEEDS[name])})", markup=False)
        else:
            out.print(table(title, h[name], limit=limit, fmt=fmt))
