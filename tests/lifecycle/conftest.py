"""A workspace with an incidents channel, a stakeholder channel, people and a Meet fallback.

`World` runs a real OpsGuard (scheduler off) against the fake Slack. Its request helpers
send signed requests through the driver and return once the listener has finished
(counted by OpsGuard's own per-listener metric), so a test reads Slack's state afterwards
without sleeping.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot.config import OpsConfig
from bot.domain import due, lifecycle
from bot.runtime import OpsGuard
from bot.settings import Settings
from fakes.clock import FakeClock
from fakes.driver import DriverResponse, SlackDriver
from fakes.slack import Channel, FakeSlack, User
from fakes.slack.state import Message, View
from fakes.zoom import FakeZoom
from scheduler.sweeper import SweepReport, sweep
from storage.models import Incident
from tests.conftest import SIGNING_SECRET, make_settings

MEET_URL = "https://meet.example.com/abc-defg-hij"
SETTLE_TIMEOUT = 15.0


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """Blocks as one string, for `in` checks on what a message or view shows."""
    return json.dumps(blocks, ensure_ascii=False)


def shown(message: Message) -> str:
    return message.text + blocks_text(message.blocks)


def mrkdwn(blocks: list[dict[str, Any]], text: str = "") -> list[str]:
    """Every text Slack formats as mrkdwn: a message's fallback text and the mrkdwn objects
    in its blocks (plain_text, e.g. a header, is never parsed for mentions)."""
    found = [text] if text else []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def button_values(blocks: list[dict[str, Any]], action_id: str) -> list[str]:
    """The values of every button with `action_id` (in sections and action blocks)."""
    values = []
    for block in blocks:
        elements = [*block.get("elements", []), block.get("accessory") or {}]
        values += [str(e.get("value")) for e in elements if e.get("action_id") == action_id]
    return values


@dataclass
class World:
    slack: FakeSlack
    guard: OpsGuard
    driver: SlackDriver
    clock: FakeClock
    alice: User
    bob: User
    carol: User
    owner: User
    incidents: Channel
    stakeholders: Channel
    general: Channel
    settings: Settings
    config: OpsConfig

    # -- time -------------------------------------------------------------

    async def sweep(self) -> SweepReport:
        return await sweep(self.guard.ops)

    async def later(self, delta: timedelta) -> SweepReport:
        """Move the clock on, then run one scheduler sweep."""
        self.clock.advance(delta)
        return await self.sweep()

    async def restart(self) -> None:
        """Stop this OpsGuard and start a new one on the same database (and clock)."""
        await self.guard.stop()
        self.guard = OpsGuard(self.settings, self.config, clock=self.clock)
        await self.guard.start(host="127.0.0.1", port=0, scheduler=False)
        self.driver.app_url = f"{self.guard.url}/slack/events"

    # -- requests that wait for their listener ----------------------------

    def handled(self) -> int:
        """Listener runs OpsGuard has finished (its `opsguard_listener_requests` counter)."""
        return int(
            sum(
                sample.value
                for metric in self.guard.deps.metrics.listener_requests.collect()
                for sample in metric.samples
                if sample.name.endswith("_total")
            )
        )

    async def settled(
        self, request: Awaitable[DriverResponse], *, listeners: int = 1
    ) -> DriverResponse:
        before = self.handled()
        response = await request
        await self.until(lambda: self.handled() >= before + listeners)
        return response

    async def until(self, condition: Callable[[], bool]) -> None:
        """Poll: the listener counter has no event to wait on (a short real wait, no timer)."""
        async with asyncio.timeout(SETTLE_TIMEOUT):
            while not condition():  # noqa: ASYNC110
                await asyncio.sleep(0.005)

    async def command(self, text: str, *, user: User, channel: Channel | str) -> DriverResponse:
        channel_id = channel if isinstance(channel, str) else channel.id
        return await self.settled(
            self.driver.command("/incident", text, user=user.id, channel=channel_id)
        )

    async def click(
        self,
        action_id: str,
        *,
        user: User,
        channel: Channel | str | None = None,
        **kwargs: Any,
    ) -> DriverResponse:
        channel_id = channel.id if isinstance(channel, Channel) else channel
        return await self.settled(
            self.driver.click(action_id, user=user.id, channel=channel_id, **kwargs)
        )

    async def submit(
        self, view: View, *, user: User, values: Mapping[str, Any] | None = None
    ) -> DriverResponse:
        return await self.settled(self.driver.submit_view(view.id, user=user.id, values=values))

    async def declare(
        self, text: str, *, user: User | None = None, channel: Channel | None = None
    ) -> Incident:
        """`/incident declare <text>`; the incident as stored once Slack is set up."""
        response = await self.command(
            f"declare {text}", user=user or self.alice, channel=channel or self.general
        )
        assert response.json is not None, response.body
        ack = response.json.get("text", "")
        assert ack.startswith("Declaring INC-"), ack
        return await self.incident(int(ack.removeprefix("Declaring INC-").rstrip("…")))

    # -- reading state ----------------------------------------------------

    async def find(self, number: int) -> Incident | None:
        return await lifecycle.find_by_number(self.guard.deps.db, number)

    async def incident(self, number: int) -> Incident:
        incident = await self.find(number)
        assert incident is not None, f"no INC-{number}"
        return incident

    async def room(self, number: int) -> Channel:
        incident = await self.incident(number)
        assert incident.channel_id, f"INC-{number} has no war room"
        return self.slack.channels[incident.channel_id]

    def messages(self, channel: Channel | str) -> list[Message]:
        """The bot's own top-level messages (Slack's join/topic/pin notices left out)."""
        channel_id = channel if isinstance(channel, str) else channel.id
        return [m for m in self.slack.messages(channel_id) if m.subtype is None]

    def message(self, channel: Channel | str, ts: str | None) -> Message:
        channel_id = channel if isinstance(channel, str) else channel.id
        found = next((m for m in self.slack.messages(channel_id) if m.ts == ts), None)
        assert found is not None, f"no message {ts} in {channel_id}"
        return found

    async def card(self, number: int) -> Message:
        return self.message(self.incidents, (await self.incident(number)).announcement_ts)

    async def command_center(self, number: int) -> Message:
        incident = await self.incident(number)
        assert incident.channel_id
        return self.message(incident.channel_id, incident.command_center_ts)

    def dms(self, user: User) -> list[Message]:
        """What the bot sent `user` in their DM."""
        dm = next(
            (c for c in self.slack.channels.values() if c.is_im and c.im_user == user.id), None
        )
        return [] if dm is None else self.messages(dm)

    def ephemerals(self, user: User) -> list[str]:
        """Everything `user` was told privately: ephemerals and response_url posts."""
        said = [e.text + blocks_text(e.blocks) for e in self.slack.ephemerals if e.user == user.id]
        return said + [json.dumps(r.body, ensure_ascii=False) for r in self.slack.responses]

    def home(self, user: User) -> str:
        view = self.slack.home_view(user.id)
        assert view is not None, f"{user.name} has no App Home"
        return blocks_text(view.view["blocks"])


WorldFactory = Callable[..., Awaitable[World]]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake
        assert fake.internal_errors == []


@pytest.fixture
def people(slack: FakeSlack) -> dict[str, User]:
    return {
        "alice": slack.add_user("alice", real_name="Alice Liddell"),
        "bob": slack.add_user("bob", real_name="Bob Builder"),
        "carol": slack.add_user("carol", real_name="Carol Danvers"),
        "owner": slack.add_user("owner", id="U012ABCDEF", real_name="Checkout Owner"),
    }


@pytest.fixture
def settings(slack: FakeSlack, database_url: str, people: dict[str, User]) -> Settings:
    members = [u.id for u in people.values()] + ["UBOT"]
    incidents = slack.add_channel("incidents", members=members)
    stakeholders = slack.add_channel("stakeholders", members=members)
    slack.add_channel("general", members=members)
    return make_settings(
        slack_bot_token=slack.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=database_url,
        incidents_channel=incidents.id,
        stakeholder_channel=stakeholders.id,
        google_meet_url=MEET_URL,
    )


@pytest.fixture
async def make_world(
    slack: FakeSlack, settings: Settings, config: OpsConfig, people: dict[str, User]
) -> AsyncIterator[WorldFactory]:
    """`await make_world(admin_user_ids=...)`: a World with settings overridden."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: Any) -> World:
            chosen = settings.model_copy(update=overrides)
            clock = FakeClock()
            guard = OpsGuard(chosen, config, clock=clock)
            await guard.start(host="127.0.0.1", port=0, scheduler=False)
            # What Scheduler.start does for the digest; the tests run the sweeps themselves.
            await due.ensure_periodic(
                guard.deps.db, due.DIGEST_JOB, clock.now() + config.lifecycle.digest_interval
            )
            driver = await stack.enter_async_context(
                SlackDriver(
                    slack, app_url=f"{guard.url}/slack/events", signing_secret=SIGNING_SECRET
                )
            )
            by_name = {c.name: c for c in slack.channels.values()}
            world = World(
                slack, guard, driver, clock, people["alice"], people["bob"], people["carol"],
                people["owner"], by_name["incidents"], by_name["stakeholders"],
                by_name["general"], chosen, config,
            )  # fmt: skip
            stack.push_async_callback(lambda: world.guard.stop())
            return world

        yield make


@pytest.fixture
async def world(make_world: WorldFactory) -> World:
    return await make_world()


@pytest.fixture
async def zoom() -> AsyncIterator[FakeZoom]:
    async with FakeZoom() as running:
        yield running
        assert running.internal_errors == []


@pytest.fixture
async def zoom_world(make_world: WorldFactory, zoom: FakeZoom) -> World:
    return await make_world(
        zoom_account_id=zoom.account_id,
        zoom_client_id=zoom.client_id,
        zoom_client_secret=zoom.client_secret,
        zoom_api_url=zoom.api_url,
        zoom_oauth_url=zoom.oauth_url,
    )
