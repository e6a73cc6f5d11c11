"""Search text for households: address, names, phone digits and pinyin initials.

Each household gets one lower-case haystack string built once when its rows are
loaded; a keystroke is then a substring test per row, which keeps search at a few
milliseconds for 30,000 households.

The pinyin initials need pypinyin's dictionaries (about half a second to load), which
the first paint does not need. So rows are built without them while pypinyin is not
loaded yet (`pinyin_loaded`), and `add_initials` completes a row before its first
search; `warm_up` loads the dictionaries and the initials of given names in the
background once the window is on screen.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Iterable
from functools import lru_cache

_SEPARATOR = "\x1f"
_MAX_VARIANTS = 4


@lru_cache(maxsize=20_000)
def _char_initials(char: str) -> tuple[str, ...]:
    """Possible pinyin initials of one character (heteronyms give several: 曾 → c, z)."""
    if not ("\u4e00" <= char <= "\u9fff"):
        return (char.lower(),)
    from pypinyin import Style, pinyin  # half a second of dictionaries: only when needed

    readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True)[0]
    return tuple(dict.fromkeys(r.lower() for r in readings if r)) or (char,)


def initials(name: str) -> list[str]:
    """Pinyin initials of a name: 张三 → ['zs']; a few variants for heteronyms."""
    options = [_char_initials(c) for c in name if not c.isspace()]
    variants = itertools.islice(itertools.product(*options), _MAX_VARIANTS)
    return ["".join(v) for v in variants]


def pinyin_loaded() -> bool:
    """Whether pypinyin's dictionaries are in memory (initials then cost nothing)."""
    return "pypinyin" in sys.modules


@lru_cache(maxsize=200_000)
def initials_text(name: str) -> str:
    """The searchable initials of one name, as they appear in a haystack."""
    return _SEPARATOR.join(initials(name))


def haystack(
    address_forms: Iterable[str],
    names: Iterable[str],
    phones: Iterable[str],
    *,
    with_initials: bool = True,
) -> str:
    parts: list[str] = [a.lower() for a in address_forms]
    for name in names:
        if name:
            parts.append(name.lower())
            if with_initials:
                parts.extend(initials(name))
    parts.extend(re.sub(r"\D", "", p) for p in phones if p)
    return _SEPARATOR.join(parts)


def initials_part(names: Iterable[str]) -> str:
    """What `add_initials` appends to a haystack built without initials."""
    return "".join(_SEPARATOR + text for n in names if n and (text := initials_text(n)))


def warm_up(names: Iterable[str]) -> None:
    """Load pypinyin and the initials of `names` (any thread; the caches are shared)."""
    for name in names:
        if name:
            initials_text(name)


def normalize_query(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).lower()
