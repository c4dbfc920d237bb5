"""The "Add to incident timeline" message shortcut: in a war room it captures at once;
elsewhere it asks which open incident the message belongs to."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from blocks.ids import BlockId, CallbackId
from blocks.timeline import pick_incident_modal
from bot.domain import lifecycle, timeline
from bot.domain.errors import DomainError
from bot.registry import ListenerRegistry
from bot.slack_ops import timeline as slack_timeline
from bot.slack_ops.context import SlackOps
from bot.slack_ops.sync import refresh
from handlers.common import actor, incident_by_id, tell
from handlers.incident_modals import field
from storage.models import Incident


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    deps = ops.deps

    async def from_message(ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        channel = shortcut["channel"]["id"]
        user = shortcut["user"]["id"]
        message = dict(shortcut["message"])
        incident = await lifecycle.find_by_channel(deps.db, channel)
        if incident is not None:
            await add_message(client, shortcut, incident, channel, message)
            return
        incidents = await timeline.open_incidents(deps.db, actor(ops, user))
        if not incidents:
            await tell(client, shortcut, "There is no open incident to add this message to.")
            return
        keep = {"channel": channel, "ts": message["ts"], "user": message.get("user") or ""}
        view = pick_incident_modal(incidents, keep, message.get("text") or "")
        await client.views_open(trigger_id=shortcut["trigger_id"], view=view)

    async def picked(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await ack()
        kept = json.loads(view["private_metadata"])
        user = body["user"]["id"]
        try:
            incident = await incident_by_id(ops, field(view, BlockId.TIMELINE_PICK_INCIDENT), user)
        except DomainError as exc:
            await ops.client.chat_postMessage(channel=user, text=str(exc))
            return
        message = await slack_timeline.read_message(ops, kept["channel"], kept["ts"])
        await add_message(ops.client, body, incident, kept["channel"], message or kept)

    async def add_message(
        client: AsyncWebClient,
        body: dict[str, Any],
        incident: Incident,
        channel: str,
        message: dict[str, Any],
    ) -> None:
        user = body["user"]["id"]
        assert incident.id is not None
        try:
            await lifecycle.check_can_change(deps.db, incident, actor(ops, user))
        except DomainError as exc:
            await tell(client, body, str(exc))
            return
        captured = await slack_timeline.captured(ops, channel, message)
        source = timeline.shortcut_source(user)
        await timeline.capture(deps.db, deps.clock, incident.id, captured, source)
        done = f"Added that message to INC-{incident.number}'s timeline."
        await tell(client, body, done, refused=False)
        await refresh(ops, incident.id)

    registry.message_shortcut(
        CallbackId.TIMELINE_FROM_MESSAGE, from_message, name="timeline_from_message"
    )
    registry.view(CallbackId.TIMELINE_PICK_MODAL, picked, name="timeline_pick_incident")
