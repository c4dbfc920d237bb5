"""People who join a war room become the incident's participants."""

from __future__ import annotations

from typing import Any

from bot.domain import lifecycle
from bot.registry import ListenerRegistry
from bot.slack_ops.context import SlackOps


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    async def member_joined_channel(event: dict[str, Any]) -> None:
        incident = await lifecycle.find_by_channel(ops.deps.db, event["channel"])
        if incident is not None and incident.id is not None:
            await lifecycle.add_members(
                ops.deps.db, ops.deps.clock, incident.id, [event["user"]], "joined"
            )

    registry.event("member_joined_channel", member_joined_channel, name="member_joined_channel")
