"""Problems: public-area reports, the workflow 待受理 → 办理中 → 已办结 → 已回访销号
with escalation and reopening, each step a problem event; overdue problems."""

from __future__ import annotations

import builtins
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from gridvisit.core.access import Action, guarded
from gridvisit.core.clock import local_date
from gridvisit.core.enums import EventKind, HandlingLevel, ProblemStatus, Satisfaction
from gridvisit.core.errors import ValidationError, WorkflowError
from gridvisit.core.records import ProblemEventRec, ProblemInput, ProblemRec, Scope
from gridvisit.core.rules import (
    SUPERVISION,
    SUPERVISOR_ONLY,
    allowed_actions,
    due_at_for_day,
    extension_dates,
    extension_fields,
    limit_day,
    pending_extension,
    problem_overdue_sql,
    transition,
)
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.services.visits import add_problem, validate_problem
from gridvisit.core.validation import optional_text, require_text
from gridvisit.storage.models import BuildingGroup, Grid, Problem, ProblemEvent
from gridvisit.storage.queries import problems_in


def event_rec(e: ProblemEvent) -> ProblemEventRec:
    return ProblemEventRec(
        e.id,
        e.uuid,
        EventKind(e.kind),
        e.at,
        e.actor_id,
        e.from_status,
        e.to_status,
        e.from_level,
        e.to_level,
        e.note,
        e.assigned_unit,
        e.assigned_person,
        e.satisfaction,
    )


def problem_rec(p: Problem, *, with_events: bool = False) -> ProblemRec:
    events = tuple(event_rec(e) for e in p.events) if with_events else ()
    return ProblemRec(
        p.id,
        p.uuid,
        p.grid_id,
        p.building_group_id,
        p.household_id,
        p.visit_id,
        p.category_code,
        p.description,
        p.urgency_code,
        HandlingLevel(p.level),
        ProblemStatus(p.status),
        p.reported_at,
        p.due_at,
        p.assigned_unit,
        p.assigned_person,
        p.resolution,
        p.resolved_at,
        p.satisfaction,
        p.closed_at,
        p.version,
        events,
    )


