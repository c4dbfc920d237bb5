"""`/oncall`: who is on call (everywhere, or for one service, team or schedule), and covers."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.blocks import Block

from blocks.notices import refusal
from blocks.oncall import cover_confirmation, cover_dm, detail_message, oncall_help
from blocks.oncall import overview_message as overview
from bot import commands
from bot.domain.errors import DomainError
from bot.domain.oncall import board, cover
from bot.registry import ListenerRegistry
from bot.slack_directory import profile_fetcher
from bot.slack_ops.context import SlackOps
from bot.slack_ops.home import refresh_homes
from handlers.common import actor

log = logging.getLogger("opsguard.oncall")


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    deps = ops.deps
    override_spec = commands.find("override", commands.ONCALL_SUBCOMMANDS)
    show_spec = commands.find("show", commands.ONCALL_SUBCOMMANDS)
    assert override_spec is not None and show_spec is not None

    async def answer(ack: AsyncAck, message: tuple[str, list[Block]]) -> None:
        text, blocks = message
        await ack(text=text, blocks=blocks, response_type="ephemeral")

    async def oncall_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        head, _, rest = command.get("text", "").strip().partition(" ")
        head, rest = head.lower(), rest.strip()
        if head == "override":
            await override(ack, rest, command["user_id"])
            return
        try:
            if head == "":
                message = overview(await board.board(deps.db, deps.clock, deps.config))
            elif head == "help":
                message = oncall_help()
            elif rest:
                message = refusal(f"Name one service, team or schedule. Usage: `{show_spec.usage}`")
            else:
                message = detail_message(
                    await board.describe(deps.db, deps.clock, deps.config, head)
                )
        except DomainError as exc:
            message = refusal(str(exc))
        await answer(ack, message)

    async def override(ack: AsyncAck, args: str, user: str) -> None:
        parsed = commands.parse_override(args)
        usage = f"Usage: `{override_spec.usage}`"
        if parsed is None:
            await answer(ack, refusal(f"Mention who covers, then for how long. {usage}"))
            return
        who = actor(ops, user)
        try:
            done = await cover.add_cover(
                deps.db,
                deps.clock,
                deps.config,
                profile_fetcher(ops.client),
                by=user,
                is_admin=who.is_admin,
                user=parsed.user,
                when=parsed.when,
                schedule=parsed.schedule,
            )
        except cover.BadCover as exc:
            await answer(ack, refusal(f"{exc} {usage}"))
            return
        except DomainError as exc:
            await answer(ack, refusal(str(exc)))
            return
        await answer(ack, cover_confirmation(done))
        log.info("%s put %s on call for %s until %s", user, done.user, done.schedule, done.end)
        if done.user != user:
            text, blocks = cover_dm(done)
            await ops.client.chat_postMessage(channel=done.user, text=text, blocks=blocks)
        await refresh_homes(ops, {done.user, *done.covering})

    registry.command(commands.ONCALL_COMMAND, oncall_command, name="oncall_command")
