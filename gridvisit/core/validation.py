"""Field validation with Chinese messages: citizen ID numbers (GB 11643-1999),
phone numbers, required text. Pure functions, no storage."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from gridvisit.core.clock import today_local
from gridvisit.core.enums import Gender

# ISO 7064 MOD 11-2 weights for the first 17 digits, and the check character per remainder.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# First two digits of the administrative division code (GB/T 2260 provinces, plus
# 81/82/83 used on residence permits for Hong Kong, Macao and Taiwan residents).
# The full county list changes every year, so only the province is checked, and
# an unknown one is a warning: the number may still be real.
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)


@dataclass(frozen=True, slots=True)
class IdCheck:
    """Outcome of checking a citizen ID number."""

    normalized: str
    error: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    birth_date: date | None = None
    gender: Gender | None = None

    @property
    def ok(self) -> bool:
        return not self.error


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _typed(raw: str | None) -> str:
    """What a person typed, as the half-width text it means: Chinese input methods
    give full-width digits, letters, plus signs, dashes and spaces (NFKC maps each
    to its ASCII self)."""
    return unicodedata.normalize("NFKC", raw or "").strip()


def check_citizen_id(raw: str, *, today: date | None = None) -> IdCheck:
    """Validate an 18-character resident identity card number (full-width digits,
    spaces and dashes between the groups accepted; stored half-width)."""
    text = re.sub(r"[\s\-]", "", _typed(raw)).upper()
    if not text:
        return IdCheck(text, "身份证号为空")
    if len(text) != 18:
        return IdCheck(text, f"身份证号应为 18 位,现在是 {len(text)} 位")
    if not text.isascii() or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        return IdCheck(text, "身份证号前 17 位应为数字,最后一位为数字或 X")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return IdCheck(text, f"身份证号中的出生日期 {text[6:14]} 不是有效日期")
    if born > (today or today_local()):  # Beijing's day, whatever the machine's zone
        return IdCheck(text, f"身份证号中的出生日期 {born:%Y-%m-%d} 在今天之后")
    expected = id_check_char(text[:17])
    if text[17] != expected:
        return IdCheck(text, "身份证号校验位不符,请核对是否抄错了某一位")
    warnings: tuple[str, ...] = ()
    if text[:2] not in _PROVINCES:
        warnings = (f"身份证号地区码 {text[:6]} 不在已知省份之列,请核对",)
    gender = Gender.MALE if int(text[16]) % 2 else Gender.FEMALE
    return IdCheck(text, "", warnings, born, gender)


_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
# Area code 010/02x (3 digits) or 0xxx (4 digits), then a 7- or 8-digit number,
# optionally an extension.
_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))?([2-9]\d{6,7})(?:转(\d{1,6}))?$", re.ASCII)


@dataclass(frozen=True, slots=True)
class PhoneCheck:
    normalized: str
    error: str = ""
    mobile: bool = False

    @property
    def ok(self) -> bool:
        return not self.error


def check_phone(raw: str) -> PhoneCheck:
    """Validate a mainland mobile or landline number. Separators are dropped;
    landlines are normalised to `0xx-xxxxxxxx`."""
    text = _typed(raw)
    if not text:
        return PhoneCheck("", "电话号码为空")
    text = re.sub(r"[\s\-()]", "", text)
    text = re.sub(r"(?:ext\.?|EXT\.?|分机|#)", "转", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if _MOBILE.match(text):
        return PhoneCheck(text, mobile=True)
    match = _LANDLINE.match(text)
    if match:
        area, number, ext = match.groups()
        normalized = f"{area}-{number}" if area else number
        if ext:
            normalized += f"转{ext}"
        return PhoneCheck(normalized)
    if text.startswith("1") and text.isdigit():
        return PhoneCheck(text, f"手机号应为 11 位且以 13–19 开头,现在是“{raw.strip()}”")
    return PhoneCheck(text, f"“{raw.strip()}”不是有效的手机号或固定电话号码")


def require_text(
    errors: dict[str, str], field_name: str, label: str, value: str | None, *, max_len: int = 200
) -> str:
    """Strip `value`; record a Chinese error in `errors` if it is empty or too long."""
    text = (value or "").strip()
    if not text:
        errors[field_name] = f"{label}不能为空"
    elif len(text) > max_len:
        errors[field_name] = f"{label}过长(最多 {max_len} 个字)"
    return text


def optional_text(
    errors: dict[str, str], field_name: str, label: str, value: str | None, *, max_len: int = 2000
) -> str:
    text = (value or "").strip()
    if len(text) > max_len:
        errors[field_name] = f"{label}过长(最多 {max_len} 个字)"
    return text
