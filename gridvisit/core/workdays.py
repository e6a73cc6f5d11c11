"""Working days (工作日) with the State Council's holiday schedule: holidays on
weekdays are days off, the weekend days made into working days (调休) are worked.

The schedule of 2004 to the last year `chinese-calendar` knows comes with the
package; an administrator enters each later year when it is published in the
autumn (`gridvisit calendar set-year`, stored in the database's settings, see
core/services/calendar.py). A day in a year neither knows counts Monday to Friday,
and every answer about it says so (`Span.estimated`), so lists and the command line
can warn (docs/architecture.md, "Where each rule lives")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's schedule: `holidays` are days off (weekend days among them change
    nothing), `workdays` are weekend days that are worked (调休)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def __post_init__(self) -> None:
        wrong = sorted(d for d in self.holidays | self.workdays if d.year != self.year)
        if wrong:
            raise ValueError(f"{wrong[0].isoformat()} 不在 {self.year} 年")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(f"{both[0].isoformat()} 不能既是假日又是调休上班日")


@cache
def _builtin() -> dict[int, YearSchedule]:
    """The years chinese-calendar knows (imported on first use: the first paint needs
    no calendar)."""
    import chinese_calendar

    years: dict[int, tuple[set[date], set[date]]] = {}
    for d in chinese_calendar.holidays:
        years.setdefault(d.year, (set(), set()))[0].add(d)
    for d in chinese_calendar.workdays:
        years.setdefault(d.year, (set(), set()))[1].add(d)
    return {
        year: YearSchedule(year, frozenset(off), frozenset(on)) for year, (off, on) in years.items()
    }


def builtin_years() -> tuple[int, ...]:
    return tuple(sorted(_builtin()))


@dataclass(frozen=True, slots=True)
class Span:
    """A count of working days, and whether a year outside the schedule was counted
    Monday to Friday (`estimated`), with those years."""

    days: int
    unknown_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.unknown_years)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: it holds a dict
class WorkCalendar:
    """The built-in schedule, with the years an administrator entered on top (an
    entered year replaces the package's for that year)."""

    entered: Mapping[int, YearSchedule] = field(default_factory=dict)

    def schedule(self, year: int) -> YearSchedule | None:
        return self.entered.get(year) or _builtin().get(year)

    def known_years(self) -> tuple[int, ...]:
        return tuple(sorted(set(_builtin()) | set(self.entered)))

    def knows(self, year: int) -> bool:
        return self.schedule(year) is not None

    def is_workday(self, day: date) -> bool:
        year = self.schedule(day.year)
        if year is not None:
            if day in year.workdays:
                return True
            if day in year.holidays:
                return False
        return day.weekday() < 5

    def unknown_years(self, first: date, last: date) -> tuple[int, ...]:
        """The years of first..last (inclusive) outside the schedule."""
        lo, hi = min(first, last), max(first, last)
        return tuple(y for y in range(lo.year, hi.year + 1) if not self.knows(y))

    def add_workdays(self, start: date, n: int) -> tuple[date, tuple[int, ...]]:
        """The n-th working day after `start` (n >= 1), and the unknown years
        crossed on the way."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, left = start, n
        while left:
            day += _DAY
            left -= self.is_workday(day)
        return day, self.unknown_years(start, day)

    def between(self, after: date, through: date) -> Span:
        """Working days d with after < d <= through (0 if through <= after)."""
        if through <= after:
            return Span(0)
        count, day = 0, after + _DAY
        while day <= through:
            count += self.is_workday(day)
            day += _DAY
        return Span(count, self.unknown_years(after + _DAY, through))


def parse_days(values: Iterable[str], year: int) -> frozenset[date]:
    """Dates typed by an administrator: 2027-01-01, ranges 2027-02-10..2027-02-16,
    separated by commas or spaces; each must lie in `year`. ValueError in Chinese."""
    out: set[date] = set()
    for value in values:
        for item in value.replace(",", " ").replace(",", " ").replace("、", " ").split():
            first, _, last = item.partition("..")
            try:
                a = date.fromisoformat(first)
                b = date.fromisoformat(last) if last else a
            except ValueError:
                raise ValueError(
                    f"日期“{item}”无法识别,请写成 2027-01-01 或 2027-02-10..2027-02-16"
                ) from None
            if b < a:
                raise ValueError(f"日期范围“{item}”的结束早于开始")
            while a <= b:
                if a.year != year:
                    raise ValueError(f"{a.isoformat()} 不在 {year} 年")
                out.add(a)
                a += _DAY
    return frozenset(out)
