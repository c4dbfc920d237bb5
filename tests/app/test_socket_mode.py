"""Socket Mode: a slash command end to end over the fake Slack's websocket."""

from __future__ import annotations

import json

from bot.config import OpsConfig
from bot.runtime import OpsGuard
from fakes.driver import SlackDriver
from fakes.slack import Channel, FakeSlack, User
from tests.conftest import make_settings


async def test_slash_command_over_socket_mode(
    slack: FakeSlack, database_url: str, config: OpsConfig, alice: User, general: Channel
) -> None:
    settings = make_settings(
        slack_bot_token=slack.bot_token,
        slack_app_token=slack.app_token,
        slack_api_url=slack.api_url,
        database_url=database_url,
    )
    guard = OpsGuard(settings, config)
    await guard.start(host="127.0.0.1", port=0)
    try:
        await slack.wait_for_socket(timeout=5)
        assert slack.calls_to("apps.connections.open")
        async with SlackDriver(slack, app_url="", signing_secret="", transport="socket") as d:
            response = await d.command("/incident", "help", user=alice.id, channel=general.id)
        assert response.json is not None
        assert response.json["response_type"] == "ephemeral"
        assert "/incident help" in json.dumps(response.json["blocks"])
    finally:
        await guard.stop()


async def test_http_mode_does_not_serve_slack_events_in_socket_mode(
    slack: FakeSlack, database_url: str, config: OpsConfig
) -> None:
    import aiohttp

    settings = make_settings(
        slack_bot_token=slack.bot_token,
        slack_app_token=slack.app_token,
        slack_api_url=slack.api_url,
        database_url=database_url,
    )
    guard = OpsGuard(settings, config)
    await guard.start(host="127.0.0.1", port=0)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{guard.url}/slack/events", data=b"x") as response:
                assert response.status == 404
            async with http.get(f"{guard.url}/healthz") as response:
                assert response.status == 200
    finally:
        await guard.stop()
