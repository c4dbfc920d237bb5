"""`opsguard demo`: OpsGuard against the built-in fake Slack, narrated step by step."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import OpsConfig
from bot.runtime import OpsGuard
from bot.settings import Settings
from fakes.driver import SlackDriver
from fakes.slack import FakeSlack

SECRET = "demo-signing-secret"


class Transcript:
    def __init__(self, out: TextIO, slack: FakeSlack) -> None:
        self.out = out
        self.slack = slack
        self._seen = len(slack.calls)

    def say(self, line: str = "") -> None:
        print(line, file=self.out, flush=True)

    def step(self, title: str) -> None:
        self.say()
        self.say(f"▸ {title}")

    def api_calls(self) -> None:
        """Every Web API call the bot made since the last step."""
        for call in self.slack.calls[self._seen :]:
            outcome = "ok" if call.ok else f"error: {call.response.get('error')}"
            self.say(f"    → Slack API {call.method} ({outcome})")
        self._seen = len(self.slack.calls)

    def blocks(self, heading: str, blocks: list[dict[str, Any]]) -> None:
        self.say(f"    ← {heading}")
        for line in _plain_lines(blocks):
            self.say(f"        {line}")


def _plain_lines(blocks: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        texts = [block.get("text"), *(block.get("elements") or []), *(block.get("fields") or [])]
        for text in texts:
            if isinstance(text, dict) and isinstance(text.get("text"), str):
                lines += text["text"].splitlines()
    return [line for line in lines if line.strip()]


async def run_demo(out: TextIO) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    async with FakeSlack() as slack:
        alice = slack.add_user("alice", real_name="Alice Liddell", tz="Europe/Berlin")
        general = slack.add_channel("general", members=[alice.id])
        bot_client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        dm = (await bot_client.conversations_open(users=alice.id))["channel"]["id"]
        transcript = Transcript(out, slack)
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                slack_bot_token=slack.bot_token,
                slack_signing_secret=SECRET,
                slack_api_url=slack.api_url,
                database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}",
            )
            transcript.say("OpsGuard demo: a fake Slack workspace on loopback, a fresh SQLite")
            transcript.say(f"database, no credentials. Fake Slack API: {slack.api_url}")
            transcript.step("OpsGuard starts: migrates the database and checks its token")
            guard = OpsGuard(settings, OpsConfig())
            identity = await guard.start(host="127.0.0.1", port=0)
            transcript.api_calls()
            transcript.say(f"    connected as @{identity.user} in {identity.team}")
            try:
                async with SlackDriver(
                    slack, app_url=f"{guard.url}/slack/events", signing_secret=SECRET
                ) as driver:
                    await _scenes(transcript, slack, driver, alice.id, general.id, dm)
            finally:
                await guard.stop()
    transcript.say()
    transcript.say("Demo finished.")
    return 0


async def _scenes(
    transcript: Transcript,
    slack: FakeSlack,
    driver: SlackDriver,
    user: str,
    channel: str,
    dm: str,
) -> None:
    async def command(text: str) -> None:
        transcript.step(f"alice types `/incident {text}` in #general (a signed HTTP request)")
        response = await driver.command("/incident", text, user=user, channel=channel)
        transcript.api_calls()
        body = response.json or {}
        transcript.blocks(
            f"HTTP {response.status}, answered privately in the ack", body.get("blocks", [])
        )

    async def after(title: str, action: Callable[[], Awaitable[Any]], method: str) -> None:
        transcript.step(title)
        await action()
        await slack.wait_for_call(method)
        transcript.api_calls()

    await command("help")
    await command("reboot-everything")
    await after(
        "alice opens OpsGuard's App Home", lambda: driver.app_home_opened(user), "views.publish"
    )
    home = slack.home_view(user)
    transcript.blocks("the Home tab alice now sees", home.view["blocks"] if home else [])
    await after(
        "alice sends the bot a DM: help",
        lambda: driver.message("help", user=user, channel=dm),
        "chat.postMessage",
    )
    posted = slack.messages(dm)[-1]
    transcript.blocks("OpsGuard's reply in the DM", posted.blocks)
