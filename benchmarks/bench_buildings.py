"""The building view (楼栋图) at scale: each building group's chart, a grid's sweep
list and the three prints, on the 30,000-household demo (plain or encrypted).

Prints figures; never part of the test run's pass/fail. A building group has 60-150
households; the page should be on screen well under half a second.
Usage: python benchmarks/bench_buildings.py [--db PATH] [--encrypted] [--groups N]
(without --db a plain 30k demo is generated in a temporary folder).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from gridvisit.core.clock import IsoWeek
from gridvisit.core.passwords import LoginThrottle
from gridvisit.core.services import Services
from gridvisit.core.services.context import ServiceContext
from gridvisit.demo.generate import generate_demo
from gridvisit.reports import buildings as rb


def _ms(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:5.0f} ms, slowest {max(values) * 1000:5.0f} ms"
    )


def main() -> None:
    from gridvisit.core import auth

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--encrypted", action="store_true")
    parser.add_argument("--groups", type=int, default=40)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gv-bench-"))
    path = args.db
    if path is None:
        path = tmp / "demo30000.db"
        print("generating 30,000 households…", flush=True)
        generate_demo(path, households=30_000, seed=1)
    password = os.environ.get("GRIDVISIT_PASSWORD", "gridvisit-demo")
    login = auth.login(
        path, "admin", password, encrypted=args.encrypted,
        throttle=LoginThrottle(tmp / "throttle.json"),
    )  # fmt: skip
    services = Services(ServiceContext(login.db, login.actor))
    groups = [n for n in _group_ids(services)][: args.groups]
    charts, sizes = [], []
    for gid in groups:
        started = time.perf_counter()
        chart = services.buildings.chart(gid)
        charts.append(time.perf_counter() - started)
        sizes.append(len(chart.rooms))
    print(f"chart of a building group ({len(groups)} groups, {min(sizes)}-{max(sizes)} households)")
    print(f"  {_ms(charts)}")
    week = IsoWeek.containing(date.today())
    grid_ids = sorted({services.buildings.chart(g).grid for g in groups[::8][:5]})
    sweeps = []
    for name in grid_ids:
        gid = services.buildings.find_grid(name)
        started = time.perf_counter()
        sweep = services.buildings.sweep(week, grid_id=gid)
        sweeps.append(time.perf_counter() - started)
    print(f"sweep list of a grid ({len(grid_ids)} grids)\n  {_ms(sweeps)}")
    for label, render in (
        ("chart PDF", lambda out: rb.render_chart(chart, out)),
        ("sweep PDF", lambda out: rb.render_sweep(sweep, out)),
        ("card PDF", lambda out: rb.render_household_card(
            services.buildings.card(chart.rooms[0].household_id), out)),
    ):  # fmt: skip
        started = time.perf_counter()
        render(str(tmp / "out.pdf"))
        print(f"{label:<12} {time.perf_counter() - started:5.2f} s")
    login.db.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


def _group_ids(services: Services) -> list[int]:
    tree = services.workspace.tree()
    out: list[int] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.kind == "building_group" and node.id is not None:
            out.append(node.id)
        stack.extend(node.children)
    return sorted(out)


if __name__ == "__main__":
    main()
