"""`/incident page`: page a person, a team, a schedule or a service's on-call by hand.

The pages go through the same outbox as the engine's. Each manual page gets a loop number of
its own below zero (the engine counts its passes from zero up), so its rows can never collide
with an escalation step's under the outbox's unique key (incident, loop, step, user).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from bot.clock import Clock
from bot.config import OpsConfig
from bot.domain.errors import DomainError, NotFound
from bot.domain.lifecycle import Actor, _for_change
from bot.domain.oncall.board import valid_names
from bot.domain.paging.engine import _recipients
from bot.domain.paging.models import Step, Target
from storage.db import Database
from storage.models import (
    Incident,
    IncidentMember,
    IncidentStatus,
    Page,
    TimelineEntry,
)

VIA = "manual"


@dataclass(frozen=True)
class ManualPage:
    incident: Incident
    users: tuple[str, ...]
    loop: int


def step_for(config: OpsConfig, user: str | None, name: str) -> tuple[Step, str]:
    """The targets a page reaches, and how to name them: a mentioned user, or a service
    (its policy's first step), a team (every member) or a schedule (whoever is on call)."""
    if user is not None:
        return _step(Target(user=user)), f"<@{user}>"
    name = name.lower()
    if (service := config.service(name)) is not None:
        policy = config.policy(service.escalation_policy) if service.escalation_policy else None
        if policy is None:
            raise DomainError(
                f"Service {name} has no escalation policy, so nobody is on call for it. "
                "Page a person or a team instead."
            )
        return policy.steps[0], f"service {name}"
    if config.team(name) is not None:
        return _step(Target(team=name)), f"team {name}"
    if config.schedule(name) is not None:
        return _step(Target(schedule=name)), f"schedule {name}"
    raise NotFound(f"Unknown service, team or schedule “{name}”. {valid_names(config)}")


async def page(
    db: Database,
    clock: Clock,
    config: OpsConfig,
    incident_id: int,
    actor: Actor,
    *,
    user: str | None = None,
    name: str = "",
) -> ManualPage:
    step, what = step_for(config, user, name)
    now = clock.now()
    async with db.transaction() as session:
        incident = await _for_change(session, incident_id, actor)
        if incident.status == IncidentStatus.RESOLVED:
            raise DomainError(f"INC-{incident.number} is resolved. Reopen it to page anyone.")
        gaps: list[str] = []
        found = [u for u, _ in await _recipients(session, config, step, now, gaps)]
        if not found:
            gap = f" (a gap in {', '.join(gaps)})" if gaps else ""
            raise DomainError(
                f"Nobody is on call for {what} right now{gap}. Page a person or a team instead."
            )
        lowest = (
            await session.exec(select(func.min(Page.loop)).where(Page.incident_id == incident_id))
        ).one()
        loop = min(lowest or 0, 0) - 1
        for recipient in found:
            session.add(
                Page(
                    incident_id=incident_id,
                    loop=loop,
                    step=0,
                    user_id=recipient,
                    via=VIA,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            if await session.get(IncidentMember, (incident_id, recipient)) is None:
                session.add(
                    IncidentMember(
                        incident_id=incident_id, user_id=recipient, reason="paged", added_at=now
                    )
                )
        who = ", ".join(f"<@{u}>" for u in found)
        session.add(
            TimelineEntry(
                incident_id=incident_id,
                kind="page",
                occurred_at=now,
                actor=actor.user_id,
                text=f"Paged {who} by hand ({what})" if user is None else f"Paged {who} by hand",
                created_at=now,
            )
        )
    return ManualPage(incident, tuple(found), loop)


def _step(target: Target) -> Step:
    return Step(targets=(target,), delay=timedelta(0))
