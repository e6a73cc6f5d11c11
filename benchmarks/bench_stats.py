"""Statistics speed (issue 19): every indicator of the whole 30k-household demo
sub-district for one month, on the encrypted demo database.

Prints figures; never part of the test run's pass/fail.
  - baseline, same connection and run: `SELECT count(*), sum(length(notes))` over
    the visits and the problems (reading each row once);
  - summary: every indicator of the sub-district, the special groups and the
    categories (StatsService.summary);
  - report: the summary plus a row per community and per grid worker, from the same
    queries (StatsService.report without trends)                    target <= 1 s
  - trends: the last 12 weeks and the last 12 months (for information).
The first call on a fresh connection is shown apart (the page cache is cold); the
other figures are medians.
Usage: python benchmarks/bench_stats.py [--keep DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from gridvisit.core.auth import LoginThrottle, login
from gridvisit.core.clock import LOCAL_TZ
from gridvisit.core.indicators import Period, PeriodKind
from gridvisit.core.records import Scope
from gridvisit.core.services import ServiceContext, Services
from gridvisit.demo.generate import DEMO_PASSWORD

sys.path.insert(0, str(Path(__file__).parent))
import bench_startup  # the cached demo databases: make_demo

MONTH = Period.month(2026, 11)  # bench_startup's demo ends on 2026-11-30
NOW = datetime(2026, 12, 1, 10, tzinfo=LOCAL_TZ)  # the figures of a finished month
TARGET = 1.0


CPU: dict[str, float] = {}  # this process's CPU time, median: the work itself on a busy machine


def median(fn: Callable[[], object], runs: int, name: str = "") -> float:
    times, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    CPU[name] = statistics.median(cpu)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="reuse/keep the demo database in this folder")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gv-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    bench_startup.ENV["GRIDVISIT_PASSWORD"] = DEMO_PASSWORD
    path = bench_startup.make_demo(folder, 30_000, plain=False)
    throttle = LoginThrottle(Path(tempfile.mkdtemp()) / "throttle.json")
    session = login(path, "admin", DEMO_PASSWORD, encrypted=True, throttle=throttle)
    services = Services(ServiceContext(session.db, session.actor, clock=lambda: NOW))
    stats = services.stats
    try:
        started = time.perf_counter()
        first = stats.report(MONTH, Scope())
        cold = time.perf_counter() - started

        def baseline() -> None:
            with session.db.read_session() as s:
                # A column no index holds: every row is read once.
                s.execute(text("SELECT count(*), sum(length(notes)) FROM visit")).one()
                s.execute(text("SELECT count(*), sum(length(description)) FROM problem")).one()

        base = median(baseline, args.runs, "base")
        summary = median(lambda: stats.summary(MONTH, Scope()), args.runs, "summary")
        report = median(lambda: stats.report(MONTH, Scope()), args.runs, "report")
        weeks = median(lambda: stats.trend(Scope(), PeriodKind.WEEK, 12, NOW), 3, "weeks")
        months = median(lambda: stats.trend(Scope(), PeriodKind.MONTH, 12, NOW), 3, "months")
    finally:
        session.db.dispose()
    c = first.summary.figures.counts
    print(
        f"30k demo, {MONTH.label}: {c.visits:,} visits, {c.due:,} households due, "
        f"{c.new:,} new and {c.resolved:,} resolved problems; "
        f"{len(first.rows)} communities, {len(first.workers)} workers"
    )
    rows = [
        ("baseline: a scan of visits + problems", base, "base"),
        ("summary (every indicator)", summary, "summary"),
        ("report (summary + community + worker rows)", report, "report"),
        ("trend, last 12 weeks", weeks, "weeks"),
        ("trend, last 12 months", months, "months"),
    ]
    print(f"{'':44} {'wall':>8} {'cpu':>8} {'x base':>7}")
    for label, wall, key in rows:
        print(f"{label:44} {wall:7.3f}s {CPU[key]:7.3f}s {wall / base:7.1f}")
    print(f"{'report, first call on a fresh connection':44} {cold:7.3f}s")
    verdict = "met" if report <= TARGET else "NOT met"
    print(f"target: report <= {TARGET:.1f} s (median wall): {verdict}")


if __name__ == "__main__":
    main()
