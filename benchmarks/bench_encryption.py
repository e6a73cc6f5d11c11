"""Encrypted (SQLCipher) vs plain database on the 30k demo (issue: security).

Prints figures and ratios (target: each ratio <= 1.3); never part of the test run.
  - opening: log in (argon2id key slot and password check for the encrypted file,
    password check for the plain one), migrations check, first query
  - search: loading the whole sub-district's household rows (what the search filters)
    and the problem list
  - saving a visit with one problem
Usage: python benchmarks/bench_encryption.py [--keep DIR] [--households N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gridvisit.core.auth import LoginThrottle, encrypt_database, login
from gridvisit.core.records import ProblemInput, Scope, VisitInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.workspace import ProblemFilter
from gridvisit.demo.generate import DEMO_PASSWORD, generate_demo
from gridvisit.storage.keystore import keys_path


class _Unthrottled(LoginThrottle):
    def check(self, target: str, username: str) -> None:
        return None


def median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(path: Path, encrypted: bool, throttle: LoginThrottle) -> dict[str, float]:
    def open_once() -> None:
        session = login(path, "admin", DEMO_PASSWORD, encrypted=encrypted, throttle=throttle)
        Services(ServiceContext(session.db, session.actor)).hierarchy.communities()
        session.db.dispose()

    figures = {"opening": median(open_once, 7)}
    session = login(path, "admin", DEMO_PASSWORD, encrypted=encrypted, throttle=throttle)
    services = Services(ServiceContext(session.db, session.actor))
    try:
        figures["search: household rows"] = median(
            lambda: services.workspace.household_rows(Scope()), 5
        )
        figures["search: problem list"] = median(
            lambda: services.workspace.problem_lines(Scope(), ProblemFilter()), 5
        )
        households = [r.id for r in services.workspace.household_rows(Scope())[:200]]
        start = datetime.now(UTC) - timedelta(days=1)
        counter = iter(range(10_000))

        def save() -> None:
            n = next(counter)
            services.visits.record(
                VisitInput(
                    households[n % len(households)],
                    start + timedelta(seconds=n),
                    notes="测试走访",
                    problems=(ProblemInput("elevator", "电梯经常停运"),),
                )
            )

        figures["saving a visit"] = median(save, 40)
    finally:
        session.db.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="reuse/keep the demo databases in this folder")
    parser.add_argument("--households", type=int, default=30_000)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gv-bench-enc-"))
    folder.mkdir(parents=True, exist_ok=True)
    plain = folder / f"demo{args.households}.db"
    if not plain.exists():
        print(f"generating the {args.households}-household demo …")
        generate_demo(plain, households=args.households, seed=1)
    encrypted = folder / f"demo{args.households}-encrypted.db"
    if not encrypted.exists():
        work = folder / "encrypting.db"
        shutil.copyfile(plain, work)
        started = time.perf_counter()
        encrypt_database(work, "admin", DEMO_PASSWORD, throttle=_Unthrottled(folder / "t.json"))
        print(f"converting to SQLCipher: {time.perf_counter() - started:.1f} s")
        keys_path(work).rename(keys_path(encrypted))
        work.rename(encrypted)
    throttle = _Unthrottled(folder / "throttle.json")
    base = measure(plain, False, throttle)
    enc = measure(encrypted, True, throttle)
    print(f"{'':28}{'plain':>10}{'encrypted':>12}{'ratio':>8}   (target <= 1.3)")
    for name in base:
        ratio = enc[name] / base[name]
        flag = "" if ratio <= 1.3 else "  ← over target"
        print(f"{name:28}{base[name] * 1000:8.1f} ms{enc[name] * 1000:10.1f} ms{ratio:8.2f}{flag}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
