"""Time: one zone for the whole domain, and ISO-week arithmetic.

Timestamps are stored as aware UTC. Calendar questions (which day, which week,
when is a visit due) are asked in Beijing time: mainland China has used a single
UTC+8 offset without daylight saving since 1991, so a fixed offset is exact and
needs no tz database (which Windows lacks without the tzdata package).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from gridvisit.core.errors import ValidationError

LOCAL_TZ = timezone(timedelta(hours=8), "CST")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the domain only uses aware datetimes")
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: datetime) -> date:
    return to_local(moment).date()


def today_local(now: datetime | None = None) -> date:
    return local_date(now or utcnow())


def local_midnight(day: date) -> datetime:
    """Start of a local calendar day as an aware datetime."""
    return datetime.combine(day, time.min, LOCAL_TZ)


@dataclass(frozen=True, slots=True)
class IsoWeek:
    """An ISO 8601 week: Monday 00:00 to the next Monday 00:00 (exclusive), Beijing time."""

    year: int
    week: int

    _PATTERN = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")

    def __post_init__(self) -> None:
        weeks_in_year = date(self.year, 12, 28).isocalendar().week
        if not 1 <= self.week <= weeks_in_year:
            raise ValidationError(
                {"week": f"{self.year} 年只有 {weeks_in_year} 周,没有第 {self.week} 周"}
            )

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        match = cls._PATTERN.match(text or "")
        if not match:
            raise ValidationError({"week": f"周次“{text}”格式不对,应写成 2026-W47 这样的形式"})
        year, week = int(match.group(1)), int(match.group(2))
        if not 1 <= year <= 9998:
            raise ValidationError({"week": f"年份 {year} 不在有效范围内"})
        return cls(year, week)

    @classmethod
    def containing(cls, day: date | datetime) -> IsoWeek:
        if isinstance(day, datetime):
            day = local_date(day)
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def start(self) -> datetime:
        """Monday 00:00 local, inclusive."""
        return local_midnight(self.monday)

    @property
    def end(self) -> datetime:
        """Next Monday 00:00 local, exclusive (= Sunday 24:00)."""
        return local_midnight(self.monday + timedelta(days=7))

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def next(self) -> IsoWeek:
        return IsoWeek.containing(self.monday + timedelta(days=7))

    def previous(self) -> IsoWeek:
        return IsoWeek.containing(self.monday - timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"
