"""SlackDriver's user actions on messages: each changes the fake and delivers, signed, the
exact Events API envelope Slack sends for it to a real Bolt AsyncApp."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from fakes.driver import SlackDriver, SlackDriverError
from fakes.loopback import serve
from fakes.slack import FakeSlack

SECRET = "item-events-signing-secret"
Body = dict[str, Any]


@dataclass
class World:
    fake: FakeSlack
    app: AsyncApp
    client: AsyncWebClient
    driver: SlackDriver
    inbox: list[Body]  # every request body Bolt accepted, in order
    now: float
    alice: str
    bob: str
    ops: str

    @property
    def now_ts(self) -> str:
        return f"{self.now:.6f}"

    def envelope(self, event: Body) -> Body:
        """The one envelope delivered so far, checked against Slack's event_callback
        shape around ``event``."""
        [body] = self.inbox
        assert body.pop("event_context").startswith("4-")
        assert body.pop("event_id").startswith("Ev")
        assert body == {
            "token": "fake-verification-token",
            "team_id": "T0001",
            "context_team_id": "T0001",
            "context_enterprise_id": None,
            "api_app_id": "A0APP",
            "event": event,
            "type": "event_callback",
            "event_time": int(self.now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": "T0001",
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        self.inbox.clear()
        return body


def make_app(fake: FakeSlack, inbox: list[Body]) -> tuple[AsyncApp, AsyncWebClient]:
    client = AsyncWebClient(base_url=fake.api_url, token="xoxb-test")
    app = AsyncApp(client=client, signing_secret=SECRET)

    @app.middleware
    async def record(body: Body, next: Callable[[], Awaitable[None]]) -> None:
        inbox.append(dict(body))
        await next()

    async def ignore() -> None:
        return None

    for event_type in ("reaction_added", "reaction_removed", "pin_added", "pin_removed"):
        app.event(event_type)(ignore)
    app.event("message")(ignore)
    return app, client


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with FakeSlack() as fake:
        alice = fake.add_user("alice").id
        bob = fake.add_user("bob").id
        ops = fake.add_channel("ops", members=(alice, bob, "UBOT")).id
        inbox: list[Body] = []
        app, client = make_app(fake, inbox)
        web_app = web.Application()

        async def handle(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await app.async_dispatch(await to_bolt_request(request))
            )

        web_app.router.add_post("/slack/events", handle)
        runner, base = await serve(web_app)
        now = time.time()
        driver = SlackDriver(
            fake, app_url=f"{base}/slack/events", signing_secret=SECRET, clock=lambda: now
        )
        try:
            async with driver:
                yield World(fake, app, client, driver, inbox, now, alice, bob, ops)
        finally:
            await runner.cleanup()
        assert fake.internal_errors == []


# ---------------------------------------------------------------------------- reactions


async def test_reaction_added_and_removed(world: World) -> None:
    message = world.fake.add_message(world.ops, "db is down", user=world.alice)

    added = await world.driver.reaction_added(
        user=world.bob, channel=world.ops, ts=message.ts, emoji=":eyes:"
    )

    assert added.status == 200
    item = {"type": "message", "channel": world.ops, "ts": message.ts, "channel_type": "channel"}
    world.envelope(
        {
            "type": "reaction_added",
            "user": world.bob,
            "reaction": "eyes",
            "item": item,
            "item_user": world.alice,
            "event_ts": world.now_ts,
        }
    )
    assert message.reactions == {"eyes": [world.bob]}
    got = await world.client.reactions_get(channel=world.ops, timestamp=message.ts)
    assert got["message"]["reactions"][0]["users"] == [world.bob]

    await world.driver.reaction_removed(
        user=world.bob, channel=world.ops, ts=message.ts, emoji="eyes"
    )

    world.envelope(
        {
            "type": "reaction_removed",
            "user": world.bob,
            "reaction": "eyes",
            "item": item,
            "item_user": world.alice,
            "event_ts": world.now_ts,
        }
    )
    assert message.reactions == {}


async def test_reactions_slack_would_not_send_are_refused(world: World) -> None:
    message = world.fake.add_message(world.ops, "x", user=world.alice)
    await world.driver.reaction_added(
        user=world.bob, channel=world.ops, ts=message.ts, emoji="eyes"
    )
    world.inbox.clear()
    with pytest.raises(SlackDriverError, match="already_reacted"):
        await world.driver.reaction_added(
            user=world.bob, channel=world.ops, ts=message.ts, emoji="eyes"
        )
    with pytest.raises(SlackDriverError, match="no_reaction"):
        await world.driver.reaction_removed(
            user=world.alice, channel=world.ops, ts=message.ts, emoji="eyes"
        )
    with pytest.raises(SlackDriverError, match="no message"):
        await world.driver.reaction_added(
            user=world.bob, channel=world.ops, ts="1.000001", emoji="eyes"
        )
    secret = world.fake.add_channel("secret", is_private=True, members=[world.alice]).id
    hidden = world.fake.add_message(secret, "psst", user=world.alice)
    with pytest.raises(SlackDriverError, match="not a member"):
        await world.driver.reaction_added(user=world.bob, channel=secret, ts=hidden.ts, emoji="x")
    assert world.inbox == []


# ---------------------------------------------------------------------------- pins


async def test_pin_added_and_removed(world: World) -> None:
    message = world.fake.add_message(world.ops, "rollback plan", user=world.alice)
    link = f"https://opsguard-test.slack.com/archives/{world.ops}/p{message.ts.replace('.', '')}"

    await world.driver.pin_added(user=world.bob, channel=world.ops, ts=message.ts)

    pinned = {"type": "message", "user": world.alice, "text": "rollback plan", "ts": message.ts}
    pinned.update(team="T0001", permalink=link)
    created = world.fake.workspace.pin_info[(world.ops, message.ts)][0]
    body = world.envelope(
        {
            "type": "pin_added",
            "user": world.bob,
            "channel_id": world.ops,
            "item": {
                "type": "message",
                "created": created,
                "created_by": world.bob,
                "channel": world.ops,
                "message": {**pinned, "pinned_to": [world.ops]},
            },
            "item_user": world.alice,
            "pin_count": "1",
            "pinned_info": {"channel": world.ops, "pinned_by": world.bob, "pinned_ts": created},
            "event_ts": world.now_ts,
        }
    )
    assert body["type"] == "event_callback"
    assert world.fake.pins[world.ops] == [message.ts]
    notice = world.fake.messages(world.ops)[-1]
    assert (notice.subtype, notice.user) == ("pinned_item", world.bob)
    listed = (await world.client.pins_list(channel=world.ops))["items"]
    assert [i["message"]["ts"] for i in listed] == [message.ts]

    await world.driver.pin_removed(user=world.bob, channel=world.ops, ts=message.ts)

    world.envelope(
        {
            "type": "pin_removed",
            "user": world.bob,
            "channel_id": world.ops,
            "item": {
                "type": "message",
                "created": created,
                "created_by": world.bob,
                "channel": world.ops,
                "message": pinned,
            },
            "item_user": world.alice,
            "pin_count": "0",
            "pinned_info": {"channel": world.ops, "pinned_by": world.bob, "pinned_ts": created},
            "has_pins": False,
            "event_ts": world.now_ts,
        }
    )
    assert world.fake.pins[world.ops] == []
    with pytest.raises(SlackDriverError, match="no_pin"):
        await world.driver.pin_removed(user=world.bob, channel=world.ops, ts=message.ts)


async def test_pinning_a_thread_reply_links_into_the_thread(world: World) -> None:
    parent = world.fake.add_message(world.ops, "incident", user=world.alice)
    reply = world.fake.add_message(world.ops, "root cause", user=world.bob, thread_ts=parent.ts)
    world.fake.system_messages = False

    await world.driver.pin_added(user=world.alice, channel=world.ops, ts=reply.ts)

    event = world.inbox[0]["event"]
    assert event["item"]["message"]["thread_ts"] == parent.ts
    assert event["item"]["message"]["parent_user_id"] == world.alice
    assert event["item"]["message"]["permalink"].endswith(f"?thread_ts={parent.ts}&cid={world.ops}")
    assert [m.subtype for m in world.fake.messages(world.ops)] == [None]


# ---------------------------------------------------------------------------- edits


async def test_edit_message_sends_message_changed(world: World) -> None:
    message = world.fake.add_message(world.ops, "db down?", user=world.alice)

    await world.driver.edit_message(
        user=world.alice, channel=world.ops, ts=message.ts, text="db down"
    )

    assert message.edited is not None
    edit_ts = message.edited["ts"]
    before = {"type": "message", "user": world.alice, "text": "db down?", "ts": message.ts}
    before["team"] = "T0001"
    world.envelope(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "message": {
                **before,
                "text": "db down",
                "edited": {"user": world.alice, "ts": edit_ts},
            },
            "previous_message": before,
            "channel": world.ops,
            "channel_type": "channel",
            "ts": edit_ts,
            "event_ts": edit_ts,
        }
    )
    shown = (
        await world.client.conversations_history(
            channel=world.ops, latest=message.ts, inclusive=True, limit=1
        )
    )["messages"][0]
    assert (shown["text"], shown["edited"]) == ("db down", {"user": world.alice, "ts": edit_ts})
    with pytest.raises(SlackDriverError, match="posted by"):
        await world.driver.edit_message(user=world.bob, channel=world.ops, ts=message.ts, text="x")


async def test_editing_a_thread_reply(world: World) -> None:
    parent = world.fake.add_message(world.ops, "incident", user=world.bob)
    reply = world.fake.add_message(world.ops, "cause: dns", user=world.alice, thread_ts=parent.ts)

    await world.driver.edit_message(
        user=world.alice, channel=world.ops, ts=reply.ts, text="cause: DNS TTL"
    )

    event = world.inbox[0]["event"]
    assert event["message"]["text"] == "cause: DNS TTL"
    assert (event["message"]["thread_ts"], event["message"]["parent_user_id"]) == (
        parent.ts,
        world.bob,
    )
    assert event["previous_message"]["text"] == "cause: dns"
    assert event["previous_message"]["thread_ts"] == parent.ts
    assert world.fake.replies(world.ops, parent.ts)[0].text == "cause: DNS TTL"


# ---------------------------------------------------------------------------- files


async def test_a_message_with_files_is_a_file_share(world: World) -> None:
    await world.driver.message(
        "graphs",
        user=world.alice,
        channel=world.ops,
        files=[{"name": "cpu.png", "title": "CPU"}, {"name": "log.txt", "content": "boom"}],
    )

    event = world.inbox[0]["event"]
    assert (event["subtype"], event["upload"], event["display_as_bot"]) == (
        "file_share",
        True,
        False,
    )
    assert [(f["name"], f["title"]) for f in event["files"]] == [
        ("cpu.png", "CPU"),
        ("log.txt", "log.txt"),
    ]
    [listed] = (await world.client.conversations_history(channel=world.ops))["messages"]
    assert listed["ts"] == event["ts"]
    assert [f["id"] for f in listed["files"]] == [f["id"] for f in event["files"]]
    log = world.fake.files[event["files"][1]["id"]]
    assert (log.content, log.user, log.channels) == (b"boom", world.alice, [world.ops])


# ---------------------------------------------------------------------------- socket mode


async def test_item_events_go_through_socket_mode_too() -> None:
    async with FakeSlack() as fake:
        alice = fake.add_user("alice").id
        ops = fake.add_channel("ops", members=(alice, "UBOT")).id
        message = fake.add_message(ops, "hi", user=alice)
        inbox: list[Body] = []
        app, client = make_app(fake, inbox)
        handler = AsyncSocketModeHandler(app, "xapp-test", web_client=client)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        try:
            await fake.wait_for_socket(timeout=5)
            async with SlackDriver(fake, transport="socket") as driver:
                response = await driver.reaction_added(
                    user=alice, channel=ops, ts=message.ts, emoji="tada"
                )
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
    assert response.status == 200
    assert inbox[0]["event"]["reaction"] == "tada"
    assert message.reactions == {"tada": [alice]}
