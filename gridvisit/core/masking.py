"""Masking of personal data for lists, prints and exports (docs/architecture.md#where-each-rule-lives)."""

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


# Free text is matched on a copy in which full-width digits, letters X, plus signs,
# dashes and spaces (what Chinese input methods type) are their ASCII selves. The
# mapping is one character to one character, so a match's position in the copy is its
# position in the original, and everything outside a match is kept as written.
_NORMAL = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        "Ｘ": "X",
        "ｘ": "x",
        "＋": "+",
        "－": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "\u3000": " ",
        "\u00a0": " ",
        "\t": " ",
    }
)
_SEP = r"[ \-]?"  # one optional separator between any two digits: 139 8765 4321
_NUMBER = re.compile(
    r"(?<![0-9])(?:"
    # 18-digit resident ID (last character may be X), also written in groups
    rf"(?P<id18>[1-9](?:{_SEP}[0-9]){{16}}{_SEP}[0-9Xx])(?![0-9A-Za-z])"
    # 15-digit ID issued before 1999
    rf"|(?P<id15>[1-9](?:{_SEP}[0-9]){{14}})(?![0-9])"
    # mainland mobile, with or without +86 / 0086 / 86
    rf"|(?P<mobile>(?:(?:\+|00)?86{_SEP})?1{_SEP}[3-9](?:{_SEP}[0-9]){{9}})(?![0-9])"
    # landline with its area code: 010-…, 02x-…, 0xxx-…
    rf"|(?P<landline>(?P<area>0(?:10|2[0-9]|[3-9][0-9]{{2}})){_SEP}[2-9](?:{_SEP}[0-9]){{6,7}})(?![0-9])"
    ")"
)
ID_REMOVED = "[身份证号已隐去]"


def _masked(match: re.Match[str]) -> str:
    if match["id18"] or match["id15"]:
        return ID_REMOVED
    digits = re.sub(r"[^0-9]", "", match.group())
    if match["mobile"]:
        return mask_phone(digits[-11:])
    area = match["area"]
    return mask_phone(f"{area}-{digits[len(area) :]}")


def scrub_text(text: str, names: Iterable[str] = (), *, mask_names: bool = True) -> str:
    """The one scrubber for free text in every output (prints, ledgers, review lists):
    workers may quote what residents said. ID numbers (18 or 15 digits) are removed,
    mobiles and landlines masked, however they are written (full-width digits,
    spaces, dashes, +86); unless `mask_names` is off, the given residents' names are
    masked too."""
    if not text:
        return text
    normal = text.translate(_NORMAL)
    out, at = [], 0
    for match in _NUMBER.finditer(normal):
        out += [text[at : match.start()], _masked(match)]
        at = match.end()
    out.append(text[at:])
    text = "".join(out)
    if mask_names:
        # Longest first, so 欧阳娜娜 is masked whole before 欧阳 could match.
        for name in sorted({n for n in names if len(n) >= 2}, key=len, reverse=True):
            text = text.replace(name, mask_name(name))
    return text
