"""A running OpsGuard wired to the fake Slack, and a driver that talks to it like Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import OpsConfig
from bot.runtime import OpsGuard
from bot.settings import Settings
from fakes.clock import FakeClock
from fakes.driver import SlackDriver
from fakes.slack import Channel, FakeSlack, User
from tests.conftest import SIGNING_SECRET, make_settings


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(slack: FakeSlack, database_url: str) -> Settings:
    return make_settings(
        slack_bot_token=slack.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=database_url,
    )


@pytest.fixture
async def guard(settings: Settings, config: OpsConfig, clock: FakeClock) -> AsyncIterator[OpsGuard]:
    app = OpsGuard(settings, config, clock=clock)
    await app.start(host="127.0.0.1", port=0)
    yield app
    await app.stop()


@pytest.fixture
async def driver(slack: FakeSlack, guard: OpsGuard) -> AsyncIterator[SlackDriver]:
    async with SlackDriver(
        slack, app_url=f"{guard.url}/slack/events", signing_secret=SIGNING_SECRET
    ) as d:
        yield d


@pytest.fixture
def alice(slack: FakeSlack) -> User:
    return slack.add_user("alice", real_name="Alice Liddell", email="alice@example.com")


@pytest.fixture
def general(slack: FakeSlack, alice: User) -> Channel:
    return slack.add_channel("general", members=[alice.id])
