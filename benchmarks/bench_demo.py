"""Demo data at scale: time to build the 30,000-household demo database and check it.

Prints figures; never part of the test run's pass/fail. Target: under 60 s here.
Usage: python benchmarks/bench_demo.py [--households N] [--seed S]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from gridvisit.demo.generate import generate_demo
from gridvisit.storage.check import check_database

TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        started = time.perf_counter()
        stats = generate_demo(path, households=args.households, seed=args.seed)
        build = time.perf_counter() - started
        started = time.perf_counter()
        report = check_database(path)
        check = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"households          {stats.households:>10,}")
    print(f"residents           {stats.residents:>10,}")
    print(f"visits              {stats.visits:>10,}")
    print(f"problems            {stats.problems:>10,}")
    print(f"problem events      {stats.problem_events:>10,}")
    print(
        f"demo build          {build:>10.1f} s   (target < {TARGET_SECONDS:.0f} s, "
        f"ratio {build / TARGET_SECONDS:.2f})"
    )
    print(f"check (integrity)   {check:>10.1f} s   ok={report.ok}")
    print(f"database size       {size_mb:>10.1f} MB")
    print(f"peak memory         {peak_mb:>10.0f} MB")


if __name__ == "__main__":
    main()
