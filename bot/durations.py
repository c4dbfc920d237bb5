"""Durations written the way people type them: 30s, 5m, 1h30m, 2d."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_PART = re.compile(r"(\d+)\s*([smhdw])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[smhdw]\s*)+$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """`1h30m` → 90 minutes. Raises ValueError with the accepted forms."""
    if not _WHOLE.match(text.lower()):
        raise ValueError(f"{text!r} is not a duration (use forms like 30s, 5m, 1h30m, 2d)")
    seconds = sum(int(n) * _UNIT[unit] for n, unit in _PART.findall(text.lower()))
    if seconds <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The inverse of parse_duration, largest units first: 5400 s → `1h30m`."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        count, seconds = divmod(seconds, _UNIT[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def _coerce(value: object) -> object:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    return value


Duration = Annotated[
    timedelta, BeforeValidator(_coerce), PlainSerializer(format_duration, return_type=str)
]
