"""OpsGuard on the fake Slack with a service whose policy pages a user, then a team."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.config import OpsConfig
from bot.runtime import OpsGuard
from bot.settings import Settings
from fakes.clock import FakeClock
from fakes.driver import SlackDriver
from fakes.slack import FakeSlack, User
from scheduler.sweeper import sweep
from tests.conftest import SIGNING_SECRET, make_settings


@dataclass
class Paging:
    slack: FakeSlack
    guard: OpsGuard
    driver: SlackDriver
    clock: FakeClock
    users: dict[str, User]
    general: str

    async def sweep(self) -> None:
        await sweep(self.guard.ops)

    def dms(self) -> list[tuple[str, str]]:
        """(recipient, first words) of every page DM, in order."""
        return [
            (c.args["channel"], c.args["text"][:20])
            for c in self.slack.calls_to("chat.postMessage")
            if c.ok and "You are paged" in c.args.get("text", "")
        ]


def paging_config(users: dict[str, User], *, repeat: int = 0) -> OpsConfig:
    return OpsConfig.model_validate(
        {
            "services": [{"name": "api", "escalation_policy": "api"}],
            "teams": [{"name": "sre", "members": [users["carol"].id, users["dave"].id]}],
            "escalation_policies": [
                {
                    "name": "api",
                    "repeat": repeat,
                    "steps": [
                        {"delay": "5m", "targets": [{"user": users["bob"].id}]},
                        {"delay": "10m", "targets": [{"team": "sre"}]},
                    ],
                }
            ],
        }
    )


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def users(slack: FakeSlack) -> dict[str, User]:
    return {name: slack.add_user(name) for name in ("alice", "bob", "carol", "dave")}


@pytest.fixture
def settings(slack: FakeSlack, database_url: str, users: dict[str, User]) -> Settings:
    return make_settings(
        slack_bot_token=slack.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=database_url,
    )


async def start(
    settings: Settings, config: OpsConfig, clock: FakeClock, **options: bool
) -> OpsGuard:
    guard = OpsGuard(settings, config, clock=clock)
    await guard.start(host="127.0.0.1", port=0, scheduler=options.get("scheduler", False))
    return guard


@pytest.fixture
async def world(
    slack: FakeSlack, settings: Settings, users: dict[str, User]
) -> AsyncIterator[Paging]:
    clock = FakeClock()
    guard = await start(settings, paging_config(users), clock)
    general = slack.add_channel("general", members=[u.id for u in users.values()])
    async with SlackDriver(
        slack, app_url=f"{guard.url}/slack/events", signing_secret=SIGNING_SECRET
    ) as driver:
        yield Paging(slack, guard, driver, clock, users, general.id)
    await guard.stop()
