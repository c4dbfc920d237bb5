"""The buttons on a page DM: Acknowledge, Escalate now, Resolve."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from blocks.ids import ActionId
from bot.domain import lifecycle
from bot.domain.errors import DomainError
from bot.domain.paging import engine
from bot.registry import ListenerRegistry
from bot.slack_ops import paging
from bot.slack_ops.context import SlackOps
from bot.slack_ops.effects import after_change
from handlers.common import actor, incident_by_id, tell


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    deps = ops.deps

    async def page_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user = body["user"]["id"]
        who = actor(ops, user)
        try:
            incident = await incident_by_id(ops, action["value"], user)
            assert incident.id is not None
            kind = action["action_id"]
            if kind == ActionId.PAGE_ACKNOWLEDGE:
                change = await lifecycle.acknowledge(
                    deps.db, deps.clock, deps.config, incident.id, who
                )
                await after_change(
                    ops, change, actor=user, update_text=f"Acknowledged by <@{user}>."
                )
                await tell(client, body, f"Acknowledged INC-{incident.number}. Paging stopped.")
            elif kind == ActionId.PAGE_ESCALATE:
                run = await engine.escalate_now(deps.db, deps.clock, deps.config, incident.id)
                await paging.after_steps(ops, [run])
                await tell(client, body, f"Escalated INC-{incident.number} to the next step.")
            else:
                change = await lifecycle.resolve(deps.db, deps.clock, deps.config, incident.id, who)
                await after_change(ops, change, actor=user, update_text="Resolved.")
        except DomainError as exc:
            await tell(client, body, str(exc))

    for action_id in (ActionId.PAGE_ACKNOWLEDGE, ActionId.PAGE_ESCALATE, ActionId.PAGE_RESOLVE):
        registry.action(action_id, page_button, name=f"button_{action_id}")
