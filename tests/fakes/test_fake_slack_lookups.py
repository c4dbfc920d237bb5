"""Reading one message back (history, thread replies, permalinks) and users' reactions,
pins and edits applied to the fake, checked through the real AsyncWebClient."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from fakes.slack import FakeSlack
from tests.fakes.support import slack_error


async def test_history_latest_inclusive_limit_one_is_that_message(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    ops = fake.add_channel("ops", members=["UBOT"])
    stamps = [(await client.chat_postMessage(channel=ops.id, text=str(i)))["ts"] for i in range(5)]
    for i, ts in enumerate(stamps):
        page = await client.conversations_history(
            channel=ops.id, latest=ts, inclusive=True, limit=1
        )
        assert [m["text"] for m in page["messages"]] == [str(i)]
        assert page["has_more"] == (i > 0)
    # without inclusive it is the one before
    before = await client.conversations_history(channel=ops.id, latest=stamps[2], limit=1)
    assert [m["text"] for m in before["messages"]] == ["1"]


async def test_a_thread_reply_is_read_back_through_replies(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice = fake.add_user("alice")
    ops = fake.add_channel("ops", members=["UBOT", alice.id])
    parent = (await client.chat_postMessage(channel=ops.id, text="parent"))["ts"]
    replies = [
        fake.add_message(ops.id, f"r{i}", user=alice.id, thread_ts=parent).ts for i in range(4)
    ]
    target = replies[1]
    # history never lists a reply: the newest top-level message up to it comes back instead
    history = await client.conversations_history(
        channel=ops.id, latest=target, inclusive=True, limit=1
    )
    assert [m["ts"] for m in history["messages"]] == [parent]
    # replies with latest=reply: the thread up to and including it, oldest first
    upto = await client.conversations_replies(
        channel=ops.id, ts=parent, latest=target, inclusive=True
    )
    assert [m["text"] for m in upto["messages"]] == ["parent", "r0", "r1"]
    # ts may be the reply itself, as on Slack
    by_reply = await client.conversations_replies(
        channel=ops.id, ts=target, latest=target, inclusive=True, limit=200
    )
    assert [m["ts"] for m in by_reply["messages"]][-1] == target
    # exactly that reply: oldest=latest=reply; Slack still heads the page with the parent
    exact = await client.conversations_replies(
        channel=ops.id, ts=parent, oldest=target, latest=target, inclusive=True
    )
    assert [m["text"] for m in exact["messages"]] == ["parent", "r1"]
    assert exact["messages"][1]["parent_user_id"] == "UBOT"


async def test_replies_pages_carry_the_parent_only_first(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    ops = fake.add_channel("ops", members=["UBOT"])
    parent = (await client.chat_postMessage(channel=ops.id, text="parent"))["ts"]
    for i in range(5):
        await client.chat_postMessage(channel=ops.id, text=f"r{i}", thread_ts=parent)
    pages = []
    async for page in await client.conversations_replies(channel=ops.id, ts=parent, limit=2):
        pages.append([m["text"] for m in page["messages"]])
    assert pages == [["parent", "r0"], ["r1", "r2"], ["r3", "r4"]]
    newer = await client.conversations_replies(
        channel=ops.id, ts=parent, oldest=fake.replies(ops.id, parent)[2].ts
    )
    assert [m["text"] for m in newer["messages"]] == ["parent", "r3", "r4"]


async def test_permalinks_of_top_level_messages_and_thread_replies(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    ops = fake.add_channel("ops", members=["UBOT"])
    parent = (await client.chat_postMessage(channel=ops.id, text="parent"))["ts"]
    reply = (await client.chat_postMessage(channel=ops.id, text="r", thread_ts=parent))["ts"]
    base = f"https://opsguard-test.slack.com/archives/{ops.id}"
    top = await client.chat_getPermalink(channel=ops.id, message_ts=parent)
    assert top["permalink"] == f"{base}/p{parent.replace('.', '')}"
    threaded = await client.chat_getPermalink(channel=ops.id, message_ts=reply)
    assert threaded["permalink"] == (
        f"{base}/p{reply.replace('.', '')}?thread_ts={parent}&cid={ops.id}"
    )
    assert (threaded["channel"], top["channel"]) == (ops.id, ops.id)


async def test_the_bot_reacts_once_per_emoji(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    ops = fake.add_channel("ops", members=["UBOT", alice.id])
    message = fake.add_message(ops.id, "db is down", user=alice.id)
    await client.reactions_add(channel=ops.id, timestamp=message.ts, name="white_check_mark")
    again = await slack_error(
        client.reactions_add(channel=ops.id, timestamp=message.ts, name="white_check_mark")
    )
    assert again["error"] == "already_reacted"
    fake.add_reaction(ops.id, message.ts, ":white_check_mark:", user=alice.id)
    got = (await client.reactions_get(channel=ops.id, timestamp=message.ts))["message"]
    assert got["reactions"] == [
        {"name": "white_check_mark", "users": ["UBOT", alice.id], "count": 2}
    ]


async def test_user_actions_change_what_the_api_shows(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice, bob = fake.add_user("alice"), fake.add_user("bob")
    ops = fake.add_channel("ops", members=["UBOT", alice.id, bob.id])
    message = fake.add_message(ops.id, "first draft", user=alice.id)

    fake.add_reaction(ops.id, message.ts, "eyes", user=bob.id)
    with pytest.raises(ValueError, match="already_reacted"):
        fake.add_reaction(ops.id, message.ts, "eyes", user=bob.id)
    fake.remove_reaction(ops.id, message.ts, "eyes", user=bob.id)
    with pytest.raises(ValueError, match="no_reaction"):
        fake.remove_reaction(ops.id, message.ts, "eyes", user=bob.id)

    pin = fake.pin(ops.id, message.ts, user=bob.id)
    assert (pin.channel, pin.ts, pin.created_by) == (ops.id, message.ts, bob.id)
    with pytest.raises(ValueError, match="already_pinned"):
        fake.pin(ops.id, message.ts, user=bob.id)
    [item] = (await client.pins_list(channel=ops.id))["items"]
    assert (item["created_by"], item["message"]["ts"]) == (bob.id, message.ts)
    notice = fake.messages(ops.id)[-1]
    assert (notice.subtype, notice.user) == ("pinned_item", bob.id)
    assert fake.unpin(ops.id, message.ts, user=bob.id).created == pin.created
    with pytest.raises(ValueError, match="no_pin"):
        fake.unpin(ops.id, message.ts, user=bob.id)

    fake.edit_message(ops.id, message.ts, "final", user=alice.id)
    shown = (
        await client.conversations_history(
            channel=ops.id, latest=message.ts, inclusive=True, limit=1
        )
    )["messages"][0]
    assert (shown["text"], shown["edited"]["user"]) == ("final", alice.id)
    with pytest.raises(ValueError, match="cant_update_message"):
        fake.edit_message(ops.id, message.ts, "hijack", user=bob.id)
    with pytest.raises(ValueError, match="message_not_found"):
        fake.add_reaction(ops.id, "1.000001", "eyes", user=bob.id)
    with pytest.raises(ValueError, match="user_not_found"):
        fake.pin(ops.id, message.ts, user="U0NOPE")
    assert fake.message(ops.id, message.ts) is message


async def test_membership_notices_cannot_be_pinned(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    channel = (await client.conversations_create(name="inc-1"))["channel"]["id"]
    await client.conversations_invite(channel=channel, users=alice.id)
    joined = fake.messages(channel)[-1]
    assert joined.subtype == "channel_join"
    refused = await slack_error(client.pins_add(channel=channel, timestamp=joined.ts))
    assert refused["error"] == "not_pinnable"
