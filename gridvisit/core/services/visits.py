"""Visits: record one with its problems in a single transaction; due and overdue visits."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridvisit.core.access import Action, guarded
from gridvisit.core.clock import IsoWeek, today_local
from gridvisit.core.enums import (
    EventKind,
    HandlingLevel,
    ProblemStatus,
    VisitMethod,
    VisitPurpose,
)
from gridvisit.core.errors import ValidationError
from gridvisit.core.records import (
    DueVisit,
    ProblemInput,
    Scope,
    VisitInput,
    VisitRec,
    format_address,
)
from gridvisit.core.rules import (
    days_overdue,
    next_visit_due,
    problem_due_at,
    resident_current_sql,
)
from gridvisit.core.services.calendar import load_calendar
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.validation import optional_text, require_text
from gridvisit.storage.models import (
    BuildingGroup,
    Household,
    Problem,
    ProblemCategory,
    ProblemEvent,
    Resident,
    Setting,
    UrgencyLevel,
    User,
    Visit,
    VisitTier,
)
from gridvisit.storage.queries import households_in, last_visits

# An unsaved visit kept as a draft, per user and household, in the (encrypted)
# database's settings: it holds personal notes, so never in a plain file. Settings
# do not travel in packages.
DRAFT_PREFIX = "draft.visit"
_DRAFT_MAX_CHARS = 200_000


@dataclass(frozen=True)
class VisitDraft:
    saved_at: datetime
    form: dict[str, Any]


# Laptop clocks drift; a visit a few minutes "in the future" is not an error.
_CLOCK_SKEW = timedelta(minutes=10)
_EARLIEST = datetime(2000, 1, 1).astimezone()


def _visit_rec(v: Visit, problem_ids: tuple[int, ...] = ()) -> VisitRec:
    return VisitRec(
        v.id,
        v.uuid,
        v.household_id,
        v.worker_id,
        v.visited_at,
        VisitMethod(v.method),
        VisitPurpose(v.purpose),
        v.notes,
        problem_ids,
        v.version,
    )


def validate_problem(
    s: Session, p: ProblemInput, prefix: str, errors: dict[str, str]
) -> tuple[ProblemInput, int]:
    """Checks one problem; returns it cleaned plus its urgency's time limit in days."""
    category = s.get(ProblemCategory, p.category_code) if p.category_code else None
    if category is None or not category.active:
        errors[f"{prefix}category_code"] = "请选择问题类别"
    description = require_text(
        errors, f"{prefix}description", "问题描述", p.description, max_len=2000
    )
    urgency = s.get(UrgencyLevel, p.urgency_code) if p.urgency_code else None
    if urgency is None:
        errors[f"{prefix}urgency_code"] = "请选择紧急程度"
    try:
        level = HandlingLevel(p.level)
    except ValueError:
        errors[f"{prefix}level"] = "办理层级只能是网格、社区或街道"
        level = HandlingLevel.GRID
    location = optional_text(errors, f"{prefix}location", "位置", p.location, max_len=100)
    clean = ProblemInput(
        p.category_code, description, p.urgency_code, level, p.resident_id, location
    )
    return clean, urgency.limit_days if urgency else 0


def add_problem(
    ctx: ServiceContext,
    s: Session,
    p: ProblemInput,
    limit_days: int,
    *,
    grid_id: int,
    building_group_id: int | None,
    household_id: int | None,
    visit_id: int | None,
    reported_at: datetime,
) -> Problem:
    problem = Problem(
        grid_id=grid_id,
        building_group_id=building_group_id,
        household_id=household_id,
        visit_id=visit_id,
        resident_id=p.resident_id,
        location=p.location,
        category_code=p.category_code,
        description=p.description,
        urgency_code=p.urgency_code,
        level=HandlingLevel(p.level).value,
        status=ProblemStatus.PENDING.value,
        reported_at=reported_at,
        # Working days with this database's calendar (docs/architecture.md#where-each-rule-lives).
        due_at=problem_due_at(reported_at, limit_days, load_calendar(s)),
    )
    s.add(problem)
    s.flush()
    s.add(
        ProblemEvent(
            problem_id=problem.id,
            kind=EventKind.CREATED.value,
            at=reported_at,
            actor_id=ctx.actor.user_id,
            to_status=problem.status,
            to_level=problem.level,
            note=p.description[:200],
        )
    )
    ctx.audit(s, "problem.create", problem, category=p.category_code, level=problem.level)
    return problem


