"""Search text for households: address, names, phone digits and pinyin initials.

Each household gets one lower-case haystack string built once when its rows are
loaded; a keystroke is then a substring test per row, which keeps search at a few
milliseconds for 30,000 households.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from functools import lru_cache

from pypinyin import Style, pinyin

_SEPARATOR = "\x1f"
_MAX_VARIANTS = 4


@lru_cache(maxsize=20_000)
def _char_initials(char: str) -> tuple[str, ...]:
    """Possible pinyin initials of one character (heteronyms give several: 曾 → c, z)."""
    if not ("\u4e00" <= char <= "\u9fff"):
        return (char.lower(),)
    readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True)[0]
    return tuple(dict.fromkeys(r.lower() for r in readings if r)) or (char,)


def initials(name: str) -> list[str]:
    """Pinyin initials of a name: 张三 → ['zs']; a few variants for heteronyms."""
    options = [_char_initials(c) for c in name if not c.isspace()]
    variants = itertools.islice(itertools.product(*options), _MAX_VARIANTS)
    return ["".join(v) for v in variants]


def haystack(address_forms: Iterable[str], names: Iterable[str], phones: Iterable[str]) -> str:
    parts: list[str] = [a.lower() for a in address_forms]
    for name in names:
        if name:
            parts.append(name.lower())
            parts.extend(initials(name))
    parts.extend(re.sub(r"\D", "", p) for p in phones if p)
    return _SEPARATOR.join(parts)


def normalize_query(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).lower()
