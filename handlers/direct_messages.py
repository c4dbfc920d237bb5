"""DMs to the bot: `help` answers with the same grammar as `/incident help`."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from blocks.help import help_message
from bot.registry import ListenerRegistry
from bot.slack_ops.context import SlackOps


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    async def direct_message(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("bot_id") or event.get("subtype"):
            return
        if event.get("text", "").strip().lower().lstrip("/") not in ("help", "incident help"):
            return
        text, blocks = help_message()
        await client.chat_postMessage(channel=event["channel"], text=text, blocks=blocks)

    registry.direct_message(direct_message, name="direct_message")
