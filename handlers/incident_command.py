"""`/incident`: parse the text, answer in the ack (ephemeral, no extra API call)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from blocks.help import help_message, usage_message
from bot import commands
from bot.deps import Deps
from bot.registry import ListenerRegistry


def register(registry: ListenerRegistry, deps: Deps) -> None:
    # The help text is static: render (and validate) it once, not on every request.
    help_text, help_blocks = help_message()
    help_dicts = [block.to_dict() for block in help_blocks]

    async def incident_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        parsed = commands.parse(command.get("text", ""))
        if parsed.subcommand in ("", "help"):
            await ack(text=help_text, blocks=help_dicts, response_type="ephemeral")
            return
        text, blocks = usage_message(parsed.subcommand, commands.INCIDENT_SUBCOMMANDS)
        await ack(text=text, blocks=blocks, response_type="ephemeral")

    registry.command(commands.INCIDENT_COMMAND, incident_command, name="incident_command")
