"""Masking of personal data for lists, prints and exports (DESIGN.md §3)."""

from __future__ import annotations

import re
from collections.abc import Iterable


def mask_id_number(value: str) -> str:
    """110105194912310021 → 110105********0021 (area code and last four kept)."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; landlines keep the area code and last four."""
    digits = value.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(value) > 4:
        head, _, tail = value.rpartition("-")
        if head:
            return f"{head}-{'*' * max(0, len(tail) - 4)}{tail[-4:]}"
        return "*" * (len(value) - 4) + value[-4:]
    return value


def mask_name(value: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***."""
    if not value:
        return value
    return value[0] + "*" * max(1, len(value) - 1)


# An 18-digit resident ID (last char may be X) or a mainland mobile number, not part
# of a longer run of digits.
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
ID_REMOVED = "[身份证号已隐去]"


def scrub_text(text: str, names: Iterable[str] = (), *, mask_names: bool = True) -> str:
    """Free text written by workers may quote what residents said: remove ID numbers,
    mask mobile numbers and, unless `mask_names` is off, the given residents' names."""
    text = _ID_NUMBER.sub(ID_REMOVED, text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group()), text)
    if mask_names:
        # Longest first, so 欧阳娜娜 is masked whole before 欧阳 could match.
        for name in sorted({n for n in names if len(n) >= 2}, key=len, reverse=True):
            text = text.replace(name, mask_name(name))
    return text
