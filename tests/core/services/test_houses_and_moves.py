"""Issue 20: the house (房屋状态, owner, rental) and residents' registers and moves,
through HouseholdService, and how moves show in rows, tiers, due lists and details."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gridvisit.core.enums import HouseStatus, MoveKind, ResidentStatus, Role
from gridvisit.core.errors import ConflictError, PermissionDeniedError, ValidationError
from gridvisit.core.records import Actor, ResidentInput, Scope, VisitInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.storage.models import AuditEntry, Household, Resident, ResidentMove
from tests.conftest import Clock
from tests.core.services.conftest import Area


def _audit(services: Services, action: str) -> list[dict[str, object]]:
    with services.ctx.read() as s:
        return [
            dict(e.detail) for e in s.scalars(select(AuditEntry).where(AuditEntry.action == action))
        ]


def test_house_fields_are_validated_and_audited_without_personal_data(
    services: Services, area: Area
) -> None:
    h = services.households
    rec = h.update(
        area.family.id,
        house_status="出租",
        owner_name="赵房东",
        owner_phone="139 1234 5678",
        tenant_count=3,
        rental_registration="ZL2026-001",
    )
    assert rec.house_status == HouseStatus.RENTED
    assert (rec.owner_name, rec.owner_phone, rec.tenant_count) == ("赵房东", "13912345678", 3)
    (entry,) = _audit(services, "household.update")
    assert entry["house_status"] == "rented" and entry["tenant_count"] == 3
    assert "赵房东" not in str(entry) and "13912345678" not in str(entry)
    with pytest.raises(ValidationError) as bad:
        h.update(area.elder.id, house_status="别墅", tenant_count=-1, owner_phone="12")
    assert set(bad.value.errors) == {"house_status", "tenant_count", "owner_phone"}
    with pytest.raises(ValidationError, match="只有出租房屋"):
        h.update(area.elder.id, tenant_count=2)
    # No longer rented: the tenants go with it.
    back = h.update(area.family.id, house_status=HouseStatus.OWNER_OCCUPIED.value)
    assert (back.tenant_count, back.rental_registration) == (0, "")
    assert back.owner_name == "赵房东"


def test_resident_registers_accept_codes_and_names(services: Services, area: Area) -> None:
    h = services.households
    r = h.add_resident(
        area.family.id,
        ResidentInput(
            "钱七",
            relation="30",  # GB/T 4761 女
            registration_type="流动人口",
            residence_type="temporary",
            ethnicity="满族",
            political_status="02",
            workplace="市第一医院",
            moved_in_on=date(2026, 3, 1),
        ),
    )
    assert (r.relation, r.registration_type, r.residence_type) == ("女", "floating", "temporary")
    assert (r.ethnicity, r.political_status, r.is_party_member) == ("11", "02", True)
    assert r.workplace == "市第一医院" and r.moved_in_on == date(2026, 3, 1)
    # The move-in date is a 迁入 event in the household's history.
    (move,) = h.moves(area.family.id)
    assert move.kind is MoveKind.MOVE_IN and move.moved_on == date(2026, 3, 1)
    # 政治面貌 decides the party flag, in one place, however it is written.
    again = h.update_resident(r.id, ResidentInput("钱七", political_status="群众"))
    assert (again.political_status, again.is_party_member) == ("13", False)
    flag_only = h.update_resident(r.id, ResidentInput("钱七", is_party_member=True))
    assert (flag_only.political_status, flag_only.is_party_member) == ("01", True)
    with pytest.raises(ValidationError) as bad:
        h.add_resident(
            area.family.id,
            ResidentInput("孙八", relation="邻居", ethnicity="99", political_status="无党派的"),
        )
    assert set(bad.value.errors) == {"relation", "ethnicity", "political_status"}


def test_moving_out_leaves_rows_tier_and_due_list_but_not_history(
    services: Services, area: Area, clock: Clock
) -> None:
    h, w = services.households, services.workspace
    elder = h.residents(area.elder.id)[0]
    assert w.household_row(area.elder.id).tier_code == "key"  # type: ignore[union-attr]
    services.visits.record(VisitInput(area.elder.id, clock.now - timedelta(days=10)))
    services.visits.record(VisitInput(area.family.id, clock.now - timedelta(days=10)))
    due = services.visits.due(Scope(building_group_id=area.group.id))
    assert [d.household_id for d in due] == [area.elder.id]
    assert due[0].head == "张三"

    today = clock.now.date()
    move = h.record_move(elder.id, "迁出", today, "随子女到外地居住")
    assert move.kind is MoveKind.MOVE_OUT
    row = w.household_row(area.elder.id)
    assert row is not None and (row.members, row.head, row.groups) == (0, "", "")
    assert row.tier_code == "normal"  # the special group left with its resident
    assert h.get(area.elder.id).house_status == HouseStatus.VACANT  # emptied: 空置
    assert row.house_status == HouseStatus.VACANT  # the row carries it (the building view)
    assert services.visits.due(Scope(building_group_id=area.group.id)) == []
    assert h.residents(area.elder.id) == []
    (former,) = h.residents(area.elder.id, former=True)
    assert former.status == ResidentStatus.MOVED_OUT and not former.is_head
    detail = w.household_detail(area.elder.id)
    assert detail.residents == () and [r.name for r in detail.former_residents] == ["张三"]
    assert [(m.kind, m.note) for m in detail.moves] == [(MoveKind.MOVE_OUT, "随子女到外地居住")]
    (entry,) = _audit(services, "resident.move_event")
    assert entry["kind"] == "move_out" and "随子女" not in str(entry)

    # Back again: current once more, and the house is no longer 空置.
    with pytest.raises(ConflictError, match="已是“已迁出”"):
        h.record_move(elder.id, MoveKind.DEATH, today)
    h.record_move(elder.id, MoveKind.MOVE_IN, today)
    assert h.get(area.elder.id).house_status == HouseStatus.OWNER_OCCUPIED
    assert w.household_row(area.elder.id).tier_code == "key"  # type: ignore[union-attr]
    with pytest.raises(ConflictError):
        h.record_move(elder.id, MoveKind.MOVE_IN, today)


def test_a_death_in_a_family_keeps_the_house_and_counts_the_rest(
    services: Services, area: Area, clock: Clock
) -> None:
    h = services.households
    spouse = h.add_resident(area.family.id, ResidentInput("周九", relation="配偶"))
    head = h.residents(area.family.id)[0]
    h.record_move(head.id, MoveKind.DEATH, clock.now.date(), "病故")
    h.record_move(spouse.id, MoveKind.INTERNAL, clock.now.date(), "户主变更", relation="02")
    row = services.workspace.household_row(area.family.id)
    assert row is not None and (row.members, row.head) == (1, "周九")
    assert h.get(area.family.id).house_status == HouseStatus.OWNER_OCCUPIED
    kinds = [m.kind for m in h.moves(area.family.id)]
    assert sorted(kinds) == sorted([MoveKind.DEATH, MoveKind.INTERNAL])
    with services.ctx.read() as s:
        assert s.scalar(select(Resident.status).where(Resident.id == head.id)) == "deceased"
        assert len(list(s.scalars(select(ResidentMove)))) == 2
    with pytest.raises(ValidationError):
        h.record_move(spouse.id, MoveKind.MOVE_OUT, clock.now.date() + timedelta(days=1))
    with pytest.raises(ValidationError):
        h.record_move(spouse.id, "搬家", clock.now.date())


def test_moves_and_house_edits_stay_inside_the_actors_area(
    services: Services, area: Area, clock: Clock
) -> None:
    other_c = services.hierarchy.add_community("乙社区")
    other_g = services.hierarchy.add_grid(other_c.id, "乙一网格")
    other_b = services.hierarchy.add_building_group(other_g.id, "9号楼")
    far = services.households.register(
        other_b.id, "9", "", "901", residents=(ResidentInput("吴十", is_head=True),)
    )
    worker = services.users.create("w", "网格员", Role.GRID_WORKER, grid_ids=[area.grid.id])
    mine = Services(
        ServiceContext(services.ctx.db, Actor(worker.id, "w", "", Role.GRID_WORKER), clock=clock)
    )
    far_resident = services.households.residents(far.id)[0]
    with pytest.raises(PermissionDeniedError):
        mine.households.record_move(far_resident.id, MoveKind.MOVE_OUT, clock.now.date())
    with pytest.raises(PermissionDeniedError):
        mine.households.update(far.id, house_status="出租")
    with pytest.raises(PermissionDeniedError):
        mine.households.moves(far.id)
    own = mine.households.residents(area.family.id)[0]
    mine.households.record_move(own.id, MoveKind.MOVE_OUT, clock.now.date())
    with services.ctx.read() as s:
        assert s.scalar(select(Household.house_status).where(Household.id == far.id)) == (
            "owner_occupied"
        )
