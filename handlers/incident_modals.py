"""Modal submissions and the declare shortcuts."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.declare import declare_modal
from blocks.ids import BlockId, CallbackId
from bot.domain import lifecycle
from bot.domain.errors import DomainError
from bot.registry import ListenerRegistry
from bot.slack_ops.context import SlackOps
from bot.slack_ops.effects import after_change
from handlers.common import actor, incident_by_id, tell
from handlers.incident_command import announce_declared
from storage.models import IncidentStatus


def field(view: dict[str, Any], block: BlockId) -> Any:
    """The submitted value of one input, whatever its element type."""
    value = view["state"]["values"].get(block, {}).get(block, {})
    for key in ("value", "selected_user"):
        if key in value:
            return value[key]
    if "selected_option" in value:
        return (value["selected_option"] or {}).get("value")
    if "selected_options" in value:
        return [o["value"] for o in value["selected_options"]]
    return None


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    deps = ops.deps

    async def declared(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        try:
            incident = await lifecycle.declare(
                deps.db,
                deps.clock,
                deps.config,
                title=field(view, BlockId.DECLARE_TITLE) or "",
                declared_by=user,
                severity=field(view, BlockId.DECLARE_SEVERITY) or "SEV3",
                service=field(view, BlockId.DECLARE_SERVICE),
                description=field(view, BlockId.DECLARE_DESCRIPTION) or "",
                private="private" in (field(view, BlockId.DECLARE_PRIVATE) or []),
                commander=field(view, BlockId.DECLARE_COMMANDER) or user,
            )
        except DomainError as exc:
            await ack(response_action="errors", errors={BlockId.DECLARE_TITLE: str(exc)[:150]})
            return
        await ack()
        await announce_declared(ops, None, incident, user)

    async def changed(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user = body["user"]["id"]
        who = actor(ops, user)
        db, clock, config = deps.db, deps.clock, deps.config
        callback = view["callback_id"]
        try:
            incident = await incident_by_id(ops, view["private_metadata"], user)
            assert incident.id is not None
            update = None
            if callback == CallbackId.STATUS_MODAL:
                status = IncidentStatus(field(view, BlockId.STATUS_SELECT))
                update = (field(view, BlockId.STATUS_MESSAGE) or "").strip()
                change = await lifecycle.set_status(
                    db, clock, config, incident.id, who, status, update
                )
                update = update or f"Status is now {status.value}."
            elif callback == CallbackId.ROLE_MODAL:
                change = await lifecycle.assign_role(
                    db,
                    clock,
                    config,
                    incident.id,
                    who,
                    field(view, BlockId.ROLE_SELECT),
                    field(view, BlockId.ROLE_USER),
                )
            elif callback == CallbackId.TASK_MODAL:
                change = await lifecycle.add_task(
                    db,
                    clock,
                    incident.id,
                    who,
                    field(view, BlockId.TASK_TEXT) or "",
                    field(view, BlockId.TASK_ASSIGNEE),
                )
            else:
                update = (field(view, BlockId.RESOLVE_SUMMARY) or "").strip()
                change = await lifecycle.resolve(db, clock, config, incident.id, who, update)
                update = update or "Resolved."
        except DomainError as exc:
            await ack()
            await tell(client, body, str(exc))
            return
        await ack()
        await after_change(ops, change, actor=user, update_text=update)

    async def shortcut(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user = body["user"]["id"]
        description, source = "", None
        if body.get("type") == "message_action":
            message, channel = body["message"], body["channel"]["id"]
            description = message.get("text", "")
            try:
                link = await client.chat_getPermalink(channel=channel, message_ts=message["ts"])
            except SlackApiError:
                link = None  # a DM or private channel OpsGuard is not in: no link, still declare
            if link is not None:
                source = link["permalink"]
                description += f"\n\nFrom: {source}"
        view = declare_modal(
            deps.config, commander=user, description=description, source_url=source
        )
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    registry.view(CallbackId.DECLARE_MODAL, declared, name="declare_modal")
    for callback in (
        CallbackId.STATUS_MODAL,
        CallbackId.ROLE_MODAL,
        CallbackId.TASK_MODAL,
        CallbackId.RESOLVE_MODAL,
    ):
        registry.view(callback, changed, name=f"modal_{callback}")
    registry.global_shortcut(CallbackId.DECLARE_SHORTCUT, shortcut, name="declare_shortcut")
    registry.message_shortcut(
        CallbackId.DECLARE_FROM_MESSAGE, shortcut, name="declare_from_message"
    )
