"""`/incident timeline`, the "Add to incident timeline" shortcut and the timeline modal."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from blocks.ids import ActionId
from blocks.notices import notice, refusal
from blocks.timeline import timeline_modal
from bot import commands
from bot.domain import timeline
from bot.domain.directory import lookup_user
from bot.domain.errors import DomainError
from bot.registry import ListenerRegistry
from bot.slack_directory import profile_fetcher
from bot.slack_ops.context import SlackOps
from bot.slack_ops.sync import refresh
from handlers.common import actor, incident_by_id, incident_for, opens_modal
from storage.models import Incident

LAST_PAGE = 1_000_000  # clamped by the domain: open on the newest entries


def subcommand(ops: SlackOps) -> Any:
    deps = ops.deps
    usage = commands.find("timeline")
    assert usage is not None

    async def run(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any], args: str) -> None:
        user = command["user_id"]
        number, rest = commands.take_number(args)
        try:
            incident = await incident_for(
                ops, number=number, channel_id=command.get("channel_id"), user_id=user
            )
            assert incident.id is not None
            if not rest:
                await ack()
                await show(ops, command["trigger_id"], incident, LAST_PAGE)
                return
            text, at = commands.split_trailing_time(rest)
            when = None
            if at is not None:
                profile = await lookup_user(deps.db, deps.clock, profile_fetcher(ops.client), user)
                when = timeline.last_wall_time(deps.clock.now(), at, profile.tz)
            await timeline.add_note(deps.db, deps.clock, incident, actor(ops, user), text, when)
        except DomainError as exc:
            text, blocks = refusal(f"{exc} Usage: `{usage.usage}`")
            await ack(text=text, blocks=blocks, response_type="ephemeral")
            return
        text, blocks = notice(f"Added to INC-{incident.number}'s timeline.")
        await ack(text=text, blocks=blocks, response_type="ephemeral")
        await refresh(ops, incident.id)

    return run


async def show(ops: SlackOps, trigger_id: str, incident: Incident, page: int) -> None:
    assert incident.id is not None
    entries = await timeline.page_of(ops.deps.db, incident.id, page)
    await ops.client.views_open(trigger_id=trigger_id, view=timeline_modal(incident, entries))


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    deps = ops.deps

    async def in_modal(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """The pager and each entry's menu: act, then redraw the same modal in place."""
        await ack()
        view = body["view"]
        where = json.loads(view["private_metadata"])
        user = body["user"]["id"]
        page = where["page"]
        try:
            incident = await incident_by_id(ops, str(where["incident_id"]), user)
            assert incident.id is not None
            if action["action_id"] == ActionId.TIMELINE_PAGE:
                page = int(action["value"])
            else:
                verb, _, entry_id = action["selected_option"]["value"].partition(":")
                who = actor(ops, user)
                if verb == "delete":
                    await timeline.delete(deps.db, incident, who, int(entry_id))
                else:
                    await timeline.set_hidden(deps.db, incident, who, int(entry_id), verb == "hide")
        except DomainError as exc:
            await client.chat_postMessage(channel=user, text=str(exc))
            return
        entries = await timeline.page_of(deps.db, incident.id, page)
        await client.views_update(
            view_id=view["id"], hash=view["hash"], view=timeline_modal(incident, entries)
        )
        if action["action_id"] != ActionId.TIMELINE_PAGE:
            await refresh(ops, incident.id)

    registry.action(
        ActionId.OPEN_TIMELINE,
        opens_modal(ops, lambda trigger, incident: show(ops, trigger, incident, LAST_PAGE)),
        name="button_open_timeline",
    )
    registry.action(ActionId.TIMELINE_PAGE, in_modal, name="timeline_page")
    registry.action(ActionId.TIMELINE_ENTRY_MENU, in_modal, name="timeline_entry_menu")
