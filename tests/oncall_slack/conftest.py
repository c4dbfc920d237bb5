"""OpsGuard on the fake Slack with schedules, a team, policies and services to be on call for.

The clock starts on Monday 2026-11-23 at 09:00 UTC (09:00 in London, 04:00 in New York):

- `primary` (Europe/London): bob and carol take turns daily at 09:00, bob first, from now.
- `secondary` (UTC): carol then dave weekly from Monday 16 Nov 09:00, so dave from now.
- `nights` (UTC): frank every night 22:00-06:00 only, so a gap now until 22:00.
- service `api` pages `primary`, then after 5 minutes team `sre` (carol, dave); service
  `web` pages `nights` (twice: `repeat: 1`); service `docs` has no escalation policy.
- erin is an OpsGuard admin; frank lives in New York, everyone else in London.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.config import OpsConfig
from bot.runtime import OpsGuard
from bot.settings import Settings
from fakes.clock import FakeClock
from fakes.driver import DriverResponse, SlackDriver
from fakes.slack import FakeSlack, User
from scheduler.sweeper import sweep
from tests.conftest import SIGNING_SECRET, make_settings

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NAMES = ("alice", "bob", "carol", "dave", "erin", "frank")


def token(when: datetime) -> str:
    """A Slack date token, written out the way Slack documents it (not via our helper)."""
    return (
        f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}"
        f"|{when.astimezone(UTC).isoformat(timespec='minutes')}>"
    )


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A November 2026 instant in UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def oncall_config(users: dict[str, User]) -> OpsConfig:
    ids = {name: user.id for name, user in users.items()}
    return OpsConfig.model_validate(
        {
            "schedules": [
                {
                    "name": "primary",
                    "timezone": "Europe/London",
                    "layers": [
                        {
                            "users": [ids["bob"], ids["carol"]],
                            "rotation": "daily",
                            "handoff": "09:00",
                            "start": "2026-11-23",
                        }
                    ],
                },
                {
                    "name": "secondary",
                    "timezone": "UTC",
                    "layers": [
                        {
                            "users": [ids["carol"], ids["dave"]],
                            "rotation": "weekly",
                            "handoff": "09:00",
                            "start": "2026-11-16",
                        }
                    ],
                },
                {
                    "name": "nights",
                    "timezone": "UTC",
                    "layers": [
                        {
                            "users": [ids["frank"]],
                            "rotation": "daily",
                            "handoff": "00:00",
                            "start": "2026-11-01",
                            "restrictions": [
                                {
                                    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                    "start": "22:00",
                                    "end": "06:00",
                                }
                            ],
                        }
                    ],
                },
            ],
            "teams": [{"name": "sre", "members": [ids["carol"], ids["dave"]]}],
            "escalation_policies": [
                {
                    "name": "api",
                    "steps": [
                        {"delay": "5m", "targets": [{"schedule": "primary"}]},
                        {"delay": "10m", "targets": [{"team": "sre"}]},
                    ],
                },
                {
                    "name": "web",
                    "repeat": 1,
                    "steps": [{"delay": "5m", "targets": [{"schedule": "nights"}]}],
                },
            ],
            "services": [
                {"name": "api", "escalation_policy": "api"},
                {"name": "web", "escalation_policy": "web"},
                {"name": "docs"},
            ],
        }
    )


def shown(response: DriverResponse) -> str:
    """What the person sees of an ephemeral answer: every text of its blocks, one per line."""
    assert response.status == 200 and response.json is not None, response.body
    assert response.json["response_type"] == "ephemeral"
    return blocks_text(response.json["blocks"])


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for block in blocks:
        if "text" in block:
            lines.append(block["text"]["text"])
        lines += [element["text"] for element in block.get("elements", []) if "text" in element]
    return "\n".join(lines)


@dataclass
class OnCallWorld:
    slack: FakeSlack
    guard: OpsGuard
    driver: SlackDriver
    clock: FakeClock
    users: dict[str, User]
    general: str

    def id(self, name: str) -> str:
        return self.users[name].id

    async def oncall(self, text: str = "", *, by: str = "alice") -> DriverResponse:
        """`/oncall …`; when it sets a cover, wait until the listener is done: its last act is
        refreshing the App Home of everyone the answer mentions (the cover, the covered)."""
        before = Counter(c.args["user_id"] for c in self.slack.calls_to("views.publish"))
        response = await self.driver.command(
            "/oncall", text, user=self.id(by), channel=self.general
        )
        answer = blocks_text((response.json or {}).get("blocks") or [])
        if answer.startswith(":white_check_mark:"):
            for user in set(re.findall(r"<@([UW][A-Z0-9]+)>", answer)):
                await self.slack.wait_for_call(
                    "views.publish",
                    count=before[user] + 1,
                    predicate=lambda c, u=user: c.args["user_id"] == u,
                )
        return response

    def home_refreshes(self, name: str = "alice") -> int:
        return len(
            [c for c in self.slack.calls_to("views.publish") if c.args["user_id"] == self.id(name)]
        )

    async def home_refreshed(self, before: int, name: str = "alice") -> None:
        """Wait for the App Home refresh that ends an incident change made by `name`."""
        user = self.id(name)
        await self.slack.wait_for_call(
            "views.publish", count=before + 1, predicate=lambda c: c.args["user_id"] == user
        )

    async def incident(self, text: str, *, by: str = "alice") -> DriverResponse:
        return await self.driver.command("/incident", text, user=self.id(by), channel=self.general)

    async def page(self, text: str, *, by: str = "alice", channel: str | None = None) -> str:
        """`/incident page …`, waiting until the listener is done: its last act is refreshing
        the pager's App Home, after the DMs. Returns the ephemeral answer as shown."""
        user = self.id(by)

        def home_of_pager(call: Any) -> bool:
            return call.args["user_id"] == user

        before = len([c for c in self.slack.calls_to("views.publish") if home_of_pager(c)])
        response = await self.driver.command(
            "/incident", f"page {text}", user=user, channel=channel or self.general
        )
        answer = shown(response)
        if answer.startswith(":rotating_light:"):
            await self.slack.wait_for_call(
                "views.publish", count=before + 1, predicate=home_of_pager
            )
        return answer

    async def sweep(self) -> None:
        await sweep(self.guard.ops)

    def pages(self) -> list[str]:
        """Who got a page DM, in order."""
        return [
            c.args["channel"]
            for c in self.slack.calls_to("chat.postMessage")
            if c.ok and "You are paged" in c.args.get("text", "")
        ]

    def dms_to(self, name: str) -> list[str]:
        return [
            blocks_text(c.args.get("blocks") or [])
            for c in self.slack.calls_to("chat.postMessage")
            if c.ok and c.args["channel"] == self.id(name)
        ]

    async def open_home(self, name: str) -> str:
        """Open the App Home tab and return the on-call section's text ("" when it has none)."""
        user = self.id(name)
        self.slack.reset_calls()
        await self.driver.app_home_opened(user)
        call = await self.slack.wait_for_call(
            "views.publish", predicate=lambda c: c.args["user_id"] == user
        )
        blocks = call.args["view"]["blocks"]
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        headers = [i for i, b in enumerate(blocks) if b["type"] == "header"]
        on_call = [i for i in headers if blocks[i]["text"]["text"] == "On call"]
        return blocks_text(blocks[on_call[0] + 1 : on_call[0] + 2]) if on_call else ""


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def users(slack: FakeSlack) -> dict[str, User]:
    zones = {"frank": "America/New_York"}
    return {n: slack.add_user(n, tz=zones.get(n, "Europe/London")) for n in NAMES}


@pytest.fixture
def settings(slack: FakeSlack, database_url: str, users: dict[str, User]) -> Settings:
    return make_settings(
        slack_bot_token=slack.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=database_url,
        admin_user_ids=frozenset({users["erin"].id}),
    )


@pytest.fixture
async def world(
    slack: FakeSlack, settings: Settings, users: dict[str, User]
) -> AsyncIterator[OnCallWorld]:
    clock = FakeClock(START)
    guard = OpsGuard(settings, oncall_config(users), clock=clock)
    await guard.start(host="127.0.0.1", port=0, scheduler=False)
    general = slack.add_channel("general", members=[u.id for u in users.values()])
    try:
        async with SlackDriver(
            slack, app_url=f"{guard.url}/slack/events", signing_secret=SIGNING_SECRET
        ) as driver:
            yield OnCallWorld(slack, guard, driver, clock, users, general.id)
    finally:
        await guard.stop()
