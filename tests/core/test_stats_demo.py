"""The statistics of a generated demo against an independent count: plain SQL on the
raw file, with SQLite's own date arithmetic for Beijing days instead of the midnight
cut-offs core/rules.py builds (issue 19). No figure of the demo is written down here:
whatever the generator makes, both ways must agree."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from gridvisit.core.clock import LOCAL_TZ
from gridvisit.core.indicators import Counts, Period
from gridvisit.core.records import Actor, Scope
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.stats import Breakdown, Figure, rank
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.demo.generate import generate_demo
from gridvisit.storage import open_database

END = date(2026, 11, 18)
NOW = datetime.combine(END + timedelta(days=1), time(1), LOCAL_TZ)
PERIODS = [
    Period.month(2026, 10),
    Period.parse("2026-W45"),
    Period.custom(date(2026, 9, 14), date(2026, 10, 20)),
    Period.month(2026, 11),  # not over yet: as of NOW
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Services]]:
    path = tmp_path_factory.mktemp("stats") / "demo.db"
    generate_demo(path, households=600, seed=11, end=END, weeks=20)
    db = open_database(path)
    actor = ensure_default_admin(ServiceContext(db, Actor(None, "system")))
    yield path, Services(ServiceContext(db, actor, clock=lambda: NOW))
    db.dispose()


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _raw_counts(conn: sqlite3.Connection, period: Period) -> Counts:
    as_of = period.as_of(NOW)
    start, end, m = _text(period.start), _text(period.end), _text(as_of)
    day = as_of.astimezone(LOCAL_TZ).date().isoformat()
    p = {"start": start, "end": end, "m": m, "day": day}

    def one(sql: str) -> int:
        return int(conn.execute(sql, p).fetchone()[0] or 0)

    households = """
        WITH h AS (
          SELECT h.id, h.created_at, t.interval_days AS days,
            (SELECT max(visited_at) FROM visit v WHERE v.household_id = h.id
               AND v.archived = 0 AND v.visited_at < :start) AS before,
            (SELECT max(visited_at) FROM visit v WHERE v.household_id = h.id
               AND v.archived = 0 AND v.visited_at <= :m) AS by_end,
            (SELECT count(*) FROM visit v WHERE v.household_id = h.id
               AND v.archived = 0 AND v.visited_at >= :start AND v.visited_at <= :m) AS n
          FROM household h JOIN visit_tier t ON t.code = h.tier_code
          WHERE h.archived = 0 AND h.created_at <= :m),
        d AS (
          SELECT n,
            CASE WHEN before IS NULL THEN date(created_at, '+8 hours') <= :day
                 ELSE date(before, '+8 hours', '+' || days || ' days') <= :day END AS due,
            CASE WHEN by_end IS NULL THEN date(created_at, '+8 hours') < :day
                 ELSE date(by_end, '+8 hours', '+' || days || ' days') < :day END AS late
          FROM h)
        SELECT sum(n), sum(n > 0), sum(due), sum(due AND n > 0 AND NOT late), sum(late) FROM d
    """
    visits, visited, due, covered, late = conn.execute(households, p).fetchone()
    # Problems as of the moment, replayed from their events (the weekly list's way):
    # the status of the last event at or before it, the last 办结 at or before it, and
    # the limit in force then (the last approval before it, else the limit the first
    # approval replaced, else due_at); the status just before the start likewise.
    p["before"] = _text(period.start - timedelta(microseconds=1))
    asof = """
        WITH a AS (
          SELECT p.*,
            (SELECT e.to_status FROM problem_event e WHERE e.problem_id = p.id
               AND e.at <= :m ORDER BY e.at DESC, e.id DESC LIMIT 1) AS st,
            (SELECT e.to_status FROM problem_event e WHERE e.problem_id = p.id
               AND e.at <= :before ORDER BY e.at DESC, e.id DESC LIMIT 1) AS st0,
            (SELECT max(e.at) FROM problem_event e WHERE e.problem_id = p.id
               AND e.kind = 'resolved' AND e.at <= :m) AS res,
            coalesce(
              (SELECT e.assigned_unit FROM problem_event e WHERE e.problem_id = p.id
                 AND e.kind = 'ext_approved' AND e.at < :m ORDER BY e.at DESC, e.id DESC
                 LIMIT 1),
              (SELECT e.assigned_person FROM problem_event e WHERE e.problem_id = p.id
                 AND e.kind = 'ext_approved' AND e.assigned_person != ''
                 ORDER BY e.at, e.id LIMIT 1),
              p.due_at) AS due,
            (SELECT e.assigned_person FROM problem_event e WHERE e.problem_id = p.id
               AND e.kind = 'ext_approved' AND e.assigned_person != ''
               ORDER BY e.at, e.id LIMIT 1) AS original
          FROM problem p WHERE p.reported_at <= :m),
        r AS (SELECT * FROM a WHERE st IN ('resolved', 'closed')
              AND res >= :start AND res < :end)
    """
    unresolved = "coalesce(st, 'pending') IN ('pending', 'in_progress')"

    def problems(select_from: str) -> int:
        return one(asof + select_from)

    def returns(answer: str) -> int:
        return one(
            "SELECT count(*) FROM problem_event WHERE kind = 'return_visit' AND at >= :start"
            f" AND at <= :m AND satisfaction {answer}"
        )

    days = conn.execute(
        asof + "SELECT coalesce(sum(julianday(res) - julianday(reported_at)), 0) FROM r", p
    ).fetchone()[0]
    return Counts(
        visits=visits or 0,
        households_visited=visited or 0,
        due=due or 0,
        covered=covered or 0,
        overdue_households=late or 0,
        new=one("SELECT count(*) FROM problem WHERE reported_at >= :start AND reported_at <= :m"),
        resolved=problems("SELECT count(*) FROM r"),
        on_time=problems(
            "SELECT count(*) FROM r WHERE julianday(res) < julianday(due)"
            " AND (original IS NULL OR julianday(res) < julianday(original))"
        ),
        extended=problems(
            "SELECT count(*) FROM r WHERE julianday(res) < julianday(due)"
            " AND julianday(res) >= julianday(original)"
        ),
        overdue_open=problems(
            f"SELECT count(*) FROM a WHERE {unresolved} AND julianday(due) <= julianday(:m)"
        ),
        open_at_start=problems(
            "SELECT count(*) FROM a WHERE reported_at < :start"
            " AND coalesce(st0, 'pending') IN ('pending', 'in_progress')"
        ),
        return_visits=returns("!= ''"),
        satisfied=returns("= 'satisfied'"),
        basically_satisfied=returns("= 'basically'"),
        dissatisfied=returns("= 'dissatisfied'"),
        days_to_resolve=float(days),
        settled_grid=problems("SELECT count(*) FROM r WHERE level = 'grid'"),
        settled_community=problems("SELECT count(*) FROM r WHERE level = 'community'"),
        settled_subdistrict=problems("SELECT count(*) FROM r WHERE level = 'subdistrict'"),
    )


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.code)
def test_every_count_agrees_with_plain_sql(demo: tuple[Path, Services], period: Period) -> None:
    path, services = demo
    conn = sqlite3.connect(path)
    try:
        expected = _raw_counts(conn, period)
    finally:
        conn.close()
    got = services.stats.summary(period, Scope()).figures.counts
    assert got.days_to_resolve == pytest.approx(expected.days_to_resolve)
    assert got.as_dict() | {"days_to_resolve": 0} == expected.as_dict() | {"days_to_resolve": 0}
    # The demo has something to count in every figure that decides a target.
    assert got.due and got.covered and got.resolved and got.return_visits


def test_rows_add_up_and_drill_down_lists_what_was_counted(demo: tuple[Path, Services]) -> None:
    _path, services = demo
    period = PERIODS[0]
    report = services.stats.report(period, Scope())
    assert report.weekly_trend == report.monthly_trend == ()  # asked for with trends=True
    total = report.summary.figures.counts
    assert Counts.total(r.figures.counts for r in report.rows) == total
    grids = services.stats.compare(period, Scope(), Breakdown.GRID)
    assert Counts.total(r.figures.counts for r in grids) == total
    groups = services.stats.compare(period, Scope(), Breakdown.BUILDING_GROUP)
    # Public-area problems belong to a grid but to no building group.
    assert sum(g.figures.counts.due for g in groups) == total.due
    assert report.workers and all(w.figures.counts.due for w in report.workers)
    ranked = rank(report.workers, "coverage")
    values = [w.figures.value("coverage") for w in ranked]
    assert values == sorted(values, key=lambda v: -(v or 0.0)) and values[0] is not None
    assert rank(report.workers, "coverage", descending=False)[0].figures.value("coverage") == min(
        v for v in values if v is not None
    )
    # A community row drills into its grids, a grid into its households and problems.
    community = report.rows[0]
    inside = services.stats.compare(period, community.scope, Breakdown.GRID)
    assert Counts.total(r.figures.counts for r in inside) == community.figures.counts
    grid = inside[0]
    for figure, count in [
        (Figure.DUE, grid.figures.counts.due),
        (Figure.COVERED, grid.figures.counts.covered),
        (Figure.OVERDUE_HOUSEHOLDS, grid.figures.counts.overdue_households),
        (Figure.RESOLVED, grid.figures.counts.resolved),
        (Figure.ON_TIME, grid.figures.counts.on_time),
        (Figure.OVERDUE_OPEN, grid.figures.counts.overdue_open),
        (Figure.NEW, grid.figures.counts.new),
    ]:
        assert len(services.stats.drill(period, grid.scope, figure)) == count, figure


def test_trends_agree_with_single_periods(demo: tuple[Path, Services]) -> None:
    _path, services = demo
    from gridvisit.core.indicators import PeriodKind

    months = services.stats.trend(Scope(), PeriodKind.MONTH, 4)
    assert [t.period.code for t in months] == ["2026-08", "2026-09", "2026-10", "2026-11"]
    for point in months:
        single = services.stats.summary(point.period, Scope()).figures.counts
        assert point.figures.counts == single
    with_trends = services.stats.report(PERIODS[0], Scope(), trends=True)
    assert [t.period.code for t in with_trends.monthly_trend][-2:] == ["2026-09", "2026-10"]
    assert with_trends.weekly_trend[-1].period.last == date(2026, 11, 1)
    weeks = services.stats.trend(Scope(), PeriodKind.WEEK, 3)
    assert [t.period.code for t in weeks] == ["2026-W45", "2026-W46", "2026-W47"]
    for point in weeks:
        assert point.figures.counts == services.stats.summary(point.period, Scope()).figures.counts


def test_a_week_agrees_with_the_weekly_list(demo: tuple[Path, Services]) -> None:
    """Over a week the two coverage definitions meet: a household visited in the week
    is not due again before Sunday (no tier of the demo is shorter than 7 days)."""
    from gridvisit.core.clock import IsoWeek

    _path, services = demo
    for week in (IsoWeek(2026, 45), IsoWeek(2026, 46)):
        weekly = services.weekly.build(week, Scope(), "全部").summary
        got = services.stats.summary(Period.week(week), Scope()).figures.counts
        assert (got.due, got.covered) == (weekly.due_households, weekly.due_visited)
        assert (got.visits, got.households_visited) == (weekly.visits, weekly.households_visited)
        assert got.new == weekly.new
        assert (got.resolved, got.on_time, got.extended) == (
            weekly.resolved,
            weekly.on_time,
            weekly.extended,
        )
        assert (got.return_visits, got.satisfied) == (weekly.return_visits, weekly.satisfied)
        # The state figures as of the same moment: 期初未办结, 超期未办结.
        assert (got.open_at_start, got.overdue_open) == (weekly.open_at_start, weekly.overdue)
