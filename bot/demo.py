"""`opsguard demo`: a whole incident against the built-in fake Slack and Zoom, narrated.

Nothing leaves the machine: the fakes run on loopback, the database is a temporary SQLite
file, and time is a fake clock the demo moves forward to show the update nudge.
"""

from __future__ import annotations

import contextlib
import html
import logging
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.config import OpsConfig, Service
from bot.runtime import OpsGuard
from bot.settings import Settings
from fakes.clock import FakeClock
from fakes.driver import SlackDriver
from fakes.slack import FakeSlack
from fakes.zoom import FakeZoom
from scheduler.sweeper import sweep

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

    def blocks(self, heading: str, blocks: list[dict[str, Any]], limit: int = 12) -> None:
        self.say(f"    ← {heading}")
        lines = _plain_lines(blocks)
        for line in lines[:limit]:
            self.say(f"        {line}")
        if len(lines) > limit:
            self.say(f"        … ({len(lines) - limit} more lines)")


def _plain_lines(blocks: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        texts = [block.get("text"), *(block.get("elements") or []), *(block.get("fields") or [])]
        for text in texts:
            if isinstance(text, dict) and isinstance(text.get("text"), str):
                lines += text["text"].splitlines()
    return [html.unescape(line) for line in lines if line.strip()]


async def run_demo(out: TextIO) -> int:
    logging.getLogger().setLevel(logging.ERROR)
    async with FakeSlack() as slack, FakeZoom() as zoom:
        alice = slack.add_user("alice", real_name="Alice Liddell", tz="Europe/Berlin")
        bob = slack.add_user("bob", real_name="Bob Builder")
        owner = slack.add_user("dana", real_name="Dana (checkout owner)")
        people = [alice.id, bob.id, owner.id]
        general = slack.add_channel("general", members=people)
        incidents = slack.add_channel("incidents", members=people)
        config = OpsConfig(
            services=(
                Service(
                    name="checkout",
                    owners=(owner.id,),
                    runbook_url="https://runbooks.example.com/checkout",
                ),
            )
        )
        clock = FakeClock()
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                slack_bot_token=slack.bot_token,
                slack_signing_secret=SECRET,
                slack_api_url=slack.api_url,
                incidents_channel=incidents.id,
                database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}",
                zoom_account_id=zoom.account_id,
                zoom_client_id=zoom.client_id,
                zoom_client_secret=zoom.client_secret,
                zoom_api_url=zoom.api_url,
                zoom_oauth_url=zoom.oauth_url,
            )
            transcript = Transcript(out, slack)
            transcript.say("OpsGuard demo: a fake Slack workspace and a fake Zoom on loopback, a")
            transcript.say("fresh SQLite database, a fake clock. No credentials, no network.")
            transcript.step("OpsGuard starts: migrates the database and checks its token")
            guard = OpsGuard(settings, config, clock=clock)
            identity = await guard.start(host="127.0.0.1", port=0, scheduler=False)
            transcript.api_calls()
            transcript.say(f"    connected as @{identity.user} in {identity.team}")
            try:
                async with SlackDriver(
                    slack, app_url=f"{guard.url}/slack/events", signing_secret=SECRET
                ) as driver:
                    scene = Scenes(transcript, slack, driver, guard, clock)
                    await scene.run(alice.id, bob.id, general.id)
            finally:
                await guard.stop()
    transcript.say()
    transcript.say("Demo finished.")
    return 0


class Scenes:
    def __init__(
        self,
        transcript: Transcript,
        slack: FakeSlack,
        driver: SlackDriver,
        guard: OpsGuard,
        clock: FakeClock,
    ) -> None:
        self.t, self.slack, self.driver, self.guard, self.clock = (
            transcript,
            slack,
            driver,
            guard,
            clock,
        )

    async def command(self, who: str, user: str, channel: str, text: str) -> dict[str, Any]:
        name = self.slack.channels[channel].name
        self.t.step(f"{who} types `/incident {text}` in #{name}")
        response = await self.driver.command("/incident", text, user=user, channel=channel)
        await self._settle()
        self.t.api_calls()
        return response.json or {}

    async def _settle(self) -> None:
        """Let the work that follows the ack finish before narrating it."""
        before = -1
        while before != len(self.slack.calls):
            before = len(self.slack.calls)
            with contextlib.suppress(TimeoutError):
                await self.slack.wait_for_call("*never*", timeout=0.3)

    async def run(self, alice: str, bob: str, general: str) -> None:
        answer = await self.command("alice", alice, general, "help")
        self.t.blocks("privately, in the ack", answer.get("blocks", []), limit=4)
        await self.command(
            "alice", alice, general, "declare Checkout is returning 5xx sev1 service:checkout"
        )
        self.t.blocks("alice sees, privately", self.slack.responses[-1].blocks)
        room = next(c for c in self.slack.channels.values() if c.name.startswith("inc-1-"))
        self.t.say(f"    war room #{room.name}: members {sorted(room.members)}")
        self.t.say(f"    topic: {room.topic['value']}")
        for mark in self.slack.bookmarks[room.id]:
            self.t.say(f"    bookmark: {mark.title} → {mark.link}")
        pinned = self.slack.pins[room.id][0]
        center = next(m for m in self.slack.messages(room.id) if m.ts == pinned)
        self.t.blocks("pinned command center", center.blocks)
        await self.command("alice", alice, room.id, f"role scribe <@{bob}|bob>")
        await self.command("bob", bob, room.id, "status investigating Error rate 40% since 09:02")
        self.t.step("15 minutes pass without an update; the scheduler sweeps")
        self.clock.advance(timedelta(minutes=15))
        await sweep(self.guard.ops)
        self.t.api_calls()
        self.t.blocks("nudge in the war room", self.slack.messages(room.id)[-1].blocks)
        await self.command("alice", alice, room.id, "update Rolled back v42; errors dropping")
        await self.command("alice", alice, room.id, "resolve Bad deploy v42, rolled back")
        self.t.blocks("resolution posted in the war room", self.slack.messages(room.id)[-1].blocks)
