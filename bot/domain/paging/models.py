"""Config models for teams and escalation policies (`teams:`, `escalation_policies:`)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from bot.durations import Duration

USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
USERGROUP = re.compile(r"^S[A-Z0-9]{2,}$")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


def _matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


UserId = Annotated[str, _matching(USER, "a Slack user ID (like U012ABCDEF)")]
UsergroupId = Annotated[str, _matching(USERGROUP, "a Slack user group ID (like S012ABCDEF)")]
Name = Annotated[str, _matching(NAME, "a name (lowercase a-z, 0-9, - and _)")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Team(_Strict):
    name: Name
    members: tuple[UserId, ...] = Field(min_length=1)
    usergroup: UsergroupId | None = None


class Target(_Strict):
    """Exactly one of user, team, schedule or usergroup."""

    user: UserId | None = None
    team: Name | None = None
    mode: Literal["all", "round_robin"] = "all"
    schedule: Name | None = None
    usergroup: UsergroupId | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        given = [k for k in ("user", "team", "schedule", "usergroup") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("a target names exactly one of user, team, schedule or usergroup")
        if self.mode == "round_robin" and not self.team:
            raise ValueError("mode: round_robin only applies to a team")
        return self


class Step(_Strict):
    targets: tuple[Target, ...] = Field(min_length=1)
    delay: Duration


class Policy(_Strict):
    name: Name
    steps: tuple[Step, ...] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0, le=5)
    ack_timeout: Duration | None = None
