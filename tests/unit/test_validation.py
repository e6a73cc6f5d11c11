from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridvisit.core.clock import today_local
from gridvisit.core.enums import Gender
from gridvisit.core.validation import check_citizen_id, check_phone, id_check_char


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_known_valid_ids(number: str) -> None:
    result = check_citizen_id(number)
    assert result.ok, result.error
    assert result.normalized == number


def test_known_invalid_check_digit() -> None:
    result = check_citizen_id("110105194912310021")
    assert not result.ok
    assert "校验位" in result.error


def test_lowercase_x_is_normalised() -> None:
    result = check_citizen_id(" 11010519491231002x ")
    assert result.ok
    assert result.normalized == "11010519491231002X"


def test_birth_date_and_gender_are_read() -> None:
    result = check_citizen_id("11010519491231002X")
    assert result.birth_date == date(1949, 12, 31)
    assert result.gender is Gender.FEMALE  # 17th digit 2 is even


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("", "为空"),
        ("1101051949123100", "18 位"),
        ("11010519491231002Y", "数字或 X"),
        ("110105194902300020", "不是有效日期"),  # 30 February
    ],
)
def test_invalid_ids_say_why(number: str, fragment: str) -> None:
    result = check_citizen_id(number)
    assert not result.ok
    assert fragment in result.error


def test_future_birth_date_rejected() -> None:
    # Beijing's tomorrow, as the check counts it (the machine's own date is a day
    # behind from 16:00 UTC on).
    tomorrow = today_local() + timedelta(days=1)
    first17 = f"110105{tomorrow:%Y%m%d}002"
    result = check_citizen_id(first17 + id_check_char(first17))
    assert not result.ok
    assert "今天之后" in result.error


def test_unknown_area_is_a_warning_not_an_error() -> None:
    first17 = "99010519491231002"
    result = check_citizen_id(first17 + id_check_char(first17))
    assert result.ok
    assert result.warnings and "地区码" in result.warnings[0]


_birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
_areas = st.sampled_from(["110105", "350212", "440524", "310101", "510107"])


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    first17 = f"{draw(_areas)}{draw(_birth_dates):%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + id_check_char(first17)


@given(valid_ids())
def test_generated_ids_are_valid(number: str) -> None:
    assert check_citizen_id(number).ok


@given(valid_ids(), st.integers(0, 17), st.integers(1, 9))
def test_any_single_digit_change_is_caught(number: str, pos: int, delta: int) -> None:
    """MOD 11-2 catches every single-character substitution."""
    chars = "0123456789X" if pos == 17 else "0123456789"
    old = number[pos]
    new = chars[(chars.index(old) + delta) % len(chars)]
    mutated = number[:pos] + new + number[pos + 1 :]
    assert not check_citizen_id(mutated).ok


@given(st.text(max_size=30))
def test_checker_never_raises(text: str) -> None:
    result = check_citizen_id(text)
    assert result.ok or result.error


@pytest.mark.parametrize(
    ("raw", "normalized", "mobile"),
    [
        ("13812345678", "13812345678", True),
        ("138 1234 5678", "13812345678", True),
        ("+86 138-1234-5678", "13812345678", True),
        ("0592-7654321", "0592-7654321", False),
        ("010 87654321", "010-87654321", False),
        ("87654321", "87654321", False),
        ("0592-7654321转 8001", "0592-7654321转8001", False),
    ],
)
def test_valid_phones(raw: str, normalized: str, mobile: bool) -> None:
    result = check_phone(raw)
    assert result.ok, result.error
    assert result.normalized == normalized
    assert result.mobile is mobile


@pytest.mark.parametrize("raw", ["1381234567", "12812345678", "abc", "0592-123", "", "1"])
def test_invalid_phones(raw: str) -> None:
    result = check_phone(raw)
    assert not result.ok
    assert result.error


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_generated_mobiles_are_valid(number: str) -> None:
    assert check_phone(number).normalized == number


@given(st.text(max_size=40))
def test_phone_checker_never_raises(text: str) -> None:
    result = check_phone(text)
    assert result.ok or result.error


# -- issue 16, finding 8: what Chinese input methods type is accepted ---------------------


@pytest.mark.parametrize(
    "typed",
    [
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
        "１１０１０５１９４９１２３１００２ｘ",
        "１１０１０５　１９４９１２３１　００２Ｘ",  # ideographic spaces between groups
        "110105１９４９１２３１002X",  # half and half
        " 110105 19491231 002x ",
    ],
)
def test_full_width_id_numbers_are_normalised_and_accepted(typed: str) -> None:
    result = check_citizen_id(typed)
    assert result.ok, result.error
    assert result.normalized == "11010519491231002X"
    assert result.normalized.isascii()


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("１３８１２３４５６７８", "13812345678"),
        ("＋８６　１３８－１２３４－５６７８", "13812345678"),
        ("（０５９２）７６５４３２１", "0592-7654321"),
        ("０５９２－７６５４３２１转８００１", "0592-7654321转8001"),
    ],
)
def test_full_width_phones_are_normalised_and_accepted(typed: str, normalized: str) -> None:
    result = check_phone(typed)
    assert result.ok, result.error
    assert result.normalized == normalized


def test_a_full_width_id_number_is_saved_in_half_width(services) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.core.records import ResidentInput

    h = services.hierarchy
    g = h.add_grid(h.add_community("甲社区").id, "甲一网格")
    bg = h.add_building_group(g.id, "1号楼")
    typed = ResidentInput(
        "张三", id_number="１１０１０５１９４９１２３１００２Ｘ", phone="１３８１２３４５６７８"
    )
    home = services.households.register(bg.id, "1", "", "101", residents=(typed,))
    [saved] = services.households.residents(home.id)
    assert (saved.id_number, saved.phone) == ("11010519491231002X", "13812345678")


def test_a_birth_date_is_checked_against_beijing_today_not_the_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A machine on UTC is still on yesterday for the first eight hours of Beijing's
    day; the check asks the domain's clock (far in the future here, so the machine's
    own date can never agree by chance)."""
    from datetime import UTC, datetime

    from gridvisit.core import clock

    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2099, 6, 1, 17, 0, tzinfo=UTC))
    first17 = "11010520990602123"
    result = check_citizen_id(first17 + id_check_char(first17))
    assert result.ok, result.error
    first17 = "11010520990603123"  # tomorrow in Beijing
    assert "今天之后" in check_citizen_id(first17 + id_check_char(first17)).error
