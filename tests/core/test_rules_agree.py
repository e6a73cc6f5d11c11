"""Each domain rule computed both ways on generated demo data: in Python over the
loaded rows, and in SQL in the database (core/rules.py holds both forms side by side,
docs/architecture.md#where-each-rule-lives). They must pick the same records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import and_, func, literal, select

from gridvisit.core import rules
from gridvisit.core.clock import LOCAL_TZ, IsoWeek, local_midnight
from gridvisit.core.enums import EventKind, ProblemStatus
from gridvisit.core.records import Actor, Scope
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.stats import (
    _before_limit_in_force,
    _before_original_limit,
    _resolution,
    _resolution_facts,
)
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.demo.generate import generate_demo
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import Household, Problem, ProblemEvent, VisitTier
from gridvisit.storage.queries import last_visits
from gridvisit.storage.types import UTCDateTime

END = date(2026, 11, 18)  # a Wednesday: the demo's last day
# The services' clock: after everything the demo holds, in the same week, so the
# statuses stored are the statuses as of the weekly list.
NOW = datetime.combine(END + timedelta(days=1), time(1), LOCAL_TZ)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path: Path = tmp_path_factory.mktemp("agree") / "demo.db"
    generate_demo(path, households=1200, seed=7, end=END, weeks=20)
    db = open_database(path)
    yield db
    db.dispose()


def _moments(db: Database) -> list[datetime]:
    """Ordinary moments and the instants where a rule flips: some deadlines exactly."""
    with db.read_session() as s:
        deadlines = list(s.scalars(select(Problem.due_at).order_by(Problem.id).limit(5)))
    noon = datetime.combine(END, time(12), LOCAL_TZ)
    return [noon, noon - timedelta(days=30), local_midnight(END), NOW, *deadlines]


def test_the_demo_has_every_case(demo: Database) -> None:
    with demo.read_session() as s:
        statuses = set(s.scalars(select(Problem.status).distinct()))
    assert statuses == {st.value for st in ProblemStatus}


def test_visit_overdue(demo: Database) -> None:
    last = last_visits().subquery()
    with demo.read_session() as s:
        intervals = dict(s.execute(select(VisitTier.code, VisitTier.interval_days)).all())
        rows = s.execute(
            select(Household.id, Household.created_at, Household.tier_code, last.c.last)
            .outerjoin(last, last.c.household_id == Household.id)
            .where(Household.archived.is_(False))
        ).all()
        for today in (END, END - timedelta(days=45), END + timedelta(days=60)):
            in_python = {
                hid
                for hid, created, tier, last_at in rows
                if rules.visit_is_overdue(last_at, created, intervals[tier], today)
            }
            overdue = rules.visit_overdue_sql(
                last.c.last, Household.created_at, Household.tier_code, intervals, today,
                UTCDateTime(),
            )  # fmt: skip
            in_sql = set(
                s.scalars(
                    select(Household.id)
                    .outerjoin(last, last.c.household_id == Household.id)
                    .where(Household.archived.is_(False), overdue)
                )
            )
            assert in_python == in_sql
            assert 0 < len(in_sql) < len(rows) or today != END


def test_problem_overdue(demo: Database) -> None:
    with demo.read_session() as s:
        rows = s.execute(select(Problem.id, Problem.status, Problem.due_at)).all()
        for now in _moments(demo):
            in_python = {
                pid
                for pid, st, due in rows
                if rules.problem_is_overdue(ProblemStatus(st), due, now)
            }
            in_sql = set(
                s.scalars(
                    select(Problem.id).where(
                        rules.problem_overdue_sql(Problem.status, Problem.due_at, now)
                    )
                )
            )
            assert in_python == in_sql
    assert in_sql  # the demo has late problems


def test_problem_overdue_in_the_services_and_the_days(demo: Database) -> None:
    """The services use the same rule: the problems list, the problems page's filter,
    the weekly list of the current week (as of now)."""
    clock_now = NOW
    actor = ensure_default_admin(ServiceContext(demo, Actor(None, "system")))
    services = Services(ServiceContext(demo, actor, clock=lambda: clock_now))
    listed = {p.id for p in services.problems.overdue()}
    with demo.read_session() as s:
        rows = s.execute(select(Problem.id, Problem.status, Problem.due_at)).all()
    in_python = {
        pid for pid, st, due in rows if rules.problem_is_overdue(ProblemStatus(st), due, clock_now)
    }
    assert listed == in_python
    report = services.weekly.build(IsoWeek.containing(END), Scope(), "全部")
    late = {p.id: p.overdue_days for p in (*report.new, *report.carried_over) if p.overdue_days}
    assert set(late) == in_python
    due = {pid: d for pid, _st, d in rows}
    for pid, days in late.items():
        assert days == rules.problem_overdue_days(ProblemStatus.PENDING, due[pid], clock_now)
    assert report.summary.overdue == len(in_python)


@pytest.mark.parametrize("name", ["UNRESOLVED", "UNCLOSED", "DONE"])
def test_status_sets(demo: Database, name: str) -> None:
    statuses = getattr(rules, name)
    with demo.read_session() as s:
        rows = s.execute(select(Problem.id, Problem.status)).all()
        in_python = {pid for pid, st in rows if ProblemStatus(st) in statuses}
        in_sql = set(
            s.scalars(select(Problem.id).where(rules.status_in_sql(Problem.status, statuses)))
        )
    assert in_python == in_sql and in_sql


def test_status_sets_are_the_documented_ones() -> None:
    P, IP, R, C = ProblemStatus
    assert rules.UNRESOLVED == {P, IP} == {s for s in ProblemStatus if s.is_open}
    assert {P, IP, R} == rules.UNCLOSED  # 未销号: the tree's counts
    assert {R, C} == rules.DONE


def test_weekly_sections(demo: Database) -> None:
    """For the current week (statuses as they are now), the sections the weekly list
    fills equal the Python rule over loaded rows and the SQL rule in the database."""
    week = IsoWeek.containing(END)
    now = NOW
    actor = ensure_default_admin(ServiceContext(demo, Actor(None, "system")))
    services = Services(ServiceContext(demo, actor, clock=lambda: now))
    resolved_at = (
        select(ProblemEvent.problem_id, func.max(ProblemEvent.at).label("at"))
        .where(ProblemEvent.kind == EventKind.RESOLVED.value, ProblemEvent.at < now)
        .group_by(ProblemEvent.problem_id)
        .subquery()
    )
    with demo.read_session() as s:
        base = (
            select(Problem.id, Problem.reported_at, Problem.status, resolved_at.c.at)
            .outerjoin(resolved_at, resolved_at.c.problem_id == Problem.id)
            .where(Problem.reported_at < now)
        )
        rows = s.execute(base).all()
        python: dict[str, set[int]] = {"new": set(), "carried_over": set(), "resolved": set()}
        for pid, reported, st, last in rows:
            section = rules.weekly_section(reported, ProblemStatus(st), last, week.start)
            if section is not None:
                python[section.value].add(pid)
            if rules.also_resolved(ProblemStatus(st), last, week.start):
                python["resolved"].add(pid)
        conditions = rules.weekly_sections_sql(
            Problem.reported_at, Problem.status, resolved_at.c.at, week.start
        )
        sql: dict[str, set[int]] = {}
        for key, cond in zip(("new", "carried_over", "resolved"), conditions, strict=True):
            sql[key] = {r[0] for r in s.execute(base.where(cond))}
    report = services.weekly.build(week, Scope(), "全部")
    listed = {
        "new": {p.id for p in report.new},
        "carried_over": {p.id for p in report.carried_over},
        "resolved": {p.id for p in report.resolved},
    }
    assert python == sql == listed
    assert all(listed.values())  # the demo fills every section


def test_visit_due_by(demo: Database) -> None:
    """The statistics' 应访 (core/services/stats.py): due on or before a day."""
    last = last_visits().subquery()
    with demo.read_session() as s:
        intervals = dict(s.execute(select(VisitTier.code, VisitTier.interval_days)).all())
        rows = s.execute(
            select(Household.id, Household.created_at, Household.tier_code, last.c.last)
            .outerjoin(last, last.c.household_id == Household.id)
            .where(Household.archived.is_(False))
        ).all()
        for day in (END, END - timedelta(days=45), END + timedelta(days=60)):
            in_python = {
                hid
                for hid, created, tier, last_at in rows
                if rules.visit_due_by(last_at, created, intervals[tier], day)
            }
            due = rules.visit_due_by_sql(
                last.c.last, Household.created_at, Household.tier_code, intervals, day,
                UTCDateTime(),
            )  # fmt: skip
            in_sql = set(
                s.scalars(
                    select(Household.id)
                    .outerjoin(last, last.c.household_id == Household.id)
                    .where(Household.archived.is_(False), due)
                )
            )
            assert in_python == in_sql
            # Overdue on a day is due by the day before.
            overdue = {
                hid
                for hid, created, tier, last_at in rows
                if rules.visit_is_overdue(last_at, created, intervals[tier], day + timedelta(1))
            }
            assert overdue == in_python


