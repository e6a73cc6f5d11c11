"""core/services/visits.py: recording visits with their problems, corrections, drafts,
and the households due for a visit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gridvisit.core.clock import local_date
from gridvisit.core.enums import ProblemStatus, VisitMethod
from gridvisit.core.errors import ValidationError
from gridvisit.core.records import ProblemInput, Scope, VisitInput
from gridvisit.core.services import Services
from gridvisit.storage.models import AuditEntry, Problem, Visit
from tests.conftest import Clock
from tests.core.services.conftest import Area


def test_a_visit_and_its_problems_are_one_save(
    services: Services, area: Area, clock: Clock
) -> None:
    head = services.households.residents(area.elder.id)[0]
    visit = services.visits.record(
        VisitInput(
            area.elder.id,
            clock.now - timedelta(hours=1),
            VisitMethod.PHONE,
            notes="身体还好",
            present_resident_ids=(head.id,),
            problems=(ProblemInput("elevator", "电梯停运", "pressing"),),
        )
    )
    rec, present = services.visits.get(visit.id)
    assert present == (head.id,) and rec.notes == "身体还好"
    [problem_id] = rec.problem_ids
    problem = services.problems.get(problem_id)
    assert problem.status is ProblemStatus.PENDING
    # 较急: three working days after Wednesday (Thursday, Friday, Monday), to the end of
    # that day.
    assert local_date(problem.due_at) == local_date(clock.now) + timedelta(days=6)
    assert services.visits.last_visit(area.elder.id) == clock.now - timedelta(hours=1)
    assert [v.id for v in services.visits.for_household(area.elder.id)] == [visit.id]


def test_a_bad_problem_saves_nothing(services: Services, area: Area, clock: Clock) -> None:
    db = services.ctx.db
    with pytest.raises(ValidationError):
        services.visits.record(
            VisitInput(area.elder.id, clock.now, problems=(ProblemInput("elevator", ""),))
        )
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Visit)) == 0
        assert s.scalar(select(func.count()).select_from(Problem)) == 0


def test_a_future_visit_is_refused(services: Services, area: Area, clock: Clock) -> None:
    with pytest.raises(ValidationError):
        services.visits.record(VisitInput(area.elder.id, clock.now + timedelta(days=2)))


def test_a_correction_raises_the_version_and_is_audited(
    services: Services, area: Area, clock: Clock
) -> None:
    visit = services.visits.record(VisitInput(area.family.id, clock.now, notes="初访"))
    fixed = services.visits.update(
        visit.id, VisitInput(area.family.id, clock.now, VisitMethod.PHONE, notes="电话回访")
    )
    assert fixed.notes == "电话回访" and fixed.method is VisitMethod.PHONE
    with services.ctx.db.read_session() as s:
        assert s.get(Visit, visit.id).version == 2
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["visit.record", "visit.update"]
    services.visits.delete(visit.id)
    assert services.visits.for_household(area.family.id) == []
    assert services.visits.last_visit(area.family.id) is None


def test_drafts_are_kept_per_household_until_discarded(services: Services, area: Area) -> None:
    services.visits.save_draft(area.elder.id, {"notes": "还没写完"})
    assert services.visits.draft(area.family.id) is None
    draft = services.visits.draft(area.elder.id)
    assert draft is not None and draft.form == {"notes": "还没写完"}
    services.visits.discard_draft(area.elder.id)
    assert services.visits.draft(area.elder.id) is None


def test_due_lists_households_by_tier_most_overdue_first(
    services: Services, area: Area, clock: Clock
) -> None:
    today = local_date(clock.now)
    # Never visited: due from the day they were registered.
    due = services.visits.due(Scope(grid_id=area.grid.id), today=today)
    assert {d.household_id for d in due} == {area.elder.id, area.family.id, area.elsewhere.id}
    assert all(d.days_overdue == 0 for d in due)
    services.visits.record(VisitInput(area.elder.id, clock.now))
    services.visits.record(VisitInput(area.family.id, clock.now))
    # A week later the 重点 household is due again (7 days), the 一般 one is not (90).
    later = today + timedelta(days=7)
    due = services.visits.due(Scope(building_group_id=area.group.id), today=later, until=later)
    assert [(d.household_id, d.days_overdue) for d in due] == [(area.elder.id, 0)]
    much_later = today + timedelta(days=10)
    due = services.visits.due(Scope(), today=much_later, until=much_later)
    assert [(d.household_id, d.days_overdue) for d in due] == [
        (area.elsewhere.id, 10),
        (area.elder.id, 3),
    ]
