"""Each policy feature end to end: signed Slack requests in, the exact page DMs out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.config import OpsConfig
from bot.domain import lifecycle
from bot.runtime import OpsGuard
from bot.settings import Settings
from fakes.clock import FakeClock
from fakes.driver import SlackDriver
from fakes.slack import FakeSlack, User
from scheduler.sweeper import sweep
from tests.conftest import SIGNING_SECRET
from tests.paging.conftest import start


@dataclass
class Run:
    slack: FakeSlack
    guard: OpsGuard
    driver: SlackDriver
    clock: FakeClock
    users: dict[str, User]
    general: str
    seen: int = 0

    async def declare(self, text: str = "declare API down service:api") -> None:
        await self.driver.command(
            "/incident", text, user=self.users["alice"].id, channel=self.general
        )
        await self.slack.wait_for_response(count=self.seen + 1)
        self.seen += 1

    async def after(self, delta: timedelta) -> list[str]:
        """Move time on, sweep, and return who was paged by that sweep (sorted)."""
        before = len(self.paged())
        self.clock.advance(delta)
        await sweep(self.guard.ops)
        return sorted(self.paged()[before:])

    def paged(self) -> list[str]:
        return [
            c.args["channel"]
            for c in self.slack.calls_to("chat.postMessage")
            if c.ok and "You are paged" in c.args.get("text", "")
        ]

    def name(self, *names: str) -> list[str]:
        return sorted(self.users[n].id for n in names)

    async def press(self, action_id: str, user: str) -> None:
        dm = next(
            m
            for c in self.slack.channels.values()
            if c.is_im and self.users[user].id in c.members
            for m in reversed(self.slack.messages(c.id))
            if "You are paged" in (m.text or "")
        )
        await self.driver.click(
            action_id, user=self.users[user].id, channel=dm.channel, message_ts=dm.ts
        )


@asynccontextmanager
async def running(
    slack: FakeSlack,
    settings: Settings,
    users: dict[str, User],
    policy: dict[str, Any],
    *,
    clock: FakeClock | None = None,
    **extra: Any,
) -> AsyncIterator[Run]:
    config = config_with(users, policy, **extra)
    clock = clock or FakeClock()
    guard = await start(settings, config, clock)
    general = slack.add_channel(
        f"general-{len(slack.channels)}", members=[u.id for u in users.values()]
    )
    try:
        async with SlackDriver(
            slack, app_url=f"{guard.url}/slack/events", signing_secret=SIGNING_SECRET
        ) as driver:
            yield Run(slack, guard, driver, clock, users, general.id)
    finally:
        await guard.stop()


def config_with(users: dict[str, User], policy: dict[str, Any], **extra: Any) -> OpsConfig:
    return OpsConfig.model_validate(
        {
            "services": [{"name": "api", "escalation_policy": "api"}],
            "teams": [{"name": "sre", "members": [users["carol"].id, users["dave"].id]}],
            "escalation_policies": [{"name": "api", **policy}],
            **extra,
        }
    )


def two_steps(users: dict[str, User], **options: Any) -> dict[str, Any]:
    return {
        "steps": [
            {"delay": "5m", "targets": [{"user": users["bob"].id}]},
            {"delay": "10m", "targets": [{"team": "sre"}]},
        ],
        **options,
    }


async def test_no_ack_second_step_repeat_then_exhausted(
    slack: FakeSlack, settings: Settings, users: dict[str, User]
) -> None:
    async with running(slack, settings, users, two_steps(users, repeat=1)) as run:
        await run.declare()
        assert run.paged() == run.name("bob")
        assert await run.after(timedelta(minutes=5)) == run.name("carol", "dave")
        assert await run.after(timedelta(minutes=10)) == run.name("bob")  # the repeat
        assert await run.after(timedelta(minutes=5)) == run.name("carol", "dave")
        assert await run.after(timedelta(minutes=10)) == []  # exhausted
        assert await run.after(timedelta(hours=3)) == []


async def test_resolve_part_way_stops_paging(
    slack: FakeSlack, settings: Settings, users: dict[str, User]
) -> None:
    async with running(slack, settings, users, two_steps(users, repeat=2)) as run:
        await run.declare()
        await run.press("page_resolve", "bob")
        await run.slack.wait_for_call("views.publish", count=2)  # bob's home, after resolving
        incident = await lifecycle.find_by_number(run.guard.deps.db, 1)
        assert incident is not None and incident.status == "resolved"
        assert await run.after(timedelta(hours=2)) == []
        assert run.paged() == run.name("bob")


async def test_ack_timeout_re_escalates(
    slack: FakeSlack, settings: Settings, users: dict[str, User]
) -> None:
    policy = two_steps(users, ack_timeout="20m")
    async with running(slack, settings, users, policy) as run:
        await run.declare()
        await run.press("page_acknowledge", "bob")
        await run.slack.wait_for_call("chat.postEphemeral")
        assert await run.after(timedelta(minutes=19)) == []
        assert await run.after(timedelta(minutes=1)) == run.name("bob")  # from the top


async def test_round_robin_across_incidents(
    slack: FakeSlack, settings: Settings, users: dict[str, User]
) -> None:
    policy = {"steps": [{"delay": "5m", "targets": [{"team": "sre", "mode": "round_robin"}]}]}
    async with running(slack, settings, users, policy) as run:
        for n in range(3):
            await run.declare(f"declare API down {n} service:api")
        assert run.paged() == [users["carol"].id, users["dave"].id, users["carol"].id]


async def test_schedule_handoff_during_an_escalation(
    slack: FakeSlack, settings: Settings, users: dict[str, User]
) -> None:
    schedules = [
        {
            "name": "primary",
            "timezone": "UTC",
            "layers": [
                {
                    "users": [users["bob"].id, users["carol"].id],
                    "rotation": "daily",
                    "handoff": "09:00",
                    "start": "2026-11-22",
                }
            ],
        }
    ]
    policy = {"repeat": 1, "steps": [{"delay": "5m", "targets": [{"schedule": "primary"}]}]}
    clock = FakeClock(datetime(2026, 11, 23, 8, 57, tzinfo=UTC))  # bob's shift ends at 09:00
    async with running(slack, settings, users, policy, clock=clock, schedules=schedules) as run:
        await run.declare()
        assert run.paged() == run.name("bob")
        assert await run.after(timedelta(minutes=5)) == run.name("carol")  # 09:02: carol's shift


async def test_policy_edited_during_an_escalation_keeps_the_snapshot(
    slack: FakeSlack, settings: Settings, users: dict[str, User]
) -> None:
    clock = FakeClock()
    async with running(slack, settings, users, two_steps(users), clock=clock) as run:
        await run.declare()
    # The policy is edited and OpsGuard restarts with the new config.
    edited = {"steps": [{"delay": "1m", "targets": [{"user": users["alice"].id}]}]}
    async with running(slack, settings, users, edited, clock=clock) as run:
        assert await run.after(timedelta(minutes=5)) == run.name("carol", "dave")
        assert run.name("alice")[0] not in run.paged()


async def test_rate_limited_dm_is_retried(
    slack: FakeSlack, settings: Settings, users: dict[str, User]
) -> None:
    async with running(slack, settings, users, two_steps(users)) as run:
        await run.declare()
        # More 429s than slack-sdk's own retries absorb: the outbox retries later.
        slack.fail_next("chat.postMessage", status=429, retry_after=1, times=8)
        assert await run.after(timedelta(minutes=5)) == []
        assert await run.after(timedelta(seconds=10)) == run.name("carol", "dave")
        assert await run.after(timedelta(minutes=1)) == []
