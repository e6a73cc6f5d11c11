"""Statistics indicators on hand-built records at the edges of a period (issue 19):
Beijing midnights, a limit that runs out exactly at the end of the month, a visit one
day outside its interval, week/month/quarter boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from gridvisit.core.clock import local_midnight
from gridvisit.core.enums import EventKind, HandlingLevel, ProblemStatus, Role, Satisfaction
from gridvisit.core.errors import PermissionDeniedError, ValidationError
from gridvisit.core.indicators import DEFAULT_TARGETS, Counts, Period, PeriodKind, last_periods
from gridvisit.core.records import Actor, ResidentInput, Scope
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.audit import action_label
from gridvisit.core.services.stats import Breakdown, Figure
from gridvisit.storage import Database
from gridvisit.storage.models import AuditEntry, Household, Problem, ProblemEvent, Visit
from tests.conftest import Clock

NOV = Period.month(2026, 11)


def bj(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """A Beijing wall-clock time as an aware datetime."""
    return local_midnight(date(y, m, d)) + timedelta(hours=hh, minutes=mm)


class World:
    def __init__(self, services: Services, db: Database) -> None:
        self.services, self.db = services, db
        h = services.hierarchy
        self.community = h.add_community("甲社区")
        self.grid = h.add_grid(self.community.id, "甲一网格")
        self.other_grid = h.add_grid(self.community.id, "甲二网格")
        self.group = h.add_building_group(self.grid.id, "1号楼")
        self.other_group = h.add_building_group(self.other_grid.id, "9号楼")
        self.admin = services.ctx.actor
        worker = services.users.create("w", "网格员甲", Role.GRID_WORKER, grid_ids=[self.grid.id])
        self.worker = Actor(worker.id, "w", "网格员甲", Role.GRID_WORKER)
        self._n = 0

    def household(self, *, elder: bool = False, group: Any = None, created: datetime) -> int:
        self._n += 1
        resident = ResidentInput(
            f"居民{self._n}", special_groups=("living_alone_elderly",) if elder else ()
        )
        rec = self.services.households.register(
            (group or self.group).id, "1", "", str(100 + self._n), residents=(resident,)
        )
        with self.db.session() as s:
            s.execute(update(Household).where(Household.id == rec.id).values(created_at=created))
        return rec.id

    def visit(self, household: int, at: datetime) -> None:
        with self.db.session() as s:
            s.add(
                Visit(
                    household_id=household,
                    worker_id=self.worker.user_id,
                    visited_at=at,
                    method="in_person",
                    purpose="routine",
                )
            )

    def problem(
        self,
        *,
        reported: datetime,
        due: datetime,
        resolved: datetime | None = None,
        closed: bool = False,
        level: HandlingLevel = HandlingLevel.GRID,
        grid: Any = None,
        category: str = "property",
    ) -> int:
        status = ProblemStatus.IN_PROGRESS
        if resolved is not None:
            status = ProblemStatus.CLOSED if closed else ProblemStatus.RESOLVED
        with self.db.session() as s:
            p = Problem(
                grid_id=(grid or self.grid).id,
                category_code=category,
                description="楼道灯不亮",
                urgency_code="normal",
                level=level.value,
                status=status.value,
                reported_at=reported,
                due_at=due,
                resolved_at=resolved,
            )
            s.add(p)
            s.flush()
            # The history the figures are read from (as of a period's moment).
            s.add(self._event(p.id, EventKind.CREATED, reported, ProblemStatus.PENDING))
            if resolved is not None:
                s.add(self._event(p.id, EventKind.RESOLVED, resolved, ProblemStatus.RESOLVED))
            if closed and resolved is not None:
                s.add(
                    self._event(
                        p.id, EventKind.RETURN_VISIT, resolved, ProblemStatus.CLOSED,
                        Satisfaction.SATISFIED,
                    )
                )  # fmt: skip
            return p.id

    @staticmethod
    def _event(
        pid: int,
        kind: EventKind,
        at: datetime,
        to: ProblemStatus,
        answer: Satisfaction | None = None,
    ) -> ProblemEvent:
        return ProblemEvent(
            problem_id=pid,
            kind=kind.value,
            at=at,
            to_status=to.value,
            satisfaction=answer.value if answer else "",
        )

    def reopen(self, problem: int, at: datetime) -> None:
        """A dissatisfied return visit: back to 处理中, the resolution no longer stands."""
        with self.db.session() as s:
            s.add(
                self._event(
                    problem, EventKind.RETURN_VISIT, at, ProblemStatus.IN_PROGRESS,
                    Satisfaction.DISSATISFIED,
                )
            )  # fmt: skip
            s.execute(
                update(Problem)
                .where(Problem.id == problem)
                .values(status=ProblemStatus.IN_PROGRESS.value, resolved_at=None)
            )

    def resolve(self, problem: int, at: datetime) -> None:
        with self.db.session() as s:
            s.add(self._event(problem, EventKind.RESOLVED, at, ProblemStatus.RESOLVED))
            s.execute(
                update(Problem)
                .where(Problem.id == problem)
                .values(status=ProblemStatus.RESOLVED.value, resolved_at=at)
            )

    def return_visit(self, problem: int, at: datetime, answer: Satisfaction) -> None:
        with self.db.session() as s:
            s.add(
                ProblemEvent(
                    problem_id=problem,
                    kind=EventKind.RETURN_VISIT.value,
                    at=at,
                    satisfaction=answer.value,
                )
            )

    def as_(self, actor: Actor, clock: Clock) -> Services:
        return Services(ServiceContext(self.db, actor, clock=clock))


@pytest.fixture
def world(services: Services, db: Database, clock: Clock) -> World:
    clock.now = bj(2026, 12, 2, 10)  # November is over
    return World(services, db)


def test_periods_in_beijing_time() -> None:
    assert NOV.start == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert NOV.end == datetime(2026, 11, 30, 16, tzinfo=UTC)
    q4 = Period.parse("2026-Q4")
    assert (q4.first, q4.last, q4.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026年第4季度")
    w1 = Period.parse("2026-W01")
    assert (w1.first, w1.last) == (date(2025, 12, 29), date(2026, 1, 4))
    assert Period.parse("2024-02").last == date(2024, 2, 29)
    assert Period.parse("2026").days == 365
    assert NOV.previous() == Period.month(2026, 10)
    assert Period.parse("2026-Q1").previous() == Period.quarter(2025, 4)
    custom = Period.custom(date(2026, 11, 10), date(2026, 11, 19))
    assert custom.previous() == Period.custom(date(2026, 10, 31), date(2026, 11, 9))
    for bad in ("2026-13", "2026-Q5", "26-11", "2026-W54", ""):
        with pytest.raises(ValidationError):
            Period.parse(bad)
    with pytest.raises(ValidationError):
        Period.custom(date(2026, 11, 2), date(2026, 11, 1))
    months = last_periods(PeriodKind.MONTH, 12, bj(2026, 11, 30, 23, 59))
    assert [p.code for p in months][0::11] == ["2025-12", "2026-11"]
    weeks = last_periods(PeriodKind.WEEK, 12, bj(2026, 11, 30))
    assert len({p.first for p in weeks}) == 12 and weeks[-1].first == date(2026, 11, 30)


def test_problems_at_the_end_of_the_month(world: World, clock: Clock) -> None:
    w = world
    # Resolved at 23:59 on the last day, its limit ending that midnight: November, on time.
    last_minute = w.problem(
        reported=bj(2026, 11, 20), due=bj(2026, 12, 1), resolved=bj(2026, 11, 30, 23, 59)
    )
    # Resolved exactly when its limit ran out: late.
    at_limit = w.problem(reported=bj(2026, 11, 5), due=bj(2026, 11, 21), resolved=bj(2026, 11, 21))
    # Resolved at 00:00 on 1 December: December's, not November's.
    december = w.problem(reported=bj(2026, 11, 25), due=bj(2026, 12, 11), resolved=bj(2026, 12, 1))
    # Still open, due exactly at the end of November: not late on November's figures.
    due_at_end = w.problem(reported=bj(2026, 11, 28), due=bj(2026, 12, 1))
    # Still open, due on the 30th: late at the end of November.
    late_open = w.problem(reported=bj(2026, 10, 20), due=bj(2026, 11, 30))
    # Resolved in October for good: in none of November's figures.
    w.problem(reported=bj(2026, 10, 1), due=bj(2026, 10, 17), resolved=bj(2026, 10, 31, 23, 59))
    # Reported in another grid, settled by the sub-district.
    w.problem(
        reported=bj(2026, 11, 2),
        due=bj(2026, 11, 18),
        resolved=bj(2026, 11, 12),
        level=HandlingLevel.SUBDISTRICT,
        grid=w.other_grid,
        category="safety",
    )
    w.return_visit(last_minute, bj(2026, 11, 30, 23, 59), Satisfaction.SATISFIED)
    w.return_visit(at_limit, bj(2026, 11, 22), Satisfaction.BASICALLY)
    w.return_visit(at_limit, bj(2026, 12, 1), Satisfaction.DISSATISFIED)  # December's

    summary = w.services.stats.summary(NOV, Scope())
    c = summary.figures.counts
    assert (c.new, c.resolved, c.on_time, c.resolved_late) == (5, 3, 2, 1)
    assert c.overdue_open == 1  # late_open; due_at_end is not late yet
    assert c.open_at_start == 1  # late_open (reported in October, unresolved on 1 Nov)
    assert (c.settled_grid, c.settled_community, c.settled_subdistrict) == (2, 0, 1)
    assert (c.return_visits, c.satisfied, c.basically_satisfied, c.dissatisfied) == (2, 1, 1, 0)
    ind = summary.figures.indicators
    assert ind["on_time_rate"].value == pytest.approx(2 / 3)
    assert ind["on_time_rate"].meets_target is False and ind["on_time_rate"].target == 0.9
    assert ind["resolution_rate"].value == pytest.approx(3 / (1 + 5))
    assert ind["satisfaction_rate"].value == 1.0 and ind["satisfaction_rate"].meets_target
    assert ind["settled_below_subdistrict"].value == pytest.approx(2 / 3)
    days = (10 + 23 / 24 + 59 / 1440) + 16 + 10
    assert ind["avg_days_to_resolve"].value == pytest.approx(days / 3)
    assert "按期办结数 ÷ 本期办结数" in ind["on_time_rate"].formula
    cats = {x.code: (x.new, x.resolved) for x in summary.figures.categories}
    assert cats == {"property": (4, 2), "safety": (1, 1)}

    drill = w.services.stats.drill
    assert {d.id for d in drill(NOV, Scope(), Figure.ON_TIME)} >= {last_minute}
    assert {d.id for d in drill(NOV, Scope(), Figure.RESOLVED_LATE)} == {at_limit}
    assert {d.id for d in drill(NOV, Scope(), Figure.OVERDUE_OPEN)} == {late_open}
    assert due_at_end not in {d.id for d in drill(NOV, Scope(), Figure.OVERDUE_OPEN)}
    dec = w.services.stats.summary(Period.month(2026, 12), Scope())
    assert dec.figures.counts.resolved == 1 and december in {
        d.id for d in drill(Period.month(2026, 12), Scope(), Figure.RESOLVED)
    }
    # As of now (2 December 10:00), due_at_end has been late since 1 December 00:00.
    assert dec.figures.counts.overdue_open == 2
    assert (dec.figures.counts.return_visits, dec.figures.counts.dissatisfied) == (1, 1)
    assert dec.figures.value("satisfaction_rate") == 0.0
    assert [d.id for d in drill(Period.month(2026, 12), Scope(), Figure.DISSATISFIED)] == [at_limit]
    assert drill(NOV, Scope(), Figure.DISSATISFIED) == []

    # Per grid: the sums make the whole.
    rows = w.services.stats.compare(NOV, Scope(), Breakdown.GRID)
    assert Counts.total(r.figures.counts for r in rows) == c
    assert {r.name: r.figures.counts.resolved for r in rows} == {"甲一网格": 2, "甲二网格": 1}


def test_visit_coverage_at_the_edges_of_the_interval(world: World) -> None:
    w = world
    registered = bj(2026, 1, 5)
    # 重点 (7 days): due 27 Oct, visited 25 Nov, due again 2 Dec: covered.
    up_to_date = w.household(elder=True, created=registered)
    w.visit(up_to_date, bj(2026, 10, 20, 9))
    w.visit(up_to_date, bj(2026, 11, 25, 9))
    # 重点: visited 20 Nov only, due again 27 Nov, overdue on the 30th: visited, not covered.
    one_day_out = w.household(elder=True, created=registered)
    w.visit(one_day_out, bj(2026, 10, 20, 9))
    w.visit(one_day_out, bj(2026, 11, 20, 23, 59))
    # 一般 (90 days): visited 1 Sep, due 30 Nov (the last day): due, not yet overdue.
    due_last_day = w.household(created=registered)
    w.visit(due_last_day, bj(2026, 9, 1, 8))
    # 一般: visited 2 Sep, due 1 Dec: not due in November.
    not_due = w.household(created=registered)
    w.visit(not_due, bj(2026, 9, 2, 8))
    # Registered on the last day at 23:59, never visited: due from that day, not late yet.
    newcomer = w.household(created=bj(2026, 11, 30, 23, 59))
    # Registered on 1 December: not in November's figures.
    w.household(created=bj(2026, 12, 1))
    # A visit at 00:00 on 1 December is December's.
    w.visit(not_due, bj(2026, 12, 1))

    s = w.services.stats.summary(NOV, Scope())
    c = s.figures.counts
    assert (c.visits, c.households_visited) == (2, 2)
    assert c.due == 4  # up_to_date, one_day_out, due_last_day, newcomer
    assert c.covered == 1
    assert c.overdue_households == 1  # one_day_out
    assert s.figures.value("coverage") == pytest.approx(1 / 4)
    assert s.figures.indicators["coverage"].meets_target is False
    (elders,) = [g for g in s.figures.special_groups if g.code == "living_alone_elderly"]
    assert (elders.name, elders.due, elders.covered, elders.households) == ("独居老人", 2, 1, 2)
    ids = {f: {d.id for d in w.services.stats.drill(NOV, Scope(), f)} for f in Figure}
    assert ids[Figure.DUE] == {up_to_date, one_day_out, due_last_day, newcomer}
    assert ids[Figure.COVERED] == {up_to_date}
    assert ids[Figure.UNCOVERED] == {one_day_out, due_last_day, newcomer}
    assert ids[Figure.VISITED] == {up_to_date, one_day_out}
    assert ids[Figure.OVERDUE_HOUSEHOLDS] == {one_day_out}


def test_week_edges(world: World) -> None:
    w = world
    h = w.household(created=bj(2026, 1, 5))
    w.visit(h, bj(2026, 11, 22, 23, 59))  # Sunday night: week 47
    w.visit(h, bj(2026, 11, 23))  # Monday 00:00: week 48
    w47 = w.services.stats.summary(Period.parse("2026-W47"), Scope()).figures.counts
    w48 = w.services.stats.summary(Period.parse("2026-W48"), Scope()).figures.counts
    assert (w47.visits, w48.visits) == (1, 1)
    q4 = w.services.stats.summary(Period.parse("2026-Q4"), Scope()).figures.counts
    assert q4.visits == 2


def test_a_worker_sees_only_their_grids_and_cannot_set_targets(world: World, clock: Clock) -> None:
    w = world
    w.problem(reported=bj(2026, 11, 2), due=bj(2026, 11, 18))
    w.problem(reported=bj(2026, 11, 2), due=bj(2026, 11, 18), grid=w.other_grid)
    mine = w.as_(w.worker, clock).stats
    assert mine.summary(NOV, Scope()).figures.counts.new == 1
    assert [r.name for r in mine.compare(NOV, Scope(), Breakdown.GRID)] == ["甲一网格"]
    with pytest.raises(PermissionDeniedError):
        mine.summary(NOV, Scope(grid_id=w.other_grid.id))
    with pytest.raises(PermissionDeniedError):
        mine.drill(NOV, Scope(grid_id=w.other_grid.id), Figure.NEW)
    with pytest.raises(PermissionDeniedError, match="设置统计指标的目标值"):
        mine.set_targets({"coverage": 0.5})
    assert mine.targets() == DEFAULT_TARGETS


def test_targets_are_settings_and_audited(world: World, db: Database) -> None:
    stats = world.services.stats
    assert stats.targets() == DEFAULT_TARGETS
    after = stats.set_targets({"coverage": 0.98, "resolution_rate": 0.8, "on_time_rate": None})
    assert after["coverage"] == 0.98 and after["resolution_rate"] == 0.8
    assert "on_time_rate" not in after
    assert stats.targets() == after
    with pytest.raises(ValidationError):
        stats.set_targets({"visits": 0.5})
    with pytest.raises(ValidationError):
        stats.set_targets({"coverage": 95})  # a share, not a percentage
    with db.read_session() as s:
        entries = [a for a in s.query(AuditEntry).order_by(AuditEntry.id)]
        actions = [a.action for a in entries]
        (entry,) = [a for a in entries if a.action == "stats.targets"]
        detail = dict(entry.detail)
    assert actions.count("stats.targets") == 1
    assert "'coverage': 0.95" in detail["before"] and "'coverage': 0.98" in detail["after"]
    assert action_label("stats.targets") == "修改统计指标目标值"
    assert stats.reset_targets() == DEFAULT_TARGETS
    summary = stats.summary(NOV, Scope())
    assert summary.figures.indicators["resolution_rate"].target is None


def test_an_approved_extension_is_counted_apart(world: World) -> None:
    """延期后按期 (core.rules.resolution_timeliness): within the limit only as an approved
    extension moved it; counted apart from 按期, as on the weekly list."""
    from gridvisit.core.rules import extension_fields

    w = world
    original, extended_to = bj(2026, 11, 17), bj(2026, 11, 27)
    only_by_extension = w.problem(
        reported=bj(2026, 11, 2), due=extended_to, resolved=bj(2026, 11, 20)
    )
    within_original = w.problem(
        reported=bj(2026, 11, 2), due=extended_to, resolved=bj(2026, 11, 16)
    )
    late_even_so = w.problem(reported=bj(2026, 11, 2), due=extended_to, resolved=bj(2026, 11, 27))
    for pid in (only_by_extension, within_original, late_even_so):
        new, old = extension_fields(extended_to, original)
        with w.db.session() as s:
            s.add(
                ProblemEvent(
                    problem_id=pid,
                    kind=EventKind.EXTENSION_APPROVED.value,
                    at=bj(2026, 11, 10),
                    assigned_unit=new,
                    assigned_person=old,
                )
            )
    plain = w.problem(reported=bj(2026, 11, 2), due=original, resolved=bj(2026, 11, 16, 23, 59))
    c = w.services.stats.summary(NOV, Scope()).figures
    assert (c.counts.resolved, c.counts.on_time, c.counts.extended) == (4, 2, 1)
    assert c.counts.resolved_late == 1
    assert c.value("on_time_rate") == pytest.approx(2 / 4)
    assert c.value("on_time_with_extension_rate") == pytest.approx(3 / 4)
    drill = w.services.stats.drill
    assert {d.id for d in drill(NOV, Scope(), Figure.EXTENDED)} == {only_by_extension}
    assert {d.id for d in drill(NOV, Scope(), Figure.ON_TIME)} == {within_original, plain}
    assert {d.id for d in drill(NOV, Scope(), Figure.RESOLVED_LATE)} == {late_even_so}
    months = w.services.stats.trend(Scope(), PeriodKind.MONTH, 2, bj(2026, 11, 30))
    assert months[-1].figures.counts == c.counts


def test_a_reopened_problem_stays_resolved_in_the_month_it_was_resolved(
    world: World, clock: Clock
) -> None:
    """Resolved in September, reopened by a dissatisfied return visit in October,
    resolved again in November: 办结 in September (as reported then) and in November;
    in October 超期未办结 at its end. A past month's report does not change later."""
    w = world
    sep, oct_, nov = Period.month(2026, 9), Period.month(2026, 10), Period.month(2026, 11)
    pid = w.problem(reported=bj(2026, 9, 2), due=bj(2026, 9, 20), resolved=bj(2026, 9, 10))
    clock.now = bj(2026, 10, 1, 9)  # September's report is made
    reported = w.services.stats.report(sep, Scope()).summary.figures.counts
    assert (reported.new, reported.resolved, reported.on_time, reported.resolved_late) == (
        1,
        1,
        1,
        0,
    )

    w.reopen(pid, bj(2026, 10, 5))
    w.resolve(pid, bj(2026, 11, 10))
    clock.now = bj(2026, 12, 2, 10)
    stats = w.services.stats
    september = stats.summary(sep, Scope()).figures.counts
    assert september == reported
    assert september.days_to_resolve == pytest.approx(8)
    assert [d.id for d in stats.drill(sep, Scope(), Figure.RESOLVED)] == [pid]
    assert [d.id for d in stats.drill(sep, Scope(), Figure.ON_TIME)] == [pid]

    october = stats.summary(oct_, Scope()).figures.counts
    assert (october.resolved, october.open_at_start, october.overdue_open) == (0, 0, 1)
    assert [d.id for d in stats.drill(oct_, Scope(), Figure.OVERDUE_OPEN)] == [pid]

    november = stats.report(nov, Scope()).summary.figures.counts
    assert (november.resolved, november.on_time, november.resolved_late) == (1, 0, 1)
    assert november.open_at_start == 1 and november.overdue_open == 0
    assert november.days_to_resolve == pytest.approx(69)
    assert [d.id for d in stats.drill(nov, Scope(), Figure.RESOLVED_LATE)] == [pid]

    months = stats.trend(Scope(), PeriodKind.MONTH, 3, bj(2026, 11, 30))
    assert [t.figures.counts for t in months] == [september, october, november]
    # The weekly list of the week it was first resolved agrees.
    from gridvisit.core.clock import IsoWeek

    week = IsoWeek.containing(date(2026, 9, 10))
    listed = w.services.weekly.build(week, Scope(), "全部")
    assert [p.id for p in listed.resolved] == [pid]
    by_week = stats.summary(Period.week(week), Scope()).figures.counts
    assert (by_week.resolved, by_week.on_time) == (listed.summary.resolved, listed.summary.on_time)
