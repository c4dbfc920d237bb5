"""OpsGuard on the fake Slack with two schedules (a rotation and an .ics import), a paging
policy, and FEED_SECRET / CRON_TOKEN set; a client that talks to it over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDictProxy

from bot.config import OpsConfig, load_config
from bot.domain.oncall.ical import feed_ref, feed_token
from bot.runtime import OpsGuard
from bot.settings import Settings
from fakes.clock import FakeClock
from fakes.slack import FakeSlack, User
from tests.conftest import SIGNING_SECRET, make_settings

FEED_SECRET = "feed-secret-for-the-tests-0123456789"
CRON_TOKEN = "cron-token-for-the-tests-0123456789"

CONFIG = """
services:
  - name: api
    escalation_policy: api
escalation_policies:
  - name: api
    steps:
      - delay: 5m
        targets: [{{user: {bob}}}]
      - delay: 10m
        targets: [{{schedule: calendar}}]
schedules:
  - name: primary
    timezone: Europe/Berlin
    layers:
      - name: weekdays
        users: [{alice}, {bob}]
        rotation: daily
        handoff: "09:00"
        start: 2026-11-02
        restrictions:
          - days: [mon, tue, wed, thu, fri]
            start: "09:00"
            end: "18:00"
    overrides:
      - user: {carol}
        start: 2026-11-25T12:00:00+01:00
        end: 2026-11-25T15:00:00+01:00
  - name: calendar
    timezone: Europe/Berlin
    layers:
      - ical: {ics}
"""

# The fake clock starts at 2026-11-23 09:00 UTC (a Monday). One event per naming convention,
# a cancelled one, and a floating (zone-less) time read in the schedule's zone.
ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Tests//Hand written//EN
BEGIN:VEVENT
UID:dave-day
SUMMARY:Primary on call
X-SLACK-USER:{dave}
DTSTART:20261123T080000Z
DTEND:20261123T200000Z
END:VEVENT
BEGIN:VEVENT
UID:carol-night
SUMMARY:On call: <@{carol}>
DTSTART:20261123T200000Z
DTEND:20261124T080000Z
END:VEVENT
BEGIN:VEVENT
UID:alice-thursday
SUMMARY:Thursday cover
ATTENDEE;CN={alice}:mailto:alice@example.com
DTSTART;VALUE=DATE:20261126
DTEND;VALUE=DATE:20261127
END:VEVENT
BEGIN:VEVENT
UID:bob-cancelled
SUMMARY:{bob} (cancelled)
STATUS:CANCELLED
DTSTART:20261124T080000Z
DTEND:20261124T200000Z
END:VEVENT
BEGIN:VEVENT
UID:bob-floating
SUMMARY:{bob}
DTSTART:20261128T100000
DURATION:PT6H
END:VEVENT
END:VCALENDAR
"""


@dataclass
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class World:
    slack: FakeSlack
    guard: OpsGuard
    clock: FakeClock
    users: dict[str, User]
    http: aiohttp.ClientSession

    @property
    def config(self) -> OpsConfig:
        return self.guard.deps.config

    def id(self, name: str) -> str:
        return self.users[name].id

    async def get(self, path: str, **params: str) -> Reply:
        async with self.http.get(f"{self.guard.url}{path}", params=params) as response:
            return Reply(response.status, response.headers, await response.read())

    async def feed(self, kind: str, id: str, token: str | None = None) -> Reply:
        path = feed_ref(kind, id).path
        return await self.get(path, token=feed_token(FEED_SECRET, path) if token is None else token)

    async def post(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        async with self.http.post(f"{self.guard.url}{path}", headers=headers or {}) as response:
            return Reply(response.status, response.headers, await response.read())


def write_config(directory: Path, users: dict[str, User], ics: str = ICS) -> Path:
    ids = {name: user.id for name, user in users.items()}
    (directory / "oncall.ics").write_text(ics.format(**ids), encoding="utf-8")
    path = directory / "opsguard.yml"
    path.write_text(CONFIG.format(ics=directory / "oncall.ics", **ids), encoding="utf-8")
    return path


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def users(slack: FakeSlack) -> dict[str, User]:
    return {name: slack.add_user(name) for name in ("alice", "bob", "carol", "dave")}


@pytest.fixture
def settings(slack: FakeSlack, database_url: str) -> Settings:
    return make_settings(
        slack_bot_token=slack.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=database_url,
        feed_secret=FEED_SECRET,
        cron_token=CRON_TOKEN,
    )


@pytest.fixture
def config(tmp_path: Path, users: dict[str, User]) -> OpsConfig:
    return load_config(write_config(tmp_path, users))


@pytest.fixture
async def world(
    slack: FakeSlack, settings: Settings, config: OpsConfig, users: dict[str, User]
) -> AsyncIterator[World]:
    clock = FakeClock()
    guard = OpsGuard(settings, config, clock=clock)
    # No scheduler: time moves only when a test moves it, and sweeps run through the endpoint.
    await guard.start(host="127.0.0.1", port=0, scheduler=False)
    try:
        async with aiohttp.ClientSession() as http:
            yield World(slack, guard, clock, users, http)
    finally:
        await guard.stop()
