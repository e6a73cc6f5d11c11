"""exchange/review.py: what merges leave for a supervisor, listed and settled through
the guarded, audited ExchangeService (the merge review window calls nothing else)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from gridvisit.core.enums import Role
from gridvisit.core.errors import PermissionDeniedError
from gridvisit.core.records import Actor, ResidentInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.exchange.records import SPEC_BY_NAME, canonical
from gridvisit.storage import Database
from gridvisit.storage.models import AuditEntry, Household, MergeConflict, PossibleDuplicate
from tests.conftest import Clock


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(payload).encode()).hexdigest()


def _conflict_on(db: Database, household_uuid: str, notes: tuple[str, str]) -> list[str]:
    """Two copies of one household at the same version, as two merges would leave them;
    the table holds the first. Returns the copies' hashes."""
    spec = SPEC_BY_NAME["household"]
    with db.session() as s:
        h = s.scalar(select(Household).where(Household.uuid == household_uuid))
        h.notes = notes[0]
    with db.read_session() as s:
        row = s.execute(spec.select_payload().where(spec.table.c.uuid == household_uuid)).one()
    stored = spec.payload(row)
    copies = [stored, dict(stored, notes=notes[1])]
    with db.session() as s:
        for n, payload in enumerate(copies):
            s.add(
                MergeConflict(
                    entity="household",
                    uuid=household_uuid,
                    version=payload["version"],
                    payload_hash=_hash(payload),
                    payload=payload,
                    source=f"l{n}.gvpkg (abcdef12)",
                )
            )
    return [_hash(p) for p in copies]


@pytest.fixture
def household(services: Services) -> Any:
    h = services.hierarchy
    c = h.add_community("甲社区")
    g = h.add_grid(c.id, "甲一网格")
    b = h.add_building_group(g.id, "1号楼")
    return services.households.register(b.id, "1", "2", "301", residents=(ResidentInput("王小明"),))


def _entries(db: Database, action: str) -> list[AuditEntry]:
    with db.read_session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        s.expunge_all()
        return list(rows)


def test_a_chosen_copy_becomes_current_audited_on_the_service_clock(
    services: Services, household: Any, clock: Clock
) -> None:
    db = services.ctx.db
    hashes = _conflict_on(db, household.uuid, ("甲的备注", "乙的备注"))
    [conflict] = services.exchange.conflicts()
    assert conflict.entity == "household" and conflict.uuid == household.uuid
    assert [c.current for c in conflict.copies] == [True, False]
    assert conflict.description == "甲一网格 1栋2单元301室"
    clock.advance(days=3)
    services.exchange.resolve_conflict(conflict, hashes[1])
    assert services.households.get(household.id).notes == "乙的备注"
    assert services.exchange.conflicts() == []
    with db.read_session() as s:
        resolved = set(s.scalars(select(MergeConflict.resolved_at)))
    assert {_utc(r) for r in resolved} == {clock.now}
    [entry] = _entries(db, "review.resolve_conflict")
    assert entry.actor_name == services.ctx.actor.username
    assert entry.entity == "household" and entry.entity_uuid == household.uuid
    assert entry.detail == {"version": conflict.version, "chosen": hashes[1][:12]}
    assert _utc(entry.at) == clock.now


def test_keeping_the_current_copy_only_closes_the_conflict(
    services: Services, household: Any
) -> None:
    db = services.ctx.db
    _conflict_on(db, household.uuid, ("甲的备注", "乙的备注"))
    [conflict] = services.exchange.conflicts()
    before = services.households.get(household.id)
    services.exchange.resolve_conflict(conflict, None)
    after = services.households.get(household.id)
    assert (after.notes, after.version) == (before.notes, before.version)
    assert after.notes == "甲的备注"
    assert services.exchange.conflicts() == []
    [entry] = _entries(db, "review.resolve_conflict")
    assert entry.detail == {"version": conflict.version, "chosen": ""}


def test_a_duplicate_verdict_is_recorded_and_audited(
    services: Services, household: Any, clock: Clock
) -> None:
    db = services.ctx.db
    resident = services.households.residents(household.id)[0]
    with db.session() as s:
        s.add(PossibleDuplicate(kind="resident", uuid_a=resident.uuid, uuid_b="f" * 36))
    [dup] = services.exchange.duplicates()
    assert dup.text_a.startswith("王**") and dup.text_b == "(本库没有这条记录)"
    services.exchange.resolve_duplicate(dup.id, same=False)
    assert services.exchange.duplicates() == []
    with db.read_session() as s:
        row = s.scalar(select(PossibleDuplicate))
        assert row.resolution == "different"
        assert _utc(row.resolved_at) == clock.now
    [entry] = _entries(db, "review.resolve_duplicate")
    assert entry.detail == {"kind": "resident", "same": False}


def test_a_grid_worker_can_neither_list_nor_settle(services: Services, household: Any) -> None:
    """A grid worker reaches the review window after merging a return package: the
    service refuses, and nothing changes."""
    db = services.ctx.db
    hashes = _conflict_on(db, household.uuid, ("甲的备注", "乙的备注"))
    [conflict] = services.exchange.conflicts()
    with db.session() as s:
        s.add(PossibleDuplicate(kind="resident", uuid_a="a" * 36, uuid_b="b" * 36))
    [dup] = services.exchange.duplicates()
    worker = services.users.create("w", "网格员", Role.GRID_WORKER, grid_ids=[1])
    ws = Services(
        ServiceContext(db, Actor(worker.id, "w", "网格员", Role.GRID_WORKER), services.ctx.clock)
    )
    for call in (
        ws.exchange.conflicts,
        ws.exchange.duplicates,
        lambda: ws.exchange.resolve_conflict(conflict, hashes[1]),
        lambda: ws.exchange.resolve_duplicate(dup.id, same=True),
    ):
        with pytest.raises(PermissionDeniedError, match="合并网格数据包"):
            call()
    assert len(services.exchange.conflicts()) == 1 and len(services.exchange.duplicates()) == 1
    assert services.households.get(household.id).notes == "甲的备注"
    assert _entries(db, "review.resolve_conflict") == []


def test_descriptions_are_masked_and_placed() -> None:
    from gridvisit.exchange.review import copy_text, describe

    assert describe("resident", {"name": "王小明"}) == "王**"
    assert describe("visit", {"visited_at": "2026-11-18T02:00:00"}) == "2026-11-18 走访"
    text = copy_text("household", {"building": "1", "unit": "", "room": "101",
                                   "notes": "电话13912345678"})  # fmt: skip
    assert "13912345678" not in text and "101室" in text