class ProblemService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @guarded(Action.RECORD)
    def report(
        self, grid_id: int, data: ProblemInput, *, building_group_id: int | None = None
    ) -> ProblemRec:
        """A problem in a public area (no household, no visit)."""
        errors: dict[str, str] = {}
        with self.ctx.write() as s:
            self.ctx.get(s, Grid, grid_id)
            if building_group_id is not None:
                group = self.ctx.get(s, BuildingGroup, building_group_id)
                if group.grid_id != grid_id:
                    errors["building_group_id"] = "楼栋党小组不属于这个网格"
            clean, limit = validate_problem(s, data, "", errors)
            if not clean.location and building_group_id is None:
                errors["location"] = "公共区域的问题请填写位置"
            if errors:
                raise ValidationError(errors)
            problem = add_problem(
                self.ctx,
                s,
                clean,
                limit,
                grid_id=grid_id,
                building_group_id=building_group_id,
                household_id=None,
                visit_id=None,
                reported_at=self.ctx.now(),
            )
            return problem_rec(problem, with_events=True)

    # -- workflow -----------------------------------------------------------------
    @guarded(Action.RECORD)
    def accept(
        self,
        problem_id: int,
        unit: str,
        person: str = "",
        note: str = "",
        *,
        version: int | None = None,
    ) -> ProblemRec:
        """受理并派单 to a responsible unit and person."""
        errors: dict[str, str] = {}
        unit = require_text(errors, "assigned_unit", "责任单位", unit, max_len=64)
        person = optional_text(errors, "assigned_person", "责任人", person, max_len=32)
        note = optional_text(errors, "note", "备注", note)
        if errors:
            raise ValidationError(errors)
        return self._act(
            problem_id, EventKind.ACCEPTED, note, unit=unit, person=person, version=version
        )

    @guarded(Action.RECORD)
    def add_progress(self, problem_id: int, note: str, *, version: int | None = None) -> ProblemRec:
        return self._act(
            problem_id, EventKind.PROGRESS, self._required_note(note, "办理进展"), version=version
        )

    @guarded(Action.RECORD)
    def escalate(self, problem_id: int, reason: str, *, version: int | None = None) -> ProblemRec:
        return self._act(
            problem_id,
            EventKind.ESCALATED,
            self._required_note(reason, "上报原因"),
            version=version,
        )

    @guarded(Action.RECORD)
    def resolve(
        self, problem_id: int, resolution: str, *, version: int | None = None
    ) -> ProblemRec:
        text = self._required_note(resolution, "办理结果", field="resolution")
        return self._act(problem_id, EventKind.RESOLVED, text, resolution=text, version=version)

    @guarded(Action.RECORD)
    def return_visit(
        self,
        problem_id: int,
        satisfaction: Satisfaction,
        note: str = "",
        *,
        version: int | None = None,
    ) -> ProblemRec:
        """回访: 满意/基本满意 closes the problem; 不满意 sends it back to 办理中."""
        errors: dict[str, str] = {}
        note = optional_text(errors, "note", "回访情况", note)
        if errors:
            raise ValidationError(errors)
        return self._act(
            problem_id,
            EventKind.RETURN_VISIT,
            note,
            satisfaction=Satisfaction(satisfaction),
            version=version,
        )

    @guarded(Action.RECORD)
    def reopen(self, problem_id: int, reason: str, *, version: int | None = None) -> ProblemRec:
        return self._act(
            problem_id,
            EventKind.REOPENED,
            self._required_note(reason, "重新办理原因"),
            version=version,
        )

    # -- 督办 and 延期申请 (no change of status; docs/architecture.md#where-each-rule-lives)
    @guarded(Action.SUPERVISE)
    def supervise(
        self, problem_id: int, kind: EventKind, note: str, *, version: int | None = None
    ) -> ProblemRec:
        """黄牌督办, 红牌督办 or 加急 by a community or sub-district admin."""
        try:
            mark = EventKind(kind)
        except ValueError:
            mark = EventKind.CREATED
        if mark not in SUPERVISION:
            raise ValidationError({"kind": "督办只能是黄牌督办、红牌督办或加急"})
        return self._act(problem_id, mark, self._required_note(note, "督办意见"), version=version)

    @guarded(Action.RECORD)
    def request_extension(
        self, problem_id: int, new_day: date, reason: str, *, version: int | None = None
    ) -> ProblemRec:
        """延期申请: the handler asks for the limit to end with `new_day` instead."""
        text = self._required_note(reason, "延期理由")
        return self._act(
            problem_id, EventKind.EXTENSION_REQUESTED, text, new_day=new_day, version=version
        )

    @guarded(Action.SUPERVISE)
    def decide_extension(
        self, problem_id: int, approve: bool, note: str = "", *, version: int | None = None
    ) -> ProblemRec:
        """同意 (the limit moves to the date asked for) or 不同意 (a reason is required)."""
        if approve:
            errors: dict[str, str] = {}
            note = optional_text(errors, "note", "审批意见", note)
            if errors:
                raise ValidationError(errors)
            return self._act(problem_id, EventKind.EXTENSION_APPROVED, note, version=version)
        text = self._required_note(note, "不同意的理由")
        return self._act(problem_id, EventKind.EXTENSION_REFUSED, text, version=version)

    def _act(
        self,
        problem_id: int,
        kind: EventKind,
        note: str,
        *,
        unit: str = "",
        person: str = "",
        resolution: str = "",
        satisfaction: Satisfaction | None = None,
        new_day: date | None = None,
        version: int | None = None,
    ) -> ProblemRec:
        now = self.ctx.now()
        with self.ctx.write() as s:
            p = self.ctx.get(s, Problem, problem_id, version=version)
            status, level = ProblemStatus(p.status), HandlingLevel(p.level)
            pending = pending_extension(p.events)
            step = transition(
                status, level, kind, satisfaction, extension_pending=pending is not None
            )
            new_due: datetime | None = None
            if kind is EventKind.EXTENSION_REQUESTED:
                assert new_day is not None
                if new_day <= limit_day(p.due_at):
                    raise ValidationError(
                        {"new_day": f"延期后的时限应晚于现在的时限 {limit_day(p.due_at):%Y-%m-%d}"}
                    )
                if new_day < local_date(now):
                    raise ValidationError({"new_day": "延期后的时限不能早于今天"})
                unit, person = extension_fields(due_at_for_day(new_day))
            elif kind in (EventKind.EXTENSION_APPROVED, EventKind.EXTENSION_REFUSED):
                assert pending is not None
                if pending.actor_id is not None and pending.actor_id == self.ctx.actor.user_id:
                    raise WorkflowError(
                        "不能审批自己提出的延期申请。", hint="请由另一位督办人审批。"
                    )
                asked, _old = extension_dates(pending)
                if asked is None:
                    raise WorkflowError("这份延期申请没有可读的日期,不能审批。")
                if kind is EventKind.EXTENSION_APPROVED:
                    new_due = asked
                    unit, person = extension_fields(asked, p.due_at)
                else:
                    unit, person = extension_fields(asked)
            event = ProblemEvent(
                problem_id=p.id,
                kind=kind.value,
                at=now,
                actor_id=self.ctx.actor.user_id,
                from_status=status.value,
                to_status=step.to_status.value,
                from_level=level.value,
                to_level=step.to_level.value,
                note=note,
                assigned_unit=unit,
                assigned_person=person,
                satisfaction=satisfaction.value if satisfaction else "",
            )
            s.add(event)
            p.status, p.level = step.to_status.value, step.to_level.value
            if kind is EventKind.ACCEPTED:
                p.assigned_unit, p.assigned_person = unit, person
            elif kind is EventKind.ESCALATED:
                p.assigned_unit, p.assigned_person = "", ""
            elif kind is EventKind.RESOLVED:
                p.resolution, p.resolved_at = resolution, now
            elif new_due is not None:
                p.due_at = new_due  # the history keeps the limit it replaced
            elif kind is EventKind.RETURN_VISIT:
                assert satisfaction is not None
                p.satisfaction = satisfaction.value
                if step.to_status is ProblemStatus.CLOSED:
                    p.closed_at = now
            if kind in (EventKind.REOPENED,) or (
                kind is EventKind.RETURN_VISIT and step.to_status is ProblemStatus.IN_PROGRESS
            ):
                p.closed_at, p.resolved_at = None, None
            s.flush()
            detail: dict[str, Any] = {
                "from_status": status.value,
                "to_status": step.to_status.value,
                "level": step.to_level.value,
            }
            if new_due is not None:
                detail["due_at"] = new_due.isoformat()
            self.ctx.audit(s, f"problem.{kind.value}", p, **detail)
            s.refresh(p, ["events"])
            return problem_rec(p, with_events=True)

    @staticmethod
    def _required_note(text: str, label: str, field: str = "note") -> str:
        errors: dict[str, str] = {}
        value = require_text(errors, field, label, text, max_len=2000)
        if errors:
            raise ValidationError(errors)
        return value

    # -- read ---------------------------------------------------------------------
    @guarded(Action.READ)
    def get(self, problem_id: int) -> ProblemRec:
        with self.ctx.read() as s:
            return problem_rec(self.ctx.get(s, Problem, problem_id), with_events=True)

    @guarded(Action.READ)
    def actions(self, problem_id: int) -> list[EventKind]:
        """The next steps of the workflow; supervisors' only for a supervisor."""
        p = self.get(problem_id)
        found = allowed_actions(
            p.status, p.level, extension_pending=p.pending_extension is not None
        )
        if not self.ctx.can(Action.SUPERVISE):
            found = [k for k in found if k not in SUPERVISOR_ONLY]
        return found

    @guarded(Action.READ)
    def list(
        self,
        scope: Scope | None = None,
        *,
        statuses: tuple[ProblemStatus, ...] = (),
        overdue_at: datetime | None = None,
    ) -> list[ProblemRec]:
        q = select(Problem)
        if statuses:
            q = q.where(Problem.status.in_([st.value for st in statuses]))
        if overdue_at is not None:
            q = q.where(problem_overdue_sql(Problem.status, Problem.due_at, overdue_at))
        with self.ctx.read() as s:
            q = problems_in(q, self.ctx.narrow(s, scope or Scope()))
            q = q.order_by(Problem.due_at, Problem.id)
            return [problem_rec(p) for p in s.scalars(q)]

    @guarded(Action.READ)
    def overdue(
        self, scope: Scope | None = None, now: datetime | None = None
    ) -> builtins.list[ProblemRec]:
        return self.list(scope or Scope(), overdue_at=now or self.ctx.now())
