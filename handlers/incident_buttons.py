"""Buttons on the command center, the card, nudges, DMs and the App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from blocks.declare import declare_modal
from blocks.ids import ActionId
from blocks.incident_modals import resolve_modal, role_modal, status_modal, task_modal
from bot.domain import lifecycle
from bot.domain.errors import DomainError
from bot.registry import ListenerRegistry
from bot.slack_ops.context import SlackOps
from bot.slack_ops.effects import after_change
from bot.slack_ops.war_room import open_war_room
from handlers.common import actor, incident_by_id, tell

MODALS = {
    ActionId.UPDATE_STATUS: status_modal,
    ActionId.POST_UPDATE: status_modal,
    ActionId.ADD_TASK: task_modal,
    ActionId.RESOLVE: resolve_modal,
}


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    deps = ops.deps

    async def open_modal(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user = body["user"]["id"]
        try:
            incident = await incident_by_id(ops, action["value"], user)
        except DomainError as exc:
            await tell(client, body, str(exc))
            return
        if action["action_id"] == ActionId.ASSIGN_ROLE:
            view = role_modal(incident, deps.config)
        else:
            view = MODALS[ActionId(action["action_id"])](incident)
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    async def act(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        user = body["user"]["id"]
        who = actor(ops, user)
        db, clock, config = deps.db, deps.clock, deps.config
        kind = ActionId(action["action_id"])
        try:
            if kind == ActionId.COMPLETE_TASK:
                change = await lifecycle.complete_task(db, clock, int(action["value"]), who)
                await after_change(ops, change, actor=user)
                return
            incident_value, _, role = action["value"].partition(":")
            incident = await incident_by_id(ops, incident_value, user)
            assert incident.id is not None
            if kind == ActionId.ACKNOWLEDGE:
                change = await lifecycle.acknowledge(db, clock, config, incident.id, who)
                await after_change(ops, change, actor=user, update_text="Acknowledged.")
            elif kind == ActionId.TAKE_ROLE:
                change = await lifecycle.assign_role(
                    db, clock, config, incident.id, who, role, user
                )
                await after_change(ops, change, actor=user)
            elif kind == ActionId.SNOOZE:
                snoozed = await lifecycle.snooze_nudge(db, clock, config, incident.id, who)
                ops.hint(snoozed.next_nudge_at)
                await tell(
                    client,
                    body,
                    "Snoozed: I'll remind you again in "
                    f"{config.lifecycle.snooze.total_seconds() / 60:.0f} minutes.",
                    refused=False,
                )
            elif kind == ActionId.OPEN_WAR_ROOM:
                await lifecycle.add_members(db, clock, incident.id, [user], "opener")
                room = await open_war_room(ops, incident.id, actor=user)
                if room.problem:
                    await tell(client, body, f"The war room could not be created ({room.problem}).")
        except DomainError as exc:
            await tell(client, body, str(exc))

    async def declare(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = declare_modal(deps.config, commander=body["user"]["id"])
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    for action_id in (*MODALS, ActionId.ASSIGN_ROLE):
        registry.action(action_id, open_modal, name=f"button_{action_id}")
    for action_id in (
        ActionId.ACKNOWLEDGE,
        ActionId.TAKE_ROLE,
        ActionId.COMPLETE_TASK,
        ActionId.SNOOZE,
        ActionId.OPEN_WAR_ROOM,
    ):
        registry.action(action_id, act, name=f"button_{action_id}")
    registry.action(ActionId.DECLARE, declare, name="button_declare")
