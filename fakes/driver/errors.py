"""Errors raised by :mod:`fakes.driver` (never by the app under test)."""

from __future__ import annotations


class SlackDriverError(Exception):
    """The driver cannot send what was asked, because Slack could not have sent it either."""


class ElementNotFoundError(SlackDriverError, LookupError):
    """No interactive element with the requested ``action_id`` is visible where we looked."""

    def __init__(self, message: str, *, seen: list[str]) -> None:
        super().__init__(message)
        self.seen = seen
