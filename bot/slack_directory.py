"""Adapts Slack's users.info to the directory's Profile, keeping Slack out of the domain."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.directory import FetchProfile, Profile


def profile_fetcher(client: AsyncWebClient) -> FetchProfile:
    async def fetch(user_id: str) -> Profile:
        user = (await client.users_info(user=user_id))["user"]
        profile = user.get("profile", {})
        return Profile(
            id=user["id"],
            name=profile.get("display_name") or user.get("real_name") or user["name"],
            real_name=user.get("real_name") or profile.get("real_name", ""),
            email=profile.get("email"),
            tz=user.get("tz") or "UTC",
            is_admin=bool(user.get("is_admin")),
            deleted=bool(user.get("deleted")),
        )

    return fetch
