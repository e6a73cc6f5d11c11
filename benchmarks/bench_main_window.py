"""Main window speed on demo databases (issue: main window).

Prints figures and ratios; never part of the test run's pass/fail.
  - whole-process `--screenshot` time at 30,000 vs 300 households   (target ratio <= 1.3)
  - search per keystroke at 30,000 and 3,000 households, whole sub-district selected,
    until the first screens of matches show (targets: median <= 30 ms at 30k, and
    <= 2x the 3k figure); also until every match is found, for information
  - saving a visit with two problems                                  (target median <= 20 ms)
  - peak memory of the app process with the 30k database open          (target <= 300 MB)
Usage: python benchmarks/bench_main_window.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gridvisit.app import build_services
from gridvisit.core.enums import HandlingLevel
from gridvisit.core.records import ProblemInput, Scope, VisitInput
from gridvisit.core.search import normalize_query
from gridvisit.demo.generate import DEMO_PASSWORD, generate_demo
from gridvisit.storage import open_database

# The screenshot runs log in to the (plain) demo databases from the environment.
os.environ.setdefault("GRIDVISIT_PASSWORD", DEMO_PASSWORD)

KEYSTROKES = ["z", "zh", "zha", "zhang", "1", "13", "138", "3", "3栋", "3栋2", "l", "lj", "王"]
PEAK_SCRIPT = """
import os, resource, sys
os.environ['QT_QPA_PLATFORM'] = 'offscreen'
from PySide6.QtCore import QSettings
from gridvisit import app as A
from gridvisit.storage import open_database
from gridvisit.ui.main_window import MainWindow
qapp, _t = A.create_qt_app([])
db = open_database(sys.argv[1])
s = QSettings(sys.argv[2], QSettings.Format.IniFormat)
w = MainWindow(A.build_services(db), settings=s)
w.show()
from PySide6.QtTest import QTest
while not w.is_loaded():
    QTest.qWait(20)
w.tree.select_key('root')  # every household in the table
while not w.is_loaded():
    QTest.qWait(20)
print(w.households.model.rowCount(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def screenshot_seconds(db: Path, out: Path, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "gridvisit",
                "--no-encryption",
                "--db",
                str(db),
                "--screenshot",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def search_ms(db_path: Path) -> tuple[float, float, int]:
    """Median ms per keystroke until the first screens of matches are shown (what
    the typist waits for), and until every match is found (the chunks the event
    loop runs between keystrokes). The page is shown, as in the app."""
    from PySide6.QtWidgets import QApplication

    from gridvisit.ui.pages.households import HouseholdsPage

    app = QApplication.instance() or QApplication([])
    db = open_database(db_path)
    services = build_services(db)
    page = HouseholdsPage()
    page.resize(1200, 800)
    page.show()
    page.set_rows(services.workspace.household_rows(Scope()))
    app.processEvents()
    first, full = [], []
    for _round in range(5):
        for text in KEYSTROKES:
            started = time.perf_counter()
            page.search.setText(text)  # filter + model reset + count label, as typed
            first.append((time.perf_counter() - started) * 1000)
            while not page.model.is_filter_finished():
                app.processEvents()
            full.append((time.perf_counter() - started) * 1000)
            app.processEvents()  # the repaint a real keystroke would get
        page.search.clear()
        app.processEvents()
    normalize_query("")
    rows = page.model.total_count()
    page.close()
    db.dispose()
    return statistics.median(first), statistics.median(full), rows


def save_visit_ms(db_path: Path, n: int = 60) -> float:
    db = open_database(db_path)
    services = build_services(db)
    hids = [r.id for r in services.workspace.household_rows(Scope(building_group_id=1))]
    samples = []
    now = datetime.now(UTC)
    for i in range(n):
        visit = VisitInput(
            hids[i % len(hids)],
            now - timedelta(minutes=i),
            problems=(
                ProblemInput("elevator", "电梯经常停运", "urgent"),
                ProblemInput("leak", "卫生间渗水", "pressing", HandlingLevel.COMMUNITY),
            ),
        )
        started = time.perf_counter()
        services.visits.record(visit)
        samples.append((time.perf_counter() - started) * 1000)
    db.dispose()
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="reuse/keep demo databases in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gv-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    dbs = {}
    for n in (300, 3000, 30000):
        path = folder / f"demo{n}.db"
        if not path.exists():
            print(f"generating {n} households…", flush=True)
            generate_demo(path, households=n, seed=1)
        dbs[n] = path
    work = folder / "work"
    work.mkdir(exist_ok=True)
    shot = work / "shot.png"

    small = screenshot_seconds(dbs[300], shot)
    large = screenshot_seconds(dbs[30000], shot)
    print(f"screenshot run, 300 households      {small:8.2f} s")
    print(
        f"screenshot run, 30,000 households   {large:8.2f} s   ratio {large / small:.2f} "
        f"(target <= 1.3)"
    )

    ms3k, all3k, rows3k = search_ms(dbs[3000])
    ms30k, all30k, rows30k = search_ms(dbs[30000])
    print(f"search per keystroke, {rows3k:,} rows   {ms3k:8.1f} ms median to first matches")
    print(
        f"search per keystroke, {rows30k:,} rows  {ms30k:8.1f} ms median to first matches "
        f"(target <= 30), ratio to 3k {ms30k / ms3k:.2f} (target <= 2)"
    )
    print(
        f"  until every match is found: {all3k:.1f} ms at 3k, {all30k:.1f} ms at 30k "
        f"(in event-loop chunks; typing is never blocked by them)"
    )

    scratch = work / "save.db"
    shutil.copy(dbs[30000], scratch)
    save = save_visit_ms(scratch)
    print(f"save a visit with two problems      {save:8.1f} ms median (target <= 20)")

    settings = work / "window.ini"
    out = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(dbs[30000]), str(settings)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    print(
        f"peak memory, 30k open, all {int(out[0]):,} rows in the table "
        f"{float(out[1]):6.0f} MB (target <= 300)"
    )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