class VisitService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _check_fields(
        self, data: VisitInput, errors: dict[str, str]
    ) -> tuple[datetime, VisitMethod, VisitPurpose, str]:
        now = self.ctx.now()
        visited_at = data.visited_at
        if visited_at is None or visited_at.tzinfo is None:
            errors["visited_at"] = "请填写走访时间"
        elif visited_at > now + _CLOCK_SKEW:
            errors["visited_at"] = "走访时间不能晚于现在"
        elif visited_at < _EARLIEST:
            errors["visited_at"] = "走访时间早于 2000 年,请核对"
        try:
            method = VisitMethod(data.method)
        except ValueError:
            errors["method"] = "请选择走访方式(入户、电话、视频或偶遇)"
            method = VisitMethod.IN_PERSON
        try:
            purpose = VisitPurpose(data.purpose)
        except ValueError:
            errors["purpose"] = "请选择走访目的"
            purpose = VisitPurpose.ROUTINE
        notes = optional_text(errors, "notes", "走访情况", data.notes, max_len=5000)
        return visited_at, method, purpose, notes

    @guarded(Action.RECORD)
    def record(self, data: VisitInput) -> VisitRec:
        """Save a visit and every problem raised in it, all or nothing."""
        errors: dict[str, str] = {}
        visited_at, method, purpose, notes = self._check_fields(data, errors)
        with self.ctx.write() as s:
            household = self.ctx.get(s, Household, data.household_id)
            worker_id = data.worker_id or self.ctx.actor.user_id
            if worker_id is None or s.get(User, worker_id) is None:
                errors["worker_id"] = "请选择走访的网格员"
            members = dict(
                s.execute(
                    select(Resident.id, Resident.uuid).where(Resident.household_id == household.id)
                ).all()
            )
            strangers = [rid for rid in data.present_resident_ids if rid not in members]
            if strangers:
                errors["present_resident_ids"] = "在场居民必须是这户的成员"
            clean: list[tuple[ProblemInput, int]] = []
            for i, p in enumerate(data.problems):
                if p.resident_id is not None and p.resident_id not in members:
                    errors[f"problems[{i}].resident_id"] = "提出问题的居民必须是这户的成员"
                clean.append(validate_problem(s, p, f"problems[{i}].", errors))
            if errors:
                raise ValidationError(errors)
            visit = Visit(
                household_id=household.id,
                worker_id=worker_id,
                visited_at=visited_at,
                method=method.value,
                purpose=purpose.value,
                notes=notes,
                present_resident_uuids=[members[rid] for rid in data.present_resident_ids],
            )
            s.add(visit)
            s.flush()
            grid_id = s.get_one(BuildingGroup, household.building_group_id).grid_id
            problems = [
                add_problem(
                    self.ctx,
                    s,
                    p,
                    limit,
                    grid_id=grid_id,
                    building_group_id=household.building_group_id,
                    household_id=household.id,
                    visit_id=visit.id,
                    reported_at=visited_at,
                )
                for p, limit in clean
            ]
            self.ctx.audit(
                s,
                "visit.record",
                visit,
                household=household.uuid,
                method=method.value,
                problems=len(problems),
            )
            draft = s.get(Setting, self._draft_key(household.id))
            if draft is not None:
                s.delete(draft)
            return _visit_rec(visit, tuple(p.id for p in problems))

    # -- drafts ------------------------------------------------------------------
    def _draft_key(self, household_id: int) -> str:
        return f"{DRAFT_PREFIX}.{self.ctx.actor.user_id or 0}.{household_id}"

    @guarded(Action.RECORD)
    def save_draft(self, household_id: int, form: dict[str, Any]) -> None:
        """Keep what the user typed into an unsaved visit, to offer it back next time."""
        text = json.dumps(
            {"saved_at": self.ctx.now().isoformat(), "form": form}, ensure_ascii=False
        )
        if len(text) > _DRAFT_MAX_CHARS:
            raise ValidationError({"notes": "草稿太长,无法保存"})
        with self.ctx.write() as s:
            self.ctx.get(s, Household, household_id)  # in this user's area
            s.merge(Setting(key=self._draft_key(household_id), value=text))

    @guarded(Action.RECORD)
    def draft(self, household_id: int) -> VisitDraft | None:
        with self.ctx.read() as s:
            self.ctx.check_id(s, Household, household_id)
            row = s.get(Setting, self._draft_key(household_id))
            if row is None:
                return None
            try:
                data = json.loads(row.value)
                return VisitDraft(datetime.fromisoformat(data["saved_at"]), dict(data["form"]))
            except (ValueError, KeyError, TypeError):
                return None  # a damaged draft is not worth an error

    @guarded(Action.RECORD)
    def discard_draft(self, household_id: int) -> None:
        with self.ctx.write() as s:
            row = s.get(Setting, self._draft_key(household_id))
            if row is not None:
                s.delete(row)

    # -- correcting and deleting --------------------------------------------------
    def _live_visit(self, s: Session, visit_id: int, version: int | None = None) -> Visit:
        visit = self.ctx.get(s, Visit, visit_id, version=version)
        if visit.archived:
            raise ValidationError({"visit": "这条走访记录已被删除"})
        return visit

    @guarded(Action.READ)
    def get(self, visit_id: int) -> tuple[VisitRec, tuple[int, ...]]:
        """A visit and the ids of the residents who were present."""
        with self.ctx.read() as s:
            visit = self._live_visit(s, visit_id)
            uuids = set(visit.present_resident_uuids or [])
            present = tuple(
                rid
                for rid, uid in s.execute(
                    select(Resident.id, Resident.uuid).where(
                        Resident.household_id == visit.household_id
                    )
                )
                if uid in uuids
            )
            problems = tuple(s.scalars(select(Problem.id).where(Problem.visit_id == visit.id)))
            return _visit_rec(visit, problems), present

    @guarded(Action.RECORD)
    def update(self, visit_id: int, data: VisitInput, *, version: int | None = None) -> VisitRec:
        """Correct a visit: time, worker, method, purpose, who was present, notes. The
        version goes up (so the correction travels) and the audit log names the fields.
        Problems raised in it have their own workflow and are not changed here."""
        errors: dict[str, str] = {}
        visited_at, method, purpose, notes = self._check_fields(data, errors)
        with self.ctx.write() as s:
            visit = self._live_visit(s, visit_id, version)
            worker_id = data.worker_id or visit.worker_id
            if s.get(User, worker_id) is None:
                errors["worker_id"] = "请选择走访的网格员"
            members = dict(
                s.execute(
                    select(Resident.id, Resident.uuid).where(
                        Resident.household_id == visit.household_id
                    )
                ).all()
            )
            if any(rid not in members for rid in data.present_resident_ids):
                errors["present_resident_ids"] = "在场居民必须是这户的成员"
            if errors:
                raise ValidationError(errors)
            new = {
                "visited_at": visited_at,
                "worker_id": worker_id,
                "method": method.value,
                "purpose": purpose.value,
                "notes": notes,
                "present_resident_uuids": [members[rid] for rid in data.present_resident_ids],
            }
            changed = [k for k, v in new.items() if getattr(visit, k) != v]
            for key in changed:
                setattr(visit, key, new[key])
            s.flush()
            if changed:
                # Field names only: the notes are personal data.
                self.ctx.audit(s, "visit.update", visit, fields=changed)
            return _visit_rec(visit)

    @guarded(Action.RECORD)
    def delete(self, visit_id: int) -> None:
        """Delete a visit recorded by mistake. It is archived, not removed, so the
        deletion reaches the sub-district with the next package."""
        with self.ctx.write() as s:
            visit = self._live_visit(s, visit_id)
            visit.archived = True
            s.flush()
            household = s.get(Household, visit.household_id)
            self.ctx.audit(s, "visit.delete", visit, household=household.uuid if household else "")

    @guarded(Action.READ)
    def for_household(self, household_id: int) -> list[VisitRec]:
        with self.ctx.read() as s:
            self.ctx.check_id(s, Household, household_id)
            visits = s.scalars(
                select(Visit)
                .where(Visit.household_id == household_id, Visit.archived.is_(False))
                .order_by(Visit.visited_at.desc())
            )
            return [_visit_rec(v) for v in visits]

    @guarded(Action.READ)
    def last_visit(self, household_id: int) -> datetime | None:
        with self.ctx.read() as s:
            self.ctx.check_id(s, Household, household_id)
            return s.scalar(
                select(func.max(Visit.visited_at)).where(
                    Visit.household_id == household_id, Visit.archived.is_(False)
                )
            )

    @guarded(Action.READ)
    def due(
        self, scope: Scope | None = None, *, today: date | None = None, until: date | None = None
    ) -> list[DueVisit]:
        """Households due by `until` (default: the Sunday of this week), most overdue first."""
        today = today or today_local(self.ctx.now())
        until = until or IsoWeek.containing(today).sunday
        last = last_visits().subquery()
        q = (
            select(
                Household.id,
                Household.building_group_id,
                Household.building,
                Household.unit,
                Household.room,
                Household.tier_code,
                Household.created_at,
                last.c.last,
                VisitTier.interval_days,
            )
            .join(VisitTier, VisitTier.code == Household.tier_code)
            .outerjoin(last, last.c.household_id == Household.id)
            .where(Household.archived.is_(False))
        )
        out: list[DueVisit] = []
        with self.ctx.read() as s:
            q = households_in(q, self.ctx.narrow(s, scope or Scope()))
            for hid, gid, b, u, r, tier, created, last_at, interval in s.execute(q):
                due = next_visit_due(last_at, created, interval)
                if due <= until:
                    out.append(
                        DueVisit(
                            hid,
                            gid,
                            format_address(b, u, r),
                            tier,
                            last_at,
                            due,
                            days_overdue(due, today),
                        )
                    )
            if out:
                contacts = self._heads(s, scope or Scope())
                out = [
                    replace(d, head=contacts.get(d.household_id, ("", ""))[0],
                            phone=contacts.get(d.household_id, ("", ""))[1])
                    for d in out
                ]  # fmt: skip
        out.sort(key=lambda d: (-d.days_overdue, d.address))
        return out

    def _heads(self, s: Session, scope: Scope) -> dict[int, tuple[str, str]]:
        """Each household's head (or first member) and the phone to call."""
        q = (
            select(Household.id, Household.phone, Resident.name, Resident.phone)
            .join(Resident, Resident.household_id == Household.id)
            .where(
                Household.archived.is_(False),
                resident_current_sql(Resident.status, Resident.archived),
            )
            .order_by(Household.id, Resident.is_head.desc(), Resident.id)
        )
        out: dict[int, tuple[str, str]] = {}
        for hid, house_phone, name, phone in s.execute(households_in(q, self.ctx.narrow(s, scope))):
            if hid not in out:
                out[hid] = (name, phone or house_phone or "")
        return out
