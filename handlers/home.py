"""App Home: published on app_home_opened."""

from __future__ import annotations

from typing import Any

from bot.registry import ListenerRegistry
from bot.slack_ops.context import SlackOps
from bot.slack_ops.home import publish_home


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    async def app_home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            await publish_home(ops, event["user"])

    registry.event("app_home_opened", app_home_opened, name="app_home_opened")
