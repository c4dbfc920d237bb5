"""Slack-style cursor pagination (opaque base64 cursors, ``response_metadata``)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from fakes.slack.args import Args
from fakes.slack.errors import SlackError
from fakes.slack.state import JSON

T = TypeVar("T")


def encode_cursor(kind: str, value: str) -> str:
    return base64.b64encode(f"{kind}:{value}".encode()).decode()


def decode_cursor(cursor: str, kind: str) -> str:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise SlackError("invalid_cursor") from exc
    prefix = f"{kind}:"
    if not text.startswith(prefix):
        raise SlackError("invalid_cursor")
    return text[len(prefix) :]


def limit_of(args: Args, default: int, maximum: int) -> int:
    limit = args.number("limit", default)
    if limit <= 0:
        limit = default
    return min(limit, maximum)


def page(items: Sequence[T], args: Args, *, default: int, maximum: int) -> tuple[list[T], JSON]:
    """A page of ``items`` by offset cursor, and its ``response_metadata``."""
    limit = limit_of(args, default, maximum)
    cursor = args.string("cursor")
    start = 0
    if cursor:
        raw = decode_cursor(cursor, "offset")
        if not raw.isdigit():
            raise SlackError("invalid_cursor")
        start = int(raw)
    chunk = list(items[start : start + limit])
    end = start + len(chunk)
    next_cursor = encode_cursor("offset", str(end)) if end < len(items) else ""
    return chunk, {"next_cursor": next_cursor}


def ts_key(ts: str) -> int:
    """A message ts (or a bare epoch) as integer microseconds, for ordering."""
    sec, _, frac = ts.strip().partition(".")
    try:
        return int(sec or "0") * 1_000_000 + int((frac + "000000")[:6] or "0")
    except ValueError as exc:
        raise SlackError("invalid_ts_latest") from exc
