"""`/incident`: parse the text, answer in the ack (ephemeral, no extra API call)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from blocks.help import help_message, usage_message
from bot import commands
from bot.deps import Deps
from bot.registry import ListenerRegistry


def register(registry: ListenerRegistry, deps: Deps) -> None:
    async def incident_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        parsed = commands.parse(command.get("text", ""))
        if parsed.subcommand in ("", "help"):
            text, blocks = help_message()
        else:
            text, blocks = usage_message(parsed.subcommand, commands.INCIDENT_SUBCOMMANDS)
        await ack(text=text, blocks=blocks, response_type="ephemeral")

    registry.command(commands.INCIDENT_COMMAND, incident_command, name="incident_command")
