"""Merge speed (issue: exchange with the sub-district).

Prints figures; never part of the test run's pass/fail.
  - A demo sub-district of about 40 grids and 300,000 visits is exported with
    `--per-grid --full`, one package per grid.
  - Merging all packages into an empty SQLite database, against a plain baseline:
    the same packages read and parsed the same way, and the same rows inserted with
    sqlite3 `executemany` into an empty database of the same schema, in one
    transaction, with no checks at all.                       target ratio <= 2.5
  - Merging all packages again (nothing changes).   target <= 0.5 x the first merge
    Files merged before are recognised by their SHA-256 and not applied again; the
    record-by-record recheck of the same files is printed too, for information.
  - As the app merges: the packages' device is registered at the target for every
    community (created there first, as `keys register-device --create` does), so each
    record is checked against the device's area and the audit trail is anchored.
    `--no-sender` merges without those checks, as before issue 15.
Usage: python benchmarks/bench_merge.py [--keep DIR] [--households N] [--weeks W] [--no-sender]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from gridvisit.demo.generate import generate_demo
from gridvisit.exchange import keys
from gridvisit.exchange.export import export_per_grid
from gridvisit.exchange.merge import merge_package
from gridvisit.exchange.package import parse_package, read_package
from gridvisit.exchange.records import SPECS
from gridvisit.exchange.trust import NO_RIGHTS, Sender
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import Community


def baseline(packages: list[Path], target: Path) -> float:
    """Parse the same packages and executemany the same rows; ids from a dict."""
    open_database(target, create=True).dispose()  # same schema, same indexes
    started = time.perf_counter()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("BEGIN")
    ids: dict[str, dict[str, int]] = {s.name: {} for s in SPECS}
    for path in packages:
        package = parse_package(path.read_bytes(), path.name)
        for spec in SPECS:
            # Users arrive without rights (exchange/trust.py), in the baseline too.
            extra = dict(NO_RIGHTS) if spec.name == "app_user" else {}
            cols = [c.name for c in spec.plain] + [r.column for r in spec.refs] + list(extra)
            sql = (
                f"INSERT INTO {spec.name} (id, {', '.join(cols)}) "
                f"VALUES ({', '.join('?' * (len(cols) + 1))})"
            )
            known = ids[spec.name]
            rows = []
            for rec in package.records.get(spec.name, []):
                if rec["uuid"] in known:
                    continue
                known[rec["uuid"]] = ident = len(known) + 1
                values = [rec[c.name] for c in spec.plain]
                values = [str(v) if isinstance(v, list) else v for v in values]
                refs = [ids[r.target.name].get(rec[r.key]) for r in spec.refs]
                rows.append((ident, *values, *refs, *extra.values()))
            conn.executemany(sql, rows)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - started


def register(db: Database, device: keys.PublicKey, communities: list[str]) -> None:
    """The source's device registered at the target for all its communities."""
    ids = []
    with db.session() as s:
        for name in communities:
            community = Community(name=name)
            s.add(community)
            s.flush()
            ids.append(community.id)
    keys.register_device(db, device, by="bench", community_ids=ids)


def merge_all(
    db_path: Path, packages: list[Path], *, recheck: bool = False, sender: Sender | None = None
) -> tuple[float, dict[str, int]]:
    db = open_database(db_path, create=True)
    totals: dict[str, int] = {}
    started = time.perf_counter()
    for path in packages:
        stats = merge_package(db, read_package(path), recheck=recheck, sender=sender)
        for key, value in stats.as_dict().items():
            totals[key] = totals.get(key, 0) + value
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed, totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", type=Path, help="folder to keep the demo database in")
    parser.add_argument("--households", type=int, default=16000)
    parser.add_argument("--weeks", type=int, default=90)
    parser.add_argument("--no-sender", action="store_true", help="merge without area checks")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="gv-bench-merge-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"merge-source-{args.households}-{args.weeks}.db"
    if not source.exists():
        print(f"generating {source} ...", file=sys.stderr)
        generate_demo(source, households=args.households, weeks=args.weeks, seed=5)
    folder = Path(tempfile.mkdtemp(prefix="packages-", dir=work))
    db = open_database(source)
    started = time.perf_counter()
    results = export_per_grid(db, folder, full=True)
    export_s = time.perf_counter() - started
    device = keys.identity(db).public("bench")
    with db.read_session() as s:
        communities = list(s.scalars(select(Community.name).order_by(Community.id)))
    db.dispose()
    packages = [r.path for r in results]
    visits = sum(r.counts.get("visit", 0) for r in results)
    records = sum(r.total for r in results)
    size = sum(p.stat().st_size for p in packages)
    print(f"packages: {len(packages)}, visits {visits}, records {records}, {size / 1e6:.1f} MB")
    print(f"export --per-grid --full: {export_s:.2f} s")

    base_s = baseline(packages, folder / "baseline.db")
    target = folder / "merged.db"
    sender = None
    if not args.no_sender:
        made = open_database(target, create=True)
        register(made, device, communities)
        made.dispose()
        sender = Sender("device", device.device_id)
    print(f"merging {'without area checks' if sender is None else 'as the app does'}")
    first_s, first = merge_all(target, packages, sender=sender)
    again_s, again = merge_all(target, packages, sender=sender)
    recheck_s, recheck = merge_all(target, packages, recheck=True, sender=sender)
    print(f"plain sqlite3 executemany (parse + insert): {base_s:.2f} s")
    print(f"merge into empty database:                 {first_s:.2f} s  {first}")
    print(f"ratio merge / plain: {first_s / base_s:.2f}  (target <= 2.5)")
    print(f"merge all again:                           {again_s:.2f} s  {again}")
    print(f"ratio again / first: {again_s / first_s:.2f}  (target <= 0.5)")
    print(f"merge all again, --recheck (record by record): {recheck_s:.2f} s  {recheck}")
    print(f"ratio recheck / first: {recheck_s / first_s:.2f}  (for information)")


if __name__ == "__main__":
    main()
