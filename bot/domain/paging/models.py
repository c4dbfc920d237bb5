"""Config models for teams and escalation policies (`teams:`, `escalation_policies:`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.durations import Duration
from bot.validators import Name, UsergroupId, UserId


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
