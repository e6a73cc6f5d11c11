"""The working-day calendar of this database: the built-in schedule
(core/workdays.py) and the years an administrator entered, kept in the settings
table as `workcal.<year>` = {"holidays": [...], "workdays": [...]} (ISO dates).
Settings are local, never exported: each database's administrator enters a new
year once it is published."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridvisit.core.access import Action, guarded
from gridvisit.core.errors import ValidationError
from gridvisit.core.services.context import ServiceContext
from gridvisit.core.workdays import WorkCalendar, YearSchedule, builtin_years
from gridvisit.storage.models import Setting

_PREFIX = "workcal."
_MIN_YEAR, _MAX_YEAR = 2000, 2100


def load_calendar(s: Session) -> WorkCalendar:
    """The calendar with every year entered here (an unreadable entry is skipped: the
    built-in schedule or Monday to Friday stands, and `CalendarService.status` says)."""
    entered: dict[int, YearSchedule] = {}
    for key, value in s.execute(
        select(Setting.key, Setting.value).where(Setting.key.like(f"{_PREFIX}%"))
    ):
        try:
            year = int(key.removeprefix(_PREFIX))
            data = json.loads(value)
            entered[year] = YearSchedule(
                year,
                frozenset(date.fromisoformat(d) for d in data["holidays"]),
                frozenset(date.fromisoformat(d) for d in data["workdays"]),
            )
        except (ValueError, KeyError, TypeError):
            continue
    return WorkCalendar(entered)


@dataclass(frozen=True, slots=True)
class CalendarStatus:
    builtin: tuple[int, ...]  # years the package knows
    entered: tuple[int, ...]  # years entered in this database
    missing: tuple[int, ...]  # this year and next, where not known: Monday to Friday

    @property
    def warning(self) -> str:
        if not self.missing:
            return ""
        years = "、".join(f"{y} 年" for y in self.missing)
        return (
            f"尚未录入{years}的节假日安排,这些年份的办理时限暂按周一至周五计算工作日。"
            f"请管理员录入:gridvisit calendar set-year --year {self.missing[0]} "
            "--holidays ... --workdays ..."
        )


class CalendarService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @guarded(Action.READ)
    def calendar(self) -> WorkCalendar:
        with self.ctx.read() as s:
            return load_calendar(s)

    @guarded(Action.READ)
    def status(self) -> CalendarStatus:
        cal = self.calendar()
        this_year = self.ctx.now().year
        entered = tuple(sorted(cal.entered))
        missing = tuple(y for y in (this_year, this_year + 1) if not cal.knows(y))
        return CalendarStatus(builtin_years(), entered, missing)

    @guarded(Action.MANAGE_CALENDAR)
    def set_year(
        self, year: int, holidays: frozenset[date], workdays: frozenset[date]
    ) -> YearSchedule:
        """Enter (or replace) one year's schedule: `holidays` days off, `workdays`
        weekend days worked (调休). Problems already recorded keep their limits."""
        errors: dict[str, str] = {}
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            errors["year"] = f"年份应在 {_MIN_YEAR} 到 {_MAX_YEAR} 之间"
        weekdays = sorted(d for d in workdays if d.weekday() < 5)
        if weekdays:
            errors["workdays"] = (
                f"{weekdays[0].isoformat()} 是周一至周五,本来就是工作日;调休上班日应是周六或周日"
            )
        if not holidays:
            errors["holidays"] = "请至少填写一天假日"
        try:
            schedule = YearSchedule(year, holidays, workdays)
        except ValueError as exc:
            errors.setdefault("holidays", str(exc))
        if errors:
            raise ValidationError(errors)
        value = json.dumps(
            {
                "holidays": sorted(d.isoformat() for d in holidays),
                "workdays": sorted(d.isoformat() for d in workdays),
            }
        )
        with self.ctx.write() as s:
            s.merge(Setting(key=f"{_PREFIX}{year}", value=value))
            self.ctx.audit(
                s, "calendar.set_year", year=year, holidays=len(holidays), workdays=len(workdays)
            )
        return schedule
