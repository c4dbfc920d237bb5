"""`/incident help` and friends, sent signed over HTTP the way Slack sends them."""

from __future__ import annotations

import json
import logging
import time

import pytest
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.runtime import OpsGuard
from fakes.driver import SlackDriver
from fakes.slack import Channel, FakeSlack, User


def _texts(payload: dict) -> str:
    return json.dumps(payload.get("blocks", [])) + payload.get("text", "")


async def test_help_answers_in_the_ack_with_the_grammar(
    slack: FakeSlack, driver: SlackDriver, alice: User, general: Channel
) -> None:
    slack.reset_calls()
    started = time.perf_counter()
    response = await driver.command("/incident", "help", user=alice.id, channel=general.id)
    assert time.perf_counter() - started < 3
    assert response.status == 200
    assert response.json is not None
    assert response.json["response_type"] == "ephemeral"
    assert "/incident help" in _texts(response.json)
    # Answered in the ack: no Web API call but Bolt's one-time, cached auth.test.
    assert {call.method for call in slack.calls} <= {"auth.test"}


@pytest.mark.parametrize("text", ["HELP", "  Help  "])
async def test_shouted_or_padded_help_also_gets_help(
    slack: FakeSlack, driver: SlackDriver, text: str, alice: User, general: Channel
) -> None:
    response = await driver.command("/incident", text, user=alice.id, channel=general.id)
    assert response.json is not None and "OpsGuard commands" in _texts(response.json)


@pytest.mark.parametrize("text", ["", "   "])
async def test_bare_command_opens_the_declare_form(
    slack: FakeSlack, driver: SlackDriver, text: str, alice: User, general: Channel
) -> None:
    response = await driver.command("/incident", text, user=alice.id, channel=general.id)
    assert response.status == 200
    call = await slack.wait_for_call("views.open")
    assert call.ok and call.args["view"]["callback_id"] == "declare_incident"


async def test_unknown_subcommand_gets_usage_with_user_text_escaped(
    slack: FakeSlack, driver: SlackDriver, alice: User, general: Channel
) -> None:
    response = await driver.command(
        "/incident", "<!channel> now", user=alice.id, channel=general.id
    )
    assert response.json is not None
    body = _texts(response.json)
    assert "&lt;!channel&gt;" in body
    assert "<!channel>" not in body
    assert "/incident help" in body


async def test_help_in_a_direct_message(slack: FakeSlack, driver: SlackDriver, alice: User) -> None:
    await driver.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D0ALICE",
            "user": alice.id,
            "text": "help",
            "ts": "1732370000.000100",
        }
    )
    call = await slack.wait_for_call("chat.postMessage")
    assert call.args["channel"] == "D0ALICE"
    assert "/incident help" in json.dumps(call.args["blocks"])


async def test_bot_messages_in_dms_are_ignored(
    slack: FakeSlack, driver: SlackDriver, alice: User
) -> None:
    await driver.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D0ALICE",
            "user": alice.id,
            "bot_id": "B1",
            "text": "help",
            "ts": "1.2",
        }
    )
    await driver.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D0ALICE",
            "user": alice.id,
            "text": "help",
            "ts": "1.3",
        }
    )
    await slack.wait_for_call("chat.postMessage")
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_failing_listener_gets_an_error_id_and_a_logged_traceback(
    slack: FakeSlack,
    guard: OpsGuard,
    driver: SlackDriver,
    caplog: pytest.LogCaptureFixture,
    alice: User,
    general: Channel,
) -> None:
    async def boom() -> None:
        raise RuntimeError("kaboom")

    guard.registry.command("/boom", boom, name="boom")

    with caplog.at_level(logging.ERROR, logger="opsguard.errors"):
        response = await driver.command("/boom", "", user=alice.id, channel=general.id)
    assert response.status == 200 and response.json is not None
    assert response.json["response_type"] == "ephemeral"
    error_id = response.json["text"].split("error id ")[1].rstrip(").")
    record = next(r for r in caplog.records if error_id in r.getMessage())
    assert record.exc_info is not None and "kaboom" in str(record.exc_info[1])
    assert "kaboom" not in json.dumps(response.json)  # no internals shown to the user


async def test_failure_after_ack_goes_through_response_url(
    slack: FakeSlack, guard: OpsGuard, driver: SlackDriver, alice: User, general: Channel
) -> None:
    async def late_boom(ack: AsyncAck) -> None:
        await ack()
        raise RuntimeError("after ack")

    guard.registry.command("/late-boom", late_boom, name="late_boom")

    response = await driver.command("/late-boom", "", user=alice.id, channel=general.id)
    assert response.status == 200
    posted = (await slack.wait_for_response(timeout=5)).body
    assert posted["response_type"] == "ephemeral"
    assert "error id E-" in posted["text"]


async def test_command_text_containing_payload_still_reaches_the_listener(
    slack: FakeSlack, driver: SlackDriver, alice: User, general: Channel
) -> None:
    response = await driver.command(
        "/incident", "payload service down", user=alice.id, channel=general.id
    )
    assert response.status == 200 and response.json is not None
    assert "I don't know `payload`" in _texts(response.json)
