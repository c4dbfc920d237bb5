"""Escaping for Slack mrkdwn, so user text can never become a mention or a link."""

from __future__ import annotations

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Slack's three control characters, escaped: `<!channel>` stays literal text."""
    return text.translate(_ESCAPES)
