"""The fake's failure knobs, call log, response URLs and Socket Mode endpoint."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from fakes.slack import FakeSlack


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as running:
        running.add_channel("ops", members=["UBOT"])
        yield running
        assert running.internal_errors == []


def ops(fake: FakeSlack) -> str:
    return next(iter(fake.channels))


# -- fail_next ---------------------------------------------------------------


async def test_fail_next_error_answers_ok_false_and_leaves_state_alone(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail_next("chat.postMessage", error="internal_error")
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=ops(fake), text="lost")
    assert raised.value.response.status_code == 200
    assert raised.value.response.data == {"ok": False, "error": "internal_error"}
    assert fake.messages(ops(fake)) == []
    await client.chat_postMessage(channel=ops(fake), text="kept")
    assert [m.text for m in fake.messages(ops(fake))] == ["kept"]


async def test_fail_next_targets_a_method_and_counts_times(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail_next("chat.postMessage", error="fatal_error", times=2)
    await client.auth_test()  # another method is untouched
    for _ in range(2):
        with pytest.raises(SlackApiError):
            await client.chat_postMessage(channel=ops(fake), text="x")
    await client.chat_postMessage(channel=ops(fake), text="x")
    fake.fail_next(error="ratelimited")  # any method
    with pytest.raises(SlackApiError) as raised:
        await client.auth_test()
    assert raised.value.response["error"] == "ratelimited"
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [200, 200, 200]
    assert [c.ok for c in fake.calls_to("chat.postMessage")] == [False, False, True]


async def test_429_carries_retry_after(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=ops(fake), text="x")
    response = raised.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.data == {"ok": False, "error": "ratelimited"}


async def test_429_is_retried_after_retry_after_by_slack_sdk(fake: FakeSlack) -> None:
    client = AsyncWebClient(
        token="xoxb-test",
        base_url=fake.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    await client.chat_postMessage(channel=ops(fake), text="eventually")
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert [m.text for m in fake.messages(ops(fake))] == ["eventually"]


@pytest.mark.parametrize("status", [500, 503])
async def test_5xx_is_retried_by_slack_sdk(fake: FakeSlack, status: int) -> None:
    no_wait = FixedValueRetryIntervalCalculator(0.0)
    client = AsyncWebClient(
        token="xoxb-test",
        base_url=fake.api_url,
        retry_handlers=[
            AsyncServerErrorRetryHandler(max_retry_count=1, interval_calculator=no_wait)
        ],
    )
    fake.fail_next("chat.postMessage", status=status)
    await client.chat_postMessage(channel=ops(fake), text="x")
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [status, 200]
    fake.fail_next("chat.postMessage", status=status, times=2)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=ops(fake), text="x")
    assert raised.value.response.status_code == status


async def test_latency_delays_every_call(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.latency = 0.2
    started = time.monotonic()
    await client.auth_test()
    assert time.monotonic() - started >= 0.2


# -- the call log ------------------------------------------------------------


async def test_calls_record_merged_args_and_answers(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    await client.api_call(
        "chat.postMessage", params={"channel": ops(fake)}, json={"text": "hi", "mrkdwn": False}
    )
    call = fake.calls_to("chat.postMessage")[0]
    assert call.args == {"channel": ops(fake), "text": "hi", "mrkdwn": False}
    assert (call.status, call.ok, call.token, call.http_method) == (200, True, "xoxb-test", "POST")
    assert call.response["ts"] == fake.messages(ops(fake))[0].ts
    fake.reset_calls()
    assert fake.calls == []


async def test_wait_for_call_wakes_on_the_call(fake: FakeSlack, client: AsyncWebClient) -> None:
    async def post_soon() -> None:
        await asyncio.sleep(0.05)
        await client.chat_postMessage(channel=ops(fake), text="first")
        await client.chat_postMessage(channel=ops(fake), text="second")

    task = asyncio.create_task(post_soon())
    call = await fake.wait_for_call(
        "chat.postMessage", predicate=lambda c: c.args.get("text") == "second", timeout=2
    )
    assert call.response["message"]["text"] == "second"
    await task
    second = await fake.wait_for_call("chat.postMessage", count=2, timeout=0.1)
    assert second is call
    with pytest.raises(TimeoutError):
        await fake.wait_for_call("chat.postMessage", count=3, timeout=0.1)


# -- response_url ------------------------------------------------------------


async def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    webhook = AsyncWebhookClient(url)
    answer = await webhook.send(
        text="Incident declared", response_type="in_channel", replace_original=True
    )
    assert (answer.status_code, answer.body) == (200, "ok")
    [posted] = fake.responses
    assert posted.url == url
    assert posted.body == {
        "text": "Incident declared",
        "response_type": "in_channel",
        "replace_original": True,
    }
    unknown = await AsyncWebhookClient(f"{fake.base_url}/response/nope").send(text="x")
    assert unknown.status_code == 404
    for _ in range(4):
        await webhook.send(text="again")
    assert (await webhook.send(text="sixth")).status_code == 404
    assert len(fake.responses) == 5


async def test_wait_for_response_wakes_on_the_post(fake: FakeSlack) -> None:
    webhook = AsyncWebhookClient(fake.new_response_url())

    async def respond_soon() -> None:
        await asyncio.sleep(0.05)
        await webhook.send(text="working on it", response_type="ephemeral")
        await webhook.send(text="done", replace_original=True)

    task = asyncio.create_task(respond_soon())
    first = await fake.wait_for_response(timeout=2)
    assert first.text == "working on it"
    done = await fake.wait_for_response(predicate=lambda r: r.text == "done", timeout=2)
    assert done.body["replace_original"] is True
    await task
    with pytest.raises(TimeoutError):
        await fake.wait_for_response(count=3, timeout=0.1)


# -- Socket Mode -------------------------------------------------------------


@pytest.fixture
async def socket_client(
    fake: FakeSlack,
) -> AsyncIterator[tuple[SocketModeClient, list[dict[str, Any]]]]:
    """A real SocketModeClient that acks slash commands with a payload, events without."""
    web = AsyncWebClient(base_url=fake.api_url)
    client = SocketModeClient(app_token="xapp-test", web_client=web, auto_reconnect_enabled=False)
    raw: list[dict[str, Any]] = []

    async def remember(
        _: AsyncBaseSocketModeClient, message: dict[str, Any], __: str | None
    ) -> None:
        raw.append(message)

    async def answer(sm: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        if request.type == "slash_commands":
            reply = {"text": f"ack {request.payload['text']}"}
            await sm.send_socket_mode_response(SocketModeResponse(request.envelope_id, reply))
        elif request.type == "events_api":
            await sm.send_socket_mode_response(SocketModeResponse(request.envelope_id))
        # interactive requests are left unanswered

    client.message_listeners.append(remember)
    client.socket_mode_request_listeners.append(answer)
    await client.connect()  # type: ignore[no-untyped-call]
    try:
        yield client, raw
    finally:
        await client.close()  # type: ignore[no-untyped-call]


async def test_socket_mode_hello_and_acks(
    fake: FakeSlack, socket_client: tuple[SocketModeClient, list[dict[str, Any]]]
) -> None:
    await fake.wait_for_socket(timeout=2)
    ack = await fake.socket_send(
        "slash_commands", {"command": "/incident", "text": "declare db down"}, timeout=2
    )
    assert ack == {"text": "ack declare db down"}
    event = {"type": "event_callback", "event": {"type": "app_mention", "text": "hi"}}
    assert await fake.socket_send("events_api", event, timeout=2) == {}
    assert await fake.socket_send("interactive", {"type": "block_actions"}, timeout=0.2) is None
    _, raw = socket_client
    assert raw[0]["type"] == "hello"
    assert [m["type"] for m in raw[1:]] == ["slash_commands", "events_api", "interactive"]
    assert [m["accepts_response_payload"] for m in raw[1:]] == [True, False, True]


async def test_socket_mode_answers_pings(
    fake: FakeSlack, socket_client: tuple[SocketModeClient, list[dict[str, Any]]]
) -> None:
    client, _ = socket_client
    await fake.wait_for_socket(timeout=2)
    for _ in range(200):  # the client pings on connect and notes the pong's time
        if client.last_ping_pong_time is not None:
            break
        await asyncio.sleep(0.01)
    assert client.last_ping_pong_time is not None


async def test_socket_needs_a_ticket_from_apps_connections_open(fake: FakeSlack) -> None:
    url = fake.base_url.replace("http://", "ws://") + "/socket-mode?ticket=made-up"
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await session.ws_connect(url)
    with pytest.raises(TimeoutError):
        await fake.wait_for_socket(timeout=0.1)


async def test_bolt_socket_mode_handler_round_trip(fake: FakeSlack) -> None:
    app = AsyncApp(client=AsyncWebClient(token="xoxb-test", base_url=fake.api_url))

    @app.command("/incident")
    async def declare(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack(text=f"declaring {command['text']}")
        await client.chat_postMessage(channel=command["channel_id"], text="SEV1 declared")

    handler = AsyncSocketModeHandler(app, app_token="xapp-test")
    handler.client.web_client = AsyncWebClient(base_url=fake.api_url)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        await fake.wait_for_socket(timeout=2)
        payload = {
            "command": "/incident",
            "text": "db down",
            "channel_id": ops(fake),
            "user_id": "UBOT",
            "team_id": "T0001",
            "trigger_id": fake.new_trigger_id("UBOT"),
            "response_url": fake.new_response_url(),
        }
        ack = await fake.socket_send("slash_commands", payload, timeout=3)
        assert ack == {"text": "declaring db down"}
        await fake.wait_for_call("chat.postMessage", timeout=3)
        assert [m.text for m in fake.messages(ops(fake))] == ["SEV1 declared"]
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


async def test_socket_disconnect_makes_the_client_reconnect(
    fake: FakeSlack, socket_client: tuple[SocketModeClient, list[dict[str, Any]]]
) -> None:
    await fake.wait_for_socket(timeout=2)
    await fake.socket_disconnect()
    await fake.wait_for_call("apps.connections.open", count=2, timeout=3)
    await fake.wait_for_socket(timeout=2)
    ack = await fake.socket_send("slash_commands", {"text": "still here"}, timeout=2)
    assert ack == {"text": "ack still here"}
