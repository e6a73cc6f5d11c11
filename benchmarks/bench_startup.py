"""Start-up time as users meet it, against baselines measured in the same run.

Each figure times a whole process: `gridvisit --db X --screenshot out.png` logs in,
opens the main window, waits until the households are on screen and saves a PNG.
Figures are medians of several runs after one warm-up run (the first run of a day
is measured separately, see below).

Baselines, in the same run:
  - a bare PySide6 script: a QMainWindow with a 300-row table, shown and saved as a
    PNG (the least any Qt app can do);
  - LibreOffice (headless) opening the 30k households ledger and converting it to
    CSV, when LibreOffice is installed (the ratio is skipped loudly otherwise).

Targets (issue 18):
  - app at 300 households <= 1.5 x the bare window
  - app at 30k <= 1.2 x app at 300, encrypted and plain
  - app at 30k <= 0.5 x LibreOffice on the 30k ledger
  - the first start of a day (daily backup due) <= 1.2 x a later start

Usage: python benchmarks/bench_startup.py [--runs N] [--keep DIR] [--households N]
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
from pathlib import Path

ENV = {
    **os.environ,
    "QT_QPA_PLATFORM": "offscreen",
    "GRIDVISIT_USER": "admin",
}
# Users' installs run from compiled bytecode (pip writes it on first run, the bundle
# ships it); a shell that forbids writing it would time the compiler on every run.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)

BARE = """
import sys
from PySide6.QtCore import QAbstractTableModel, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

class Model(QAbstractTableModel):
    def rowCount(self, parent=None): return 300
    def columnCount(self, parent=None): return 6
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row()}-{index.column()}"
        return None

app = QApplication(sys.argv)
window = QMainWindow()
view = QTableView()
view.setModel(Model())
window.setCentralWidget(view)
window.resize(1400, 860)
window.show()
def shoot():
    window.grab().save(sys.argv[1])
    app.quit()
QTimer.singleShot(0, shoot)
app.exec()
"""


def timed(cmd: list[str], *, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env or ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return elapsed


def median(cmd: list[str], runs: int, *, env: dict[str, str] | None = None) -> float:
    timed(cmd, env=env)  # warm-up: file cache, Python's bytecode cache
    return statistics.median(timed(cmd, env=env) for _ in range(runs))


def app_cmd(db: Path, out: Path, *, plain: bool) -> list[str]:
    flags = ["--no-encryption"] if plain else []
    return [sys.executable, "-m", "gridvisit", *flags, "--db", str(db), "--screenshot", str(out)]


def make_demo(folder: Path, households: int, *, plain: bool) -> Path:
    name = f"{'plain' if plain else 'enc'}-{households}.db"
    db = folder / name
    if not db.exists():
        flags = ["--no-encryption"] if plain else []
        print(f"  generating {name} …", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "gridvisit",
                *flags,
                "demo",
                "--db",
                str(db),
                "--households",
                str(households),
                "--end-date",
                "2026-11-30",
            ],
            env=ENV,
            check=True,
            capture_output=True,
        )
    return db


def first_of_day(db: Path, out: Path, runs: int, *, plain: bool) -> tuple[float, float]:
    """(first start of a day, a later start): the daily backup is due when the backup
    folder holds no backup of today, so the first start runs on a copy without one."""
    firsts = []
    for i in range(runs):
        copy = db.with_name(f"first-{i}-{db.name}")
        shutil.copy(db, copy)
        keys = Path(f"{db}.keys")
        if keys.exists():
            shutil.copy(keys, Path(f"{copy}.keys"))
        shutil.rmtree(Path(f"{copy}.backups"), ignore_errors=True)
        firsts.append(timed(app_cmd(copy, out, plain=plain)))
        for leftover in copy.parent.glob(f"{copy.name}*"):
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
    later = median(app_cmd(db, out, plain=plain), runs)
    return statistics.median(firsts), later


def libreoffice_seconds(db: Path, folder: Path, runs: int, *, plain: bool) -> float | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    ledger = folder / "households.xlsx"
    if not ledger.exists():
        flags = ["--no-encryption"] if plain else []
        subprocess.run(
            [
                sys.executable,
                "-m",
                "gridvisit",
                *flags,
                "ledger",
                "export",
                "--db",
                str(db),
                "--kind",
                "households",
                "-o",
                str(ledger),
            ],
            env=ENV,
            check=True,
            capture_output=True,
        )
    profile = folder / "lo-profile"
    cmd = [
        soffice,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--convert-to",
        "csv",
        "--outdir",
        str(folder / "lo-out"),
        str(ledger),
    ]
    return median(cmd, runs)


def ratio(label: str, value: float, base: float, target: float) -> bool:
    r = value / base
    ok = r <= target
    print(f"  {label:<46} {r:5.2f}  (target <= {target}) {'ok' if ok else 'MISSED'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--households", type=int, default=30000)
    parser.add_argument("--keep", type=Path, help="folder for the demo databases (reused)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-startup-"))
    folder.mkdir(parents=True, exist_ok=True)
    password = os.environ.get("GRIDVISIT_PASSWORD")
    if not password:
        from gridvisit.demo.generate import DEMO_PASSWORD

        password = DEMO_PASSWORD
    ENV["GRIDVISIT_PASSWORD"] = password
    out = folder / "shot.png"
    big = args.households
    print(f"start-up benchmark, {args.runs} runs each (median), in {folder}")
    dbs = {
        (plain, n): make_demo(folder, n, plain=plain) for plain in (False, True) for n in (300, big)
    }
    bare_script = folder / "bare.py"
    bare_script.write_text(BARE, encoding="utf-8")
    bare = median([sys.executable, str(bare_script), str(out)], args.runs)
    figures = {key: median(app_cmd(db, out, plain=key[0]), args.runs) for key, db in dbs.items()}
    first, later = first_of_day(dbs[(False, big)], out, args.runs, plain=False)
    office = libreoffice_seconds(dbs[(True, big)], folder, args.runs, plain=True)

    print("\nwhole process, seconds:")
    print(f"  bare PySide6 window, 300-row table           {bare:6.2f}")
    for (plain, n), value in figures.items():
        kind = "plain" if plain else "encrypted"
        print(f"  app, {n:>6} households, {kind:<9}              {value:6.2f}")
    print(f"  app, {big:>6} households, encrypted, first of day {first:6.2f}")
    if office is not None:
        print(f"  LibreOffice opening the {big} households ledger {office:6.2f}")
    print("\nratios:")
    ok = ratio("app 300 encrypted / bare window", figures[(False, 300)], bare, 1.5)
    ok &= ratio("app 300 plain / bare window", figures[(True, 300)], bare, 1.5)
    ok &= ratio(
        f"app {big} / app 300, encrypted", figures[(False, big)], figures[(False, 300)], 1.2
    )
    ok &= ratio(f"app {big} / app 300, plain", figures[(True, big)], figures[(True, 300)], 1.2)
    if office is not None:
        ok &= ratio(f"app {big} encrypted / LibreOffice", figures[(False, big)], office, 0.5)
    else:
        print("  app / LibreOffice: SKIPPED — LibreOffice (soffice) is not installed")
    ok &= ratio("first start of the day / later start", first, later, 1.2)
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    print("\nall targets met" if ok else "\nsome targets missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
