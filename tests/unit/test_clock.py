from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridvisit.core.clock import LOCAL_TZ, IsoWeek, local_date
from gridvisit.core.errors import ValidationError


def test_parse_and_bounds() -> None:
    week = IsoWeek.parse("2026-W47")
    assert week.monday == date(2026, 11, 16)
    assert week.sunday == date(2026, 11, 22)
    assert week.start == datetime(2026, 11, 16, tzinfo=LOCAL_TZ)
    assert week.end == datetime(2026, 11, 23, tzinfo=LOCAL_TZ)
    assert str(week) == "2026-W47"


def test_boundaries_are_monday_midnight_to_sunday_midnight() -> None:
    week = IsoWeek.parse("2026-W47")
    assert week.contains(datetime(2026, 11, 16, 0, 0, tzinfo=LOCAL_TZ))
    assert week.contains(datetime(2026, 11, 22, 23, 59, 59, tzinfo=LOCAL_TZ))
    assert not week.contains(datetime(2026, 11, 23, 0, 0, tzinfo=LOCAL_TZ))
    assert not week.contains(datetime(2026, 11, 15, 23, 59, 59, tzinfo=LOCAL_TZ))
    # 2026-11-15 17:00 UTC is already Monday 01:00 in Beijing.
    assert week.contains(datetime(2026, 11, 15, 17, 0, tzinfo=UTC))


def test_year_boundary_weeks() -> None:
    # 2026-W53 exists (2026 starts on a Thursday); its Sunday is 2027-01-03.
    assert IsoWeek.parse("2026-W53").sunday == date(2027, 1, 3)
    assert IsoWeek.containing(date(2027, 1, 1)) == IsoWeek(2026, 53)
    assert IsoWeek(2026, 53).next() == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1).previous() == IsoWeek(2026, 53)


@pytest.mark.parametrize("text", ["2025-W53", "2026-W00", "2026W54", "26-W1", "W47", "", "abc"])
def test_invalid_weeks_rejected_in_chinese(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        IsoWeek.parse(text)
    assert "周" in str(info.value) or "年" in str(info.value)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    )
)
def test_every_moment_is_in_exactly_its_week(moment: datetime) -> None:
    week = IsoWeek.containing(moment)
    assert week.contains(moment)
    assert not week.next().contains(moment)
    assert not week.previous().contains(moment)
    assert week.monday <= local_date(moment) <= week.sunday
    assert week.end - week.start == timedelta(days=7)