def test_problem_overdue_and_resolved_on_time_at_a_past_moment(demo: Database) -> None:
    """The statistics' 办结, 超期未办结 at the end of a period and 按期办结, as of past
    moments: core.rules.resolution_as_of over the loaded events against its SQL form
    (resolution_facts_sql, resolution_of_sql) as the statistics join it."""
    with demo.read_session() as s:
        rows = s.execute(
            select(Problem.id, Problem.status, Problem.reported_at, Problem.due_at)
        ).all()
        events: dict[int, list[ProblemEvent]] = {}
        for e in s.scalars(select(ProblemEvent).order_by(ProblemEvent.at, ProblemEvent.id)):
            events.setdefault(e.problem_id, []).append(e)
        approvals = {
            pid: [e for e in evs if e.kind == EventKind.EXTENSION_APPROVED.value]
            for pid, evs in events.items()
        }
        reopened = 0
        for moment in _moments(demo):
            resolution = {
                pid: rules.resolution_as_of(events.get(pid, []), moment) for pid, *_r in rows
            }
            facts = _resolution_facts([moment], Problem.reported_at <= moment, Scope())
            at = _resolution(facts, 0)
            in_sql = dict(
                s.execute(
                    select(Problem.id, at)
                    .outerjoin(facts, facts.c.pid == Problem.id)
                    .where(Problem.reported_at <= moment)
                ).all()
            )
            assert in_sql == {
                pid: resolution[pid] for pid, _st, reported, _d in rows if reported <= moment
            }
            # Problems done as of the moment whose resolution standing now is another
            # one or none (reopened later): the case a past period must not move by.
            reopened += sum(
                1
                for pid, *_r in rows
                if resolution[pid] is not None
                and resolution[pid] != rules.resolution_as_of(events.get(pid, []), NOW)
            )
            in_python = {
                pid
                for pid, _st, reported, due in rows
                if reported <= moment
                and rules.problem_overdue_at(
                    resolution[pid],
                    rules.due_at_as_of(due, approvals.get(pid, []), moment),
                    moment,
                )
            }
            passed = ~_before_limit_in_force(s, literal(moment, UTCDateTime()), moment)
            cond = and_(Problem.reported_at <= moment, rules.problem_overdue_at_sql(at, passed))
            overdue_sql = set(
                s.scalars(
                    select(Problem.id).outerjoin(facts, facts.c.pid == Problem.id).where(cond)
                )
            )
            assert in_python == overdue_sql
            if moment == NOW:  # as of now it is the problems page's rule
                assert in_python == {
                    pid
                    for pid, st, _r, due in rows
                    if rules.problem_is_overdue(ProblemStatus(st), due, moment)
                }
            # 按期 / 延期后按期 / 超期办结 (core.rules.resolution_timeliness) both ways,
            # against the limit in force at the moment.
            by_kind: dict[rules.Timeliness, set[int]] = {t: set() for t in rules.Timeliness}
            for pid, _st, _rep, due in rows:
                res = resolution[pid]
                if res is not None:
                    granted = approvals.get(pid, [])
                    original = rules.original_due_at(due, granted)
                    in_force = rules.due_at_as_of(due, granted, moment)
                    by_kind[rules.resolution_timeliness(res, in_force, original)].add(pid)
            conds = rules.resolution_timeliness_sql(
                at,
                Problem.due_at,
                _before_original_limit(s, at),
                _before_limit_in_force(s, at, moment),
            )
            for kind, c in zip(rules.Timeliness, conds, strict=True):
                where = and_(at.is_not(None), c)
                q = select(Problem.id).outerjoin(facts, facts.c.pid == Problem.id).where(where)
                assert by_kind[kind] == set(s.scalars(q)), (kind, moment)
            if moment == NOW:
                on_time = by_kind[rules.Timeliness.ON_TIME]
                assert 0 < len(on_time) < sum(r is not None for r in resolution.values())
        assert reopened  # the demo reopens problems resolved before some moment


def test_resolution_as_of_is_the_weekly_lists(demo: Database) -> None:
    """The weekly list's replay (status and last 办结 as of the list) gives the same
    resolution as core.rules.resolution_as_of."""
    from gridvisit.core.services.weekly import WeeklyReportService

    with demo.read_session() as s:
        events: dict[int, list[ProblemEvent]] = {}
        for e in s.scalars(select(ProblemEvent).order_by(ProblemEvent.at, ProblemEvent.id)):
            events.setdefault(e.problem_id, []).append(e)
        for week in (IsoWeek.containing(END - timedelta(days=28)), IsoWeek.containing(END)):
            as_of = min(week.end, NOW)
            replays = WeeklyReportService._replay(s, list(events), week.start, as_of)
            moment = rules.last_instant_before(as_of)
            for pid, r in replays.items():
                weekly = r.last_resolved if r.status in rules.DONE else None
                assert weekly == rules.resolution_as_of(events[pid], moment), pid
