"""War-room channel names: `inc-<number>-<slug>`, legal for Slack and readable."""

from __future__ import annotations

import re
import unicodedata

MAX_CHANNEL_NAME = 80
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")
# Letters NFKD cannot take apart into ASCII.
_SPECIAL = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"}
)


def slugify(title: str) -> str:
    """Lowercase ASCII with only a-z, 0-9 and single hyphens; accents are transliterated."""
    decomposed = unicodedata.normalize("NFKD", title.lower().translate(_SPECIAL))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NOT_ALLOWED.sub("-", ascii_only).strip("-")


def channel_name(number: int, title: str, *, attempt: int = 0) -> str:
    """The attempt-th candidate: a `-2`, `-3`, … suffix after `name_taken`, kept under 80."""
    prefix = f"inc-{number}"
    suffix = f"-{attempt + 1}" if attempt else ""
    room = MAX_CHANNEL_NAME - len(prefix) - len(suffix) - 1
    slug = slugify(title)[:room].rstrip("-") if room > 0 else ""
    return f"{prefix}-{slug}{suffix}" if slug else f"{prefix}{suffix}"
