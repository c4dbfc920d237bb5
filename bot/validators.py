"""Field types shared by every config model, each failing with a plain-words message."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, ValidationError

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
SLACK_USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


def matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


UserId = Annotated[str, matching(SLACK_USER_ID, "a Slack user ID (like U012ABCDEF)")]
UsergroupId = Annotated[
    str, matching(SLACK_USERGROUP_ID, "a Slack user group ID (like S012ABCDEF)")
]
Name = Annotated[str, matching(NAME, "a name (lowercase a-z, 0-9, - and _, at most 80)")]


def field_errors(exc: ValidationError) -> list[str]:
    """Pydantic's errors as `path.to.field: message` lines, for a 400 answer."""
    return [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()]
