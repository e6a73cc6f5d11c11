"""Several merges into one PostgreSQL server at the same time (issue 15, finding 3)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from gridvisit.core.auth import LoginThrottle, ensure_first_admin, login
from gridvisit.core.services import ServiceContext, Services
from gridvisit.exchange import keys
from gridvisit.storage import Database, open_database
from tests.conftest import link_for_exchange
from tests.exchange.conftest import dump, review_state
from tests.security.test_exchange_trust import _admin, _base

PASSWORD = "server password 1"


def _devices(db: Database) -> list[tuple[object, ...]]:
    return [(d.device_id, d.audit_entries, d.audit_tip_id, d.flagged_at) for d in keys.devices(db)]


def _in_parallel(workers: int, run: Callable[[int], None], timeout: float) -> list[str]:
    """Start `run(i)` in `workers` threads at once; every failure, and a stuck thread."""
    barrier = threading.Barrier(workers)
    errors: list[str] = []

    def one(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            run(i)
        except Exception as exc:  # every failure is what we look for
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return errors + ["stuck"] * sum(t.is_alive() for t in threads)


def _packages(source: Database, tmp_path: Path, sub: Database) -> list[Path]:
    """Sealed packages from two laptops: one per grid from a copy of the demo, and one
    from a small laptop whose users share login names with the demo's."""
    shutil.copy(source.path, tmp_path / "a.db")
    a = open_database(tmp_path / "a.db")
    keys.new_identity(a)  # a copy: a device of its own
    b = _base(tmp_path / "b.db")
    out = tmp_path / "out"
    out.mkdir()
    for n, laptop in enumerate((a, b)):
        link_for_exchange(laptop, sub, name=f"电脑{n}")
    paths = [r.path for r in _admin(a).exchange.export_per_grid(out, full=True)]
    paths.append(_admin(b).exchange.export_package(out / "b.gvpkg", full=True).path)
    a.dispose()
    b.dispose()
    return paths


def test_parallel_merges_all_succeed_with_the_sequential_end_state(
    source: Database, tmp_path: Path, pg_server: str
) -> None:
    import psycopg

    admin_url = pg_server.replace("postgresql+psycopg://", "postgresql://")
    base = pg_server.rsplit("/", 1)[0]
    parallel_url, sequential_url = f"{base}/gv_parallel", f"{base}/gv_sequential"

    def sql(statement: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(statement)

    for name in ("gv_parallel", "gv_sequential"):
        sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sql('CREATE DATABASE "gv_parallel"')
    ensure_first_admin(parallel_url, "admin", "管理员", PASSWORD, create=True)
    parallel = open_database(parallel_url)
    paths = _packages(source, tmp_path, parallel)
    parallel.dispose()
    # The same starting point (and identity) for the sequential run.
    sql('CREATE DATABASE "gv_sequential" TEMPLATE "gv_parallel"')
    assert len(paths) >= 4
    workers = 4
    shares = [paths[i::workers] for i in range(workers)]
    summaries: list[str] = []

    def run(i: int) -> None:
        session = login(parallel_url, "admin", PASSWORD, encrypted=False,
                        throttle=LoginThrottle(tmp_path / f"t{i}.json"))  # fmt: skip
        services = Services(ServiceContext(session.db, session.actor))
        for path in shares[i]:
            _package, stats = services.exchange.merge_file(path, backup=False)
            summaries.append(stats.summary())
        session.db.dispose()

    assert _in_parallel(workers, run, timeout=600) == []
    assert not any("-1" in s for s in summaries)
    parallel, sequential = open_database(parallel_url), open_database(sequential_url)
    # One after another, in the order the parallel merges committed (a login name two
    # laptops share stays with the first to arrive: order matters for that alone).
    with parallel.read_session() as s:
        from sqlalchemy import select

        from gridvisit.storage.models import MergeLog

        order = list(s.scalars(select(MergeLog.file_name).order_by(MergeLog.id)))
    assert sorted(order) == sorted(p.name for p in paths)
    by_name = {p.name: p for p in paths}
    services = Services(ServiceContext(sequential, _admin(sequential).ctx.actor))
    for name in order:
        stats = services.exchange.merge_file(by_name[name], backup=False)[1]
        assert min(stats.as_dict().values()) >= 0
    assert dump(parallel) == dump(sequential)
    assert _devices(parallel) == _devices(sequential)
    assert review_state(parallel) == review_state(sequential)
    # The laptops' trails are append-only on the server too.
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    with pytest.raises(DatabaseError, match="append-only"), parallel.engine.begin() as conn:
        conn.execute(text("UPDATE device_audit_entry SET actor_name = 'nobody'"))
    parallel.dispose()
    sequential.dispose()


def test_first_runs_against_a_new_server_all_succeed(pg_url: str, tmp_path: Path) -> None:
    """`merge --db postgresql://…` on a new database from several places at once: one
    migrates and makes the administrator, the others wait and find them."""
    workers = 4

    def run(i: int) -> None:
        ensure_first_admin(pg_url, "admin", "管理员", PASSWORD, create=True)
        session = login(pg_url, "admin", PASSWORD, encrypted=False,
                        throttle=LoginThrottle(tmp_path / f"t{i}.json"))  # fmt: skip
        session.db.dispose()

    assert _in_parallel(workers, run, timeout=300) == []
    db = open_database(pg_url)
    from sqlalchemy import func, select

    from gridvisit.storage.audit import verify_audit
    from gridvisit.storage.models import User

    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 1
        verdict = verify_audit(s)
        assert verdict.ok and verdict.entries == 1 + workers  # first_admin + each login
    db.dispose()
