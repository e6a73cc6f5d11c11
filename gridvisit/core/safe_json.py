"""The one JSON reader for anything that came from a file or another computer
(packages, key files, public keys, the login throttle file).

`json.loads` alone lets hostile input crash or stall the reader: deep nesting raises
RecursionError (not a ValueError, so it escapes the usual handlers), an integer of
more than 4,300 digits raises a ValueError that is not a JSONDecodeError, and NaN or
Infinity are accepted. Here every one of those is an `UnsafeJSONError`, which is a
ValueError: callers catch ValueError and say the file is damaged. Sizes are bounded
by the callers, which read at most so many bytes (core.files.read_limited).
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32  # our documents nest three or four levels deep
MAX_NUMBER_DIGITS = 32  # ids, versions and counts fit in 19

# Strings (whose brackets do not count) and brackets, for the depth check.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class UnsafeJSONError(ValueError):
    """JSON that is malformed, nested too deep, or holds numbers out of range."""


def _depth_ok(text: str, limit: int) -> bool:
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return False
        elif token in "]}":
            depth -= 1
    return True


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise UnsafeJSONError(f"number with {len(text)} digits")
    return int(text)


def _float(text: str) -> float:
    if len(text) > 64:
        raise UnsafeJSONError(f"number written with {len(text)} characters")
    return float(text)


def _constant(name: str) -> Any:
    raise UnsafeJSONError(f"{name} is not JSON")


# One decoder, made once: json.loads with hooks would build a new one per call.
_DECODER = json.JSONDecoder(parse_int=_integer, parse_float=_float, parse_constant=_constant)


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text from outside; UnsafeJSONError (a ValueError) on anything wrong."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    except UnicodeDecodeError as exc:
        raise UnsafeJSONError("not UTF-8") from exc
    # Counting brackets is cheap; tokenising is only needed when there are enough of
    # them to nest too deep (never for a record line).
    if text.count("[") + text.count("{") > max_depth and not _depth_ok(text, max_depth):
        raise UnsafeJSONError(f"nested deeper than {max_depth} levels")
    try:
        return _DECODER.decode(text)
    except UnsafeJSONError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise UnsafeJSONError(str(exc)[:200]) from None
