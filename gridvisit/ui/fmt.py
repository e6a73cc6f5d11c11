"""Display formats shared by the widgets (Beijing time, Chinese conventions)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from gridvisit.core.clock import to_local, today_local


def when(moment: datetime | None) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%Y-%m-%d")


def deadline(due_at: datetime) -> str:
    """Problem deadlines are stored as the next midnight; show the last day itself."""
    local = to_local(due_at)
    if local.hour == 0 and local.minute == 0:
        return (local - timedelta(days=1)).strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")


def age(born: date | None, today: date | None = None) -> str:
    if born is None:
        return ""
    today = today or today_local()
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return str(years)
