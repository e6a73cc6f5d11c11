"""Disk full, a read-only file and a locked database: a known Chinese message, the app
keeps running, and nothing already saved is lost. The failures are SQLite's own,
injected per connection: `max_page_count` makes SQLite report SQLITE_FULL exactly as
a full disk does, `query_only` gives SQLITE_READONLY, and a second connection holding
the write lock gives SQLITE_BUSY."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select

from gridvisit.core.errors import StorageError
from gridvisit.core.records import ProblemInput, VisitInput
from gridvisit.core.services import Services
from gridvisit.storage import Database
from gridvisit.storage.models import Household, Problem, Visit


@contextmanager
def injected(db: Database, *pragmas: str) -> Iterator[None]:
    """Every new connection runs `pragmas` after the app's own set-up."""

    def hook(dbapi_conn: Any, _record: Any) -> None:
        for pragma in pragmas:
            dbapi_conn.execute(pragma)

    event.listen(db.engine, "connect", hook)
    db.engine.dispose()
    try:
        yield
    finally:
        event.remove(db.engine, "connect", hook)
        db.engine.dispose()


def page_count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)


def disk_full(db: Database) -> str:
    return f"PRAGMA max_page_count = {page_count(db)}"


FAILURES = {
    "disk_full": (disk_full, "磁盘空间已满"),
    "read_only": (lambda _db: "PRAGMA query_only = ON", "只读"),
}


def _visit(services: Services, note: str) -> VisitInput:
    with services.ctx.read() as s:
        household = s.scalars(select(Household.id)).one()
    return VisitInput(
        household_id=household,
        visited_at=services.ctx.now(),
        notes=(note * 2000)[:4900],  # needs new pages: a full disk cannot hide in free space
        problems=(ProblemInput("elevator", "电梯坏了"),),
    )


def _counts(db: Database) -> tuple[int, int]:
    with db.read_session() as s:
        return (
            s.scalar(select(func.count()).select_from(Visit)) or 0,
            s.scalar(select(func.count()).select_from(Problem)) or 0,
        )


@pytest.fixture
def with_household(services: Services) -> Services:
    c = services.hierarchy.add_community("城东社区")
    g = services.hierarchy.add_grid(c.id, "锦绣花园网格")
    b = services.hierarchy.add_building_group(g.id, "3号楼党小组", buildings="3")
    services.households.register(b.id, "3", "2", "301")
    return services


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_known_message_and_nothing_lost(with_household: Services, failure: str) -> None:
    services = with_household
    db = services.ctx.db
    saved = services.visits.record(_visit(services, "存好的"))
    before = _counts(db)
    make, words = FAILURES[failure]
    with injected(db, make(db)):
        with pytest.raises(StorageError) as caught:
            services.visits.record(_visit(services, "存不下"))
        assert words in caught.value.message and caught.value.hint
        assert _counts(db) == before  # all or nothing: no visit without its problem
    assert _counts(db) == before
    assert services.visits.for_household(saved.household_id)[0].id == saved.id
    services.visits.record(_visit(services, "又能存了"))  # the app carries on
    assert _counts(db) == (before[0] + 1, before[1] + 1)


def test_locked_database_says_so(with_household: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    services = with_household
    db = services.ctx.db
    before = _counts(db)
    assert db.path is not None
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with injected(db, "PRAGMA busy_timeout = 50"):
            with pytest.raises(StorageError, match="占用") as caught:
                services.visits.record(_visit(services, "等一下"))
            assert "稍候再试" in caught.value.hint
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _counts(db) == before
    services.visits.record(_visit(services, "好了"))
    assert _counts(db)[0] == before[0] + 1
