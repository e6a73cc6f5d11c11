"""Masking of personal data for lists, prints and exports (DESIGN.md §3)."""

from __future__ import annotations


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
