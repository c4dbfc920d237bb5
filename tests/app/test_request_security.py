"""Unsigned, wrongly signed and stale requests get 401 and change nothing."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from fakes.driver import SlackDriver
from fakes.slack import FakeSlack


def _dm_help_event(user: str) -> bytes:
    return json.dumps(
        {
            "token": "x",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": "Ev1",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D1",
                "user": user,
                "text": "help",
                "ts": "1.1",
            },
        }
    ).encode()


@pytest.mark.parametrize("problem", ["unsigned", "wrong_secret", "stale", "tampered"])
async def test_bad_signatures_are_rejected_without_effect(
    slack: FakeSlack, driver: SlackDriver, problem: str
) -> None:
    alice = slack.add_user("alice")
    body = _dm_help_event(alice.id)
    now = int(time.time())
    headers = {"Content-Type": "application/json"}
    if problem == "wrong_secret":
        headers |= driver.sign(body, now, signing_secret="not-it")
    elif problem == "stale":
        headers |= driver.sign(body, now - 5 * 60 - 1)
    elif problem == "tampered":
        headers |= driver.sign(body, now)
        body = body.replace(b'"help"', b'"HELP"')
    response = await driver.raw_post(body, headers)
    assert response.status == 401
    # The same event, correctly signed, has exactly one effect: so the rejected one had none.
    control = await driver.raw_post(
        body, {"Content-Type": "application/json"} | driver.sign(body, now)
    )
    assert control.status == 200
    await slack.wait_for_call("chat.postMessage")
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_signed_slash_command_is_accepted_and_stale_one_is_not(
    slack: FakeSlack, driver: SlackDriver
) -> None:
    form = urlencode(
        {
            "command": "/incident",
            "text": "help",
            "user_id": "U1",
            "channel_id": "C1",
            "team_id": "T0001",
        }
    ).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    fresh = await driver.raw_post(form, headers | driver.sign(form, int(time.time())))
    stale = await driver.raw_post(form, headers | driver.sign(form, int(time.time()) - 400))
    assert (fresh.status, stale.status) == (200, 401)
