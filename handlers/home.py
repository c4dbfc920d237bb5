"""App Home: published on app_home_opened."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from blocks.home import home_view
from bot.deps import Deps
from bot.domain.directory import lookup_user
from bot.registry import ListenerRegistry
from bot.slack_directory import profile_fetcher


def register(registry: ListenerRegistry, deps: Deps) -> None:
    async def app_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = await lookup_user(deps.db, deps.clock, profile_fetcher(client), event["user"])
        await client.views_publish(user_id=user.id, view=home_view(user.name, user.tz))

    registry.event("app_home_opened", app_home_opened, name="app_home_opened")
