"""What every incident listener does first: who is acting, and on which incident."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from blocks.notices import notice, refusal
from bot.domain import lifecycle
from bot.domain.errors import DomainError, NotFound
from bot.domain.lifecycle import Actor
from bot.slack_ops.context import SlackOps
from storage.models import Incident


def actor(ops: SlackOps, user_id: str) -> Actor:
    return Actor(user_id=user_id, is_admin=user_id in ops.deps.settings.admin_user_ids)


async def incident_for(
    ops: SlackOps, *, number: int | None, channel_id: str | None, user_id: str
) -> Incident:
    """`#12` wins; otherwise the war room the command was typed in (looked up in storage)."""
    db = ops.deps.db
    if number is not None:
        incident = await lifecycle.find_by_number(db, number)
        if incident is None:
            raise NotFound(f"There is no incident #{number}.")
    else:
        incident = await lifecycle.find_by_channel(db, channel_id) if channel_id else None
        if incident is None:
            raise DomainError(
                "This channel is not an incident's war room. Name the incident, "
                "e.g. `/incident status #12 monitoring`."
            )
    await lifecycle.check_can_see(db, incident, actor(ops, user_id))
    return incident


async def incident_by_id(ops: SlackOps, value: str, user_id: str) -> Incident:
    """A button's or modal's incident id, with the same visibility check as commands."""
    try:
        incident = await lifecycle.get_incident(ops.deps.db, int(value))
    except ValueError:
        raise NotFound("That button no longer points at an incident.") from None
    await lifecycle.check_can_see(ops.deps.db, incident, actor(ops, user_id))
    return incident


async def tell(
    client: AsyncWebClient, body: dict[str, Any], message: str, *, refused: bool = True
) -> None:
    """An ephemeral answer to a click, wherever the click came from."""
    text, blocks = refusal(message) if refused else notice(message)
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if channel:
        await client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
    elif user:
        await client.chat_postMessage(channel=user, text=text, blocks=blocks)


def opens_modal(
    ops: SlackOps, open_for: Callable[[str, Incident], Awaitable[None]]
) -> Callable[..., Awaitable[None]]:
    """A button whose value is an incident id and which opens a modal about it (given the
    trigger id); a button that points nowhere any more gets a private answer instead."""

    async def clicked(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        try:
            incident = await incident_by_id(ops, action["value"], body["user"]["id"])
        except DomainError as exc:
            await tell(client, body, str(exc))
            return
        await open_for(body["trigger_id"], incident)

    return clicked
