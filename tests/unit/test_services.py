"""Domain services against a real SQLite database (no Qt)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gridvisit.core.enums import EventKind, HandlingLevel, ProblemStatus, Satisfaction
from gridvisit.core.errors import ConflictError, NotFoundError, ValidationError, WorkflowError
from gridvisit.core.records import ProblemInput, ResidentInput, Scope, VisitInput
from gridvisit.core.services import Services
from gridvisit.storage.models import AuditEntry, Problem, ProblemEvent, Visit
from tests.conftest import Clock


@pytest.fixture
def place(services: Services) -> dict[str, int]:
    c = services.hierarchy.add_community("城东社区")
    g = services.hierarchy.add_grid(c.id, "锦绣花园网格", leader_name="陈网格长")
    b = services.hierarchy.add_building_group(g.id, "3号楼党小组", buildings="3")
    return {"community": c.id, "grid": g.id, "group": b.id}


@pytest.fixture
def household(services: Services, place: dict[str, int]) -> int:
    h = services.households.register(
        place["group"],
        "3",
        "2",
        "301",
        phone="13812345678",
        residents=(
            ResidentInput("张三", id_number="11010519491231002X", is_head=True),
            ResidentInput("李四", gender="M", relation="配偶"),
        ),
    )
    return h.id


def _count(services: Services, model: type) -> int:
    with services.ctx.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _audits(services: Services) -> list[str]:
    with services.ctx.read() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# --- hierarchy --------------------------------------------------------------------


def test_hierarchy_add_rename_move(services: Services, place: dict[str, int]) -> None:
    other = services.hierarchy.add_community("西池社区")
    services.hierarchy.rename("grid", place["grid"], "锦绣花园一网格")
    moved = services.hierarchy.move_grid(place["grid"], other.id)
    assert moved.parent_id == other.id and moved.name == "锦绣花园一网格"
    assert [g.name for g in services.hierarchy.grids(other.id)] == ["锦绣花园一网格"]
    assert {"community.add", "grid.add", "grid.rename", "grid.move"} <= set(_audits(services))


def test_duplicate_sibling_names_refused(services: Services, place: dict[str, int]) -> None:
    with pytest.raises(ConflictError, match="已经有"):
        services.hierarchy.add_building_group(place["grid"], "3号楼党小组")
    with pytest.raises(ValidationError):
        services.hierarchy.add_community("   ")


def test_delete_refused_while_in_use(
    services: Services, place: dict[str, int], household: int
) -> None:
    with pytest.raises(ConflictError, match="不能删除"):
        services.hierarchy.delete("building_group", place["group"])
    with pytest.raises(ConflictError, match="不能删除"):
        services.hierarchy.delete("community", place["community"])
    empty = services.hierarchy.add_building_group(place["grid"], "9号楼党小组")
    services.hierarchy.delete("building_group", empty.id)
    assert [b.name for b in services.hierarchy.building_groups(place["grid"])] == ["3号楼党小组"]


# --- households and residents ----------------------------------------------------


def test_register_household_normalises_and_derives(services: Services, household: int) -> None:
    h = services.households.get(household)
    assert h.address == "3栋2单元301室"
    residents = services.households.residents(household)
    head = residents[0]
    assert head.is_head and head.relation == "户主"
    assert head.birth_date == date(1949, 12, 31) and head.gender == "F"
    assert "household.register" in _audits(services)


def test_invalid_resident_writes_nothing(services: Services, place: dict[str, int]) -> None:
    before = _count(services, AuditEntry)
    with pytest.raises(ValidationError) as info:
        services.households.register(
            place["group"],
            "3",
            "1",
            "101",
            residents=(
                ResidentInput("王五", id_number="110105194912310021"),
                ResidentInput("", phone="123"),
            ),
        )
    assert set(info.value.errors) == {
        "residents[0].id_number",
        "residents[1].name",
        "residents[1].phone",
    }
    assert "校验位" in info.value.errors["residents[0].id_number"]
    assert services.households.in_group(place["group"]) == []
    assert _count(services, AuditEntry) == before


def test_gender_must_match_id(services: Services, household: int) -> None:
    with pytest.raises(ValidationError, match="性别与身份证号不符"):
        services.households.add_resident(
            household, ResidentInput("赵六", gender="M", id_number="11010519491231002X")
        )


def test_same_address_cannot_be_registered_twice(
    services: Services, place: dict[str, int], household: int
) -> None:
    with pytest.raises(ConflictError, match="已经登记"):
        services.households.register(place["group"], "3", "2", "301")


def test_special_groups_set_tier(services: Services, household: int) -> None:
    assert services.households.get(household).tier_code == "normal"
    head = services.households.residents(household)[0]
    services.households.update_resident(
        head.id,
        ResidentInput(
            head.name,
            id_number=head.id_number,
            is_head=True,
            special_groups=("living_alone_elderly",),
        ),
    )
    h = services.households.get(household)
    assert h.tier_code == "key" and h.version == 2
    services.households.update(household, tier_code="watch")  # manual override sticks
    services.households.remove_resident(head.id)
    assert services.households.get(household).tier_code == "watch"
    services.households.update(household, tier_code=None)  # back to automatic
    assert services.households.get(household).tier_code == "normal"


def test_move_household_and_resident(
    services: Services, place: dict[str, int], household: int
) -> None:
    other = services.hierarchy.add_building_group(place["grid"], "4号楼党小组", "4")
    services.households.move(household, other.id)
    assert services.households.get(household).building_group_id == other.id
    second = services.households.register(other.id, "4", "1", "101")
    spouse = services.households.residents(household)[1]
    services.households.move_resident(spouse.id, second.id)
    assert [r.name for r in services.households.residents(second.id)] == ["李四"]


def test_party_centre_households(services: Services, place: dict[str, int], household: int) -> None:
    centre = services.households.register(place["group"], "3", "1", "101")
    with pytest.raises(ConflictError, match="不是党员中心户"):
        services.households.assign_centre(household, centre.id)
    services.households.set_party_centre(centre.id, True)
    services.households.assign_centre(household, centre.id)
    assert [h.id for h in services.households.contacted_by(centre.id)] == [household]
    services.households.set_party_centre(centre.id, False)
    assert services.households.get(household).centre_household_id is None


def test_household_with_history_cannot_be_deleted(
    services: Services, household: int, clock: Clock
) -> None:
    services.visits.record(VisitInput(household, clock.now - timedelta(hours=1)))
    with pytest.raises(ConflictError, match="归档"):
        services.households.delete(household)
    services.households.archive(household)
    with pytest.raises(NotFoundError):
        services.households.get(household)


# --- visits and problems ---------------------------------------------------------


def _two_problems() -> tuple[ProblemInput, ProblemInput]:
    return (
        ProblemInput("elevator", "电梯经常停运", "urgent"),
        ProblemInput("leak", "卫生间渗水", "pressing", HandlingLevel.COMMUNITY),
    )


def test_visit_with_two_problems_in_one_go(
    services: Services, household: int, clock: Clock
) -> None:
    head = services.households.residents(household)[0]
    visit = services.visits.record(
        VisitInput(
            household,
            clock.now - timedelta(minutes=30),
            notes="老人身体尚可",
            present_resident_ids=(head.id,),
            problems=_two_problems(),
        )
    )
    assert len(visit.problem_ids) == 2
    first = services.problems.get(visit.problem_ids[0])
    assert first.status is ProblemStatus.PENDING and first.visit_id == visit.id
    assert [e.kind for e in first.events] == [EventKind.CREATED]
    second = services.problems.get(visit.problem_ids[1])
    assert second.level is HandlingLevel.COMMUNITY
    # 较急 = 3 days: reported Wed 2026-11-18, due by the end of Saturday the 21st.
    assert second.due_at.astimezone().date() >= date(2026, 11, 21)
    assert services.visits.last_visit(household) == visit.visited_at
    assert _audits(services).count("problem.create") == 2


def test_invalid_visit_writes_nothing(services: Services, household: int, clock: Clock) -> None:
    counts = [_count(services, m) for m in (Visit, Problem, ProblemEvent, AuditEntry)]
    bad = VisitInput(
        household,
        clock.now + timedelta(days=1),
        problems=(ProblemInput("elevator", "电梯坏了"), ProblemInput("no_such_category", "")),
    )
    with pytest.raises(ValidationError) as info:
        services.visits.record(bad)
    assert set(info.value.errors) == {
        "visited_at",
        "problems[1].category_code",
        "problems[1].description",
    }
    assert [_count(services, m) for m in (Visit, Problem, ProblemEvent, AuditEntry)] == counts


def test_full_problem_workflow(services: Services, household: int, clock: Clock) -> None:
    visit = services.visits.record(VisitInput(household, clock.now, problems=_two_problems()))
    pid = visit.problem_ids[0]
    with pytest.raises(WorkflowError, match="待受理"):
        services.problems.resolve(pid, "已处理")
    clock.advance(hours=1)
    services.problems.accept(pid, "物业服务中心", "王经理")
    services.problems.add_progress(pid, "已联系电梯维保单位")
    p = services.problems.escalate(pid, "物业无法解决,需要社区协调")
    assert (p.status, p.level, p.assigned_unit) == (
        ProblemStatus.PENDING,
        HandlingLevel.COMMUNITY,
        "",
    )
    services.problems.accept(pid, "社区居委会", "刘主任")
    services.problems.resolve(pid, "更换电梯主板")
    p = services.problems.return_visit(pid, Satisfaction.DISSATISFIED, "仍偶尔停运")
    assert p.status is ProblemStatus.IN_PROGRESS and p.resolved_at is None
    services.problems.resolve(pid, "整机检修")
    p = services.problems.return_visit(pid, Satisfaction.SATISFIED, "运行正常")
    assert p.status is ProblemStatus.CLOSED and p.satisfaction == "satisfied"
    assert [e.kind for e in p.events] == [
        EventKind.CREATED,
        EventKind.ACCEPTED,
        EventKind.PROGRESS,
        EventKind.ESCALATED,
        EventKind.ACCEPTED,
        EventKind.RESOLVED,
        EventKind.RETURN_VISIT,
        EventKind.RESOLVED,
        EventKind.RETURN_VISIT,
    ]
    assert all(e.actor_id == services.ctx.actor.user_id for e in p.events)
    with pytest.raises(WorkflowError, match="已回访销号"):
        services.problems.add_progress(pid, "x")
    p = services.problems.reopen(pid, "居民再次反映")
    assert p.status is ProblemStatus.IN_PROGRESS and p.closed_at is None


def test_failed_transition_changes_nothing(
    services: Services, household: int, clock: Clock
) -> None:
    pid = services.visits.record(
        VisitInput(household, clock.now, problems=_two_problems())
    ).problem_ids[0]
    before = services.problems.get(pid)
    with pytest.raises(ValidationError):
        services.problems.accept(pid, "  ")
    with pytest.raises(WorkflowError):
        services.problems.return_visit(pid, Satisfaction.SATISFIED)
    after = services.problems.get(pid)
    assert after == before


def test_public_area_problem_needs_location(services: Services, place: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="位置"):
        services.problems.report(place["grid"], ProblemInput("streetlight", "路灯不亮"))
    p = services.problems.report(
        place["grid"], ProblemInput("streetlight", "路灯不亮", location="小区东门")
    )
    assert p.household_id is None and p.status is ProblemStatus.PENDING


def test_overdue_problems(services: Services, household: int, clock: Clock) -> None:
    visit = services.visits.record(VisitInput(household, clock.now, problems=_two_problems()))
    urgent, pressing = visit.problem_ids
    assert services.problems.overdue() == []
    clock.advance(days=1)  # same-day limit has passed
    assert [p.id for p in services.problems.overdue()] == [urgent]
    clock.advance(days=3)  # Sunday: 较急 has 3 working days (Thursday, Friday, Monday)
    assert [p.id for p in services.problems.overdue()] == [urgent]
    clock.advance(days=2)  # Tuesday
    assert {p.id for p in services.problems.overdue()} == {urgent, pressing}
    services.problems.accept(pressing, "物业")
    services.problems.resolve(pressing, "已修")
    assert [p.id for p in services.problems.overdue()] == [urgent]
    assert services.problems.overdue(Scope(community_id=999)) == []


def test_due_visits_by_tier(services: Services, place: dict[str, int], clock: Clock) -> None:
    key = services.households.register(
        place["group"],
        "3",
        "1",
        "101",
        residents=(
            ResidentInput("周大爷", is_head=True, special_groups=("living_alone_elderly",)),
        ),
    )
    normal = services.households.register(place["group"], "3", "1", "102")
    # The key household was visited 10 days ago (weekly tier: 3 days overdue);
    # the normal one 10 days ago too (quarterly: not due).
    for hid in (key.id, normal.id):
        services.visits.record(VisitInput(hid, clock.now - timedelta(days=10)))
    fresh = services.households.register(place["group"], "3", "1", "103")  # never visited
    due = services.visits.due(Scope(building_group_id=place["group"]))
    assert [d.household_id for d in due] == [key.id, fresh.id]
    assert due[0].days_overdue == 3 and due[0].tier_code == "key"
    assert due[1].days_overdue == 0


def test_natural_order_uses_the_first_number() -> None:
    from gridvisit.core.services.workspace import natural_key

    names = ["7号楼党小组", "12-14号楼党小组", "1-3号楼党小组", "4-6号楼党小组"]
    assert sorted(names, key=natural_key) == [
        "1-3号楼党小组",
        "4-6号楼党小组",
        "7号楼党小组",
        "12-14号楼党小组",
    ]
    assert sorted(["1502", "302", "1001"], key=natural_key) == ["302", "1001", "1502"]
