"""`/incident page <@user|team|service> [#<number>]`: page by hand through the page outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks.notices import refusal
from blocks.oncall import page_confirmation
from bot import commands
from bot.domain.errors import DomainError
from bot.domain.lifecycle import Change
from bot.domain.paging import manual
from bot.slack_ops import paging
from bot.slack_ops.context import SlackOps
from bot.slack_ops.effects import after_change
from handlers.common import actor, incident_for

Subcommand = Callable[[AsyncAck, AsyncRespond, dict[str, Any], str], Awaitable[None]]


def subcommand(ops: SlackOps) -> Subcommand:
    deps = ops.deps
    spec = commands.find("page")
    assert spec is not None

    async def page(ack: AsyncAck, _: AsyncRespond, command: dict[str, Any], args: str) -> None:
        user = command["user_id"]
        # `#12` may come first, like the other subcommands, or last, as the usage shows.
        number, rest = commands.take_number(args)
        if number is None:
            number, rest = commands.take_trailing_number(rest)
        if not rest or len(rest.split()) != 1:
            text, blocks = refusal(f"Name one person, team or service. Usage: `{spec.usage}`")
            await ack(text=text, blocks=blocks, response_type="ephemeral")
            return
        try:
            incident = await incident_for(
                ops, number=number, channel_id=command.get("channel_id"), user_id=user
            )
            assert incident.id is not None
            done = await manual.page(
                deps.db,
                deps.clock,
                deps.config,
                incident.id,
                actor(ops, user),
                user=commands.mention(rest),
                name=rest,
            )
        except DomainError as exc:
            text, blocks = refusal(str(exc))
            await ack(text=text, blocks=blocks, response_type="ephemeral")
            return
        text, blocks = page_confirmation(done)
        await ack(text=text, blocks=blocks, response_type="ephemeral")
        await paging.deliver_pending(ops)
        await after_change(ops, Change(done.incident), actor=user)

    return page
