"""App Home: published on open, with the user looked up once and cached in storage."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from bot.runtime import OpsGuard
from fakes.clock import FakeClock
from fakes.driver import SlackDriver
from fakes.slack import FakeSlack
from fakes.slack import User as SlackUser
from storage.models import User


async def _open_home(driver: SlackDriver, user: str) -> None:
    await driver.event(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": "D1",
            "tab": "home",
            "event_ts": "1732370000.000100",
        }
    )


async def test_home_is_published_and_user_cached(
    slack: FakeSlack, guard: OpsGuard, driver: SlackDriver, clock: FakeClock
) -> None:
    alice = slack.add_user(
        "alice", real_name="Alice Liddell", email="alice@example.com", tz="America/New_York"
    )
    await _open_home(driver, alice.id)
    await slack.wait_for_call("views.publish")
    home = slack.home_view(alice.id)
    assert home is not None
    assert "America/New_York" in json.dumps(home.view["blocks"])
    async with guard.deps.db.session() as session:
        cached = (await session.exec(select(User).where(User.id == alice.id))).one()
    assert (cached.email, cached.tz, cached.fetched_at) == (
        "alice@example.com",
        "America/New_York",
        clock.now(),
    )

    await _open_home(driver, alice.id)
    await slack.wait_for_call("views.publish", count=2)
    assert len(slack.calls_to("users.info")) == 1  # served from the cache

    clock.advance(timedelta(hours=25))
    await _open_home(driver, alice.id)
    await slack.wait_for_call("views.publish", count=3)
    assert len(slack.calls_to("users.info")) == 2  # stale: fetched again


async def test_user_text_in_profile_is_escaped(slack: FakeSlack, driver: SlackDriver) -> None:
    mallory = slack.add_user("mallory", real_name="<!channel>")
    mallory_profile = slack.users[mallory.id]
    await _open_home(driver, mallory_profile.id)
    await slack.wait_for_call("views.publish")
    home = slack.home_view(mallory.id)
    assert home is not None
    dumped = json.dumps(home.view["blocks"])
    assert "<!channel>" not in dumped


async def test_rate_limited_publish_is_retried(
    slack: FakeSlack, driver: SlackDriver, alice: SlackUser
) -> None:
    slack.fail_next("views.publish", status=429, retry_after=1)
    await _open_home(driver, alice.id)
    await slack.wait_for_call("views.publish", count=2, timeout=10)
    statuses = [call.status for call in slack.calls_to("views.publish")]
    assert statuses == [429, 200]
    assert slack.home_view(alice.id) is not None
