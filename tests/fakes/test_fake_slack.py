"""The fake Slack Web API, driven only through the real slack-sdk AsyncWebClient."""

from __future__ import annotations

import asyncio
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from fakes.slack import FakeSlack
from tests.fakes.support import slack_error

# -- auth and dispatch -------------------------------------------------------


async def test_auth_test_names_the_bot(client: AsyncWebClient) -> None:
    body = await client.auth_test()
    assert (body["team_id"], body["user_id"], body["bot_id"]) == ("T0001", "UBOT", "B0BOT")


async def test_tokens_missing_wrong_or_of_the_wrong_type_are_refused(fake: FakeSlack) -> None:
    anonymous = AsyncWebClient(base_url=fake.api_url)
    assert (await slack_error(anonymous.auth_test()))["error"] == "not_authed"
    wrong = AsyncWebClient(token="xoxb-nope", base_url=fake.api_url)
    assert (await slack_error(wrong.auth_test()))["error"] == "invalid_auth"
    app = AsyncWebClient(token="xapp-test", base_url=fake.api_url)
    refused = await slack_error(app.chat_postMessage(channel="C1", text="x"))
    assert refused["error"] == "not_allowed_token_type"
    bot = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
    refused = await slack_error(bot.apps_connections_open(app_token="xoxb-test"))
    assert refused["error"] == "not_allowed_token_type"
    # a token passed as an argument instead of the header
    body = await anonymous.api_call("auth.test", params={"token": "xoxb-test"})
    assert body["user_id"] == "UBOT"


async def test_unknown_method_is_http_200_unknown_method(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.api_call("foo.bar")
    assert raised.value.response.status_code == 200
    assert raised.value.response.data == {
        "ok": False,
        "error": "unknown_method",
        "req_method": "foo.bar",
    }


async def test_apps_connections_open_gives_a_socket_url(fake: FakeSlack) -> None:
    app = AsyncWebClient(token="xapp-test", base_url=fake.api_url)
    url = (await app.apps_connections_open(app_token="xapp-test"))["url"]
    assert url.startswith(f"ws://127.0.0.1:{fake.base_url.rsplit(':', 1)[1]}/socket-mode?")


async def test_team_info(client: AsyncWebClient) -> None:
    team = (await client.team_info())["team"]
    assert team["id"] == "T0001"
    assert team["domain"] == "opsguard-test"


# -- users -------------------------------------------------------------------


async def test_users_info_lookup_and_errors(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user(
        "alice",
        real_name="Alice A",
        email="alice@example.com",
        tz="America/New_York",
        is_admin=True,
    )
    user = (await client.users_info(user=alice.id))["user"]
    assert user["profile"]["email"] == "alice@example.com"
    assert user["profile"]["real_name"] == "Alice A"
    assert user["profile"]["display_name"] == "alice"
    assert (user["tz"], user["tz_offset"], user["is_admin"]) == ("America/New_York", -18000, True)
    assert user["deleted"] is False
    assert (await slack_error(client.users_info(user="U404")))["error"] == "user_not_found"
    found = await client.users_lookupByEmail(email="ALICE@example.com")
    assert found["user"]["id"] == alice.id
    missing = await slack_error(client.users_lookupByEmail(email="bob@example.com"))
    assert missing["error"] == "users_not_found"


async def test_users_list_pages_through_everyone(fake: FakeSlack, client: AsyncWebClient) -> None:
    for name in ("a", "b", "c", "d"):
        fake.add_user(name)
    seen: list[str] = []
    pages = 0
    async for page in await client.users_list(limit=2):
        pages += 1
        seen.extend(m["id"] for m in page["members"])
    assert pages == 3  # UBOT + 4 users, two per page
    assert seen == list(fake.users)


async def test_users_conversations_lists_the_callers_channels(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    mine = fake.add_channel("mine", members=["UBOT"])
    fake.add_channel("other")
    secret = fake.add_channel("secret", is_private=True, members=["UBOT"])
    public = (await client.users_conversations())["channels"]
    assert [c["id"] for c in public] == [mine.id]
    both = (await client.users_conversations(types="public_channel,private_channel"))["channels"]
    assert {c["id"] for c in both} == {mine.id, secret.id}


async def test_usergroups(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    group = fake.add_usergroup("oncall", name="On-call", users=[alice.id])
    listed = (await client.usergroups_list(include_users=True))["usergroups"]
    assert [(g["id"], g["handle"], g["users"]) for g in listed] == [
        (group.id, "oncall", [alice.id])
    ]
    assert (await client.usergroups_users_list(usergroup=group.id))["users"] == [alice.id]
    missing = await slack_error(client.usergroups_users_list(usergroup="S404"))
    assert missing["error"] == "no_such_subteam"


# -- conversations -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "invalid_name_required"),
        ("x" * 81, "invalid_name_maxlength"),
        ("Incident", "invalid_name_specials"),
        ("inc 1", "invalid_name_specials"),
        ("inc.1", "invalid_name_specials"),
        ("--_", "invalid_name_punctuation"),
    ],
)
async def test_conversations_create_name_rules(
    client: AsyncWebClient, name: str, error: str
) -> None:
    body = await slack_error(client.conversations_create(name=name))
    assert body["error"] == error
    assert body["detail"]


async def test_conversations_create_and_info(fake: FakeSlack, client: AsyncWebClient) -> None:
    created = (await client.conversations_create(name="inc-42_db" + "x" * 71))["channel"]
    assert len(created["name"]) == 80
    assert re.fullmatch(r"C[0-9A-Z]{8,}", created["id"])
    assert created["is_member"] is True
    private = (await client.conversations_create(name="sec-1", is_private=True))["channel"]
    assert private["is_private"] is True
    assert fake.channels[private["id"]].members == ["UBOT"]
    taken = await slack_error(client.conversations_create(name="sec-1"))
    assert taken["error"] == "name_taken"
    info = await client.conversations_info(channel=private["id"], include_num_members=True)
    assert info["channel"]["num_members"] == 1
    missing = await slack_error(client.conversations_info(channel="C404"))
    assert missing["error"] == "channel_not_found"


async def test_private_channels_the_bot_is_not_in_do_not_exist_for_it(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    hidden = fake.add_channel("hr", is_private=True)
    for call in (
        client.conversations_info(channel=hidden.id),
        client.chat_postMessage(channel=hidden.id, text="hi"),
        client.conversations_history(channel=hidden.id),
    ):
        assert (await slack_error(call))["error"] == "channel_not_found"
    listed = (await client.conversations_list(types="private_channel"))["channels"]
    assert listed == []


async def test_public_channel_post_without_membership_needs_chat_write_public(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    public = fake.add_channel("general")
    await client.chat_postMessage(channel=public.id, text="allowed by chat:write.public")
    fake.chat_write_public = False
    refused = await slack_error(client.chat_postMessage(channel=public.id, text="x"))
    assert refused["error"] == "not_in_channel"
    assert (await slack_error(client.conversations_history(channel=public.id)))[
        "error"
    ] == "not_in_channel"


async def test_conversations_list_paginates_and_filters(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    ids = [fake.add_channel(f"c{i}").id for i in range(5)]
    archived = fake.add_channel("old")
    archived.is_archived = True
    seen: list[str] = []
    async for page in await client.conversations_list(limit=2, exclude_archived=True):
        seen.extend(c["id"] for c in page["channels"])
    assert seen == ids


async def test_invite_errors_and_force(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice, bob = fake.add_user("alice"), fake.add_user("bob")
    gone = fake.add_user("gone", deleted=True)
    channel = fake.add_channel("inc", members=["UBOT", alice.id])
    body = await slack_error(client.conversations_invite(channel=channel.id, users=[alice.id]))
    assert body["error"] == "already_in_channel"
    assert body["errors"] == [{"user": alice.id, "ok": False, "error": "already_in_channel"}]
    self_invite = await slack_error(client.conversations_invite(channel=channel.id, users="UBOT"))
    assert self_invite["error"] == "cant_invite_self"
    nobody = await slack_error(client.conversations_invite(channel=channel.id, users="U404"))
    assert nobody["error"] == "user_not_found"
    deactivated = await slack_error(client.conversations_invite(channel=channel.id, users=gone.id))
    assert deactivated["error"] == "cant_invite"
    # without force one bad id stops everyone
    mixed = [bob.id, "U404"]
    assert (await slack_error(client.conversations_invite(channel=channel.id, users=mixed)))[
        "error"
    ] == "user_not_found"
    assert bob.id not in channel.members
    forced = await client.conversations_invite(channel=channel.id, users=mixed, force=True)
    assert forced["errors"] == [{"user": "U404", "ok": False, "error": "user_not_found"}]
    assert channel.members == ["UBOT", alice.id, bob.id]


async def test_invite_needs_membership_and_a_live_channel(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice = fake.add_user("alice")
    outside = fake.add_channel("outside")
    refused = await slack_error(client.conversations_invite(channel=outside.id, users=alice.id))
    assert refused["error"] == "not_in_channel"
    archived = fake.add_channel("archived", members=["UBOT"])
    archived.is_archived = True
    refused = await slack_error(client.conversations_invite(channel=archived.id, users=alice.id))
    assert refused["error"] == "is_archived"


async def test_invite_accepts_list_shapes(fake: FakeSlack, client: AsyncWebClient) -> None:
    users = [fake.add_user(n).id for n in ("a", "b", "c", "d")]
    channel = fake.add_channel("inc", members=["UBOT"])
    # slack-sdk comma-joins a Python list into a query-string value ...
    await client.conversations_invite(channel=channel.id, users=users[:2])
    # ... while a JSON body carries a real array
    await client.api_call("conversations.invite", json={"channel": channel.id, "users": users[2:]})
    assert channel.members == ["UBOT", *users]


async def test_kick_join_leave(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice, bob = fake.add_user("alice"), fake.add_user("bob")
    channel = fake.add_channel("ops", members=["UBOT", alice.id, bob.id])
    await client.conversations_kick(channel=channel.id, user=alice.id)
    again = await slack_error(client.conversations_kick(channel=channel.id, user=alice.id))
    assert again["error"] == "not_in_channel"
    assert (await slack_error(client.conversations_kick(channel=channel.id, user="UBOT")))[
        "error"
    ] == "cant_kick_self"
    joined = await client.conversations_join(channel=channel.id)
    assert joined["warning"] == "already_in_channel"
    alone = fake.add_channel("alone", members=["UBOT"])
    last = await slack_error(client.conversations_leave(channel=alone.id))
    assert last["error"] == "last_member"
    assert (await client.conversations_leave(channel=channel.id)).data == {"ok": True}
    assert (await client.conversations_leave(channel=channel.id)).data == {
        "ok": True,
        "not_in_channel": True,
    }
    await client.conversations_join(channel=channel.id)
    assert "UBOT" in channel.members
    private = fake.add_channel("priv", is_private=True, members=["UBOT"])
    refused = await slack_error(client.conversations_join(channel=private.id))
    assert refused["error"] == "method_not_supported_for_channel_type"


async def test_topic_and_purpose_limits(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    done = await client.conversations_setTopic(channel=channel.id, topic="t" * 250)
    assert done["channel"]["topic"]["value"] == "t" * 250
    too_long = await slack_error(client.conversations_setTopic(channel=channel.id, topic="t" * 251))
    assert too_long["error"] == "too_long"
    await client.conversations_setPurpose(channel=channel.id, purpose="why")
    too_long = await slack_error(
        client.conversations_setPurpose(channel=channel.id, purpose="p" * 251)
    )
    assert too_long["error"] == "too_long"
    assert channel.topic["value"] == "t" * 250
    assert channel.purpose["value"] == "why"
    subtypes = [m.subtype for m in fake.messages(channel.id)]
    assert subtypes == ["channel_topic", "channel_purpose"]


async def test_archive_unarchive_rename(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel_id = (await client.conversations_create(name="inc-7"))["channel"]["id"]
    await client.conversations_rename(channel=channel_id, name="inc-7-db")
    assert fake.channels[channel_id].previous_names == ["inc-7"]
    fake.add_channel("taken")
    taken = await slack_error(client.conversations_rename(channel=channel_id, name="taken"))
    assert taken["error"] == "name_taken"
    await client.conversations_archive(channel=channel_id)
    again = await slack_error(client.conversations_archive(channel=channel_id))
    assert again["error"] == "already_archived"
    post = await slack_error(client.chat_postMessage(channel=channel_id, text="x"))
    assert post["error"] == "is_archived"
    await client.conversations_unarchive(channel=channel_id)
    again = await slack_error(client.conversations_unarchive(channel=channel_id))
    assert again["error"] == "not_archived"
    await client.chat_postMessage(channel=channel_id, text="back")


async def test_conversations_open_gives_a_stable_dm(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice, bob = fake.add_user("alice"), fake.add_user("bob")
    first = await client.conversations_open(users=alice.id)
    second = await client.conversations_open(users=[alice.id])
    dm_id = first["channel"]["id"]
    assert dm_id.startswith("D")
    assert second["channel"]["id"] == dm_id
    assert second["already_open"] is True
    posted = await client.chat_postMessage(channel=alice.id, text="psst")
    assert posted["channel"] == dm_id
    group = await client.conversations_open(users=[alice.id, bob.id], return_im=True)
    assert group["channel"]["is_mpim"] is True
    assert (await slack_error(client.conversations_open(users="U404")))["error"] == "user_not_found"


# -- messages ----------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_post_message_errors(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    assert (await slack_error(client.chat_postMessage(channel=channel.id)))["error"] == "no_text"
    assert (await slack_error(client.chat_postMessage(channel="C404", text="x")))[
        "error"
    ] == "channel_not_found"
    too_long = await slack_error(client.chat_postMessage(channel=channel.id, text="x" * 40_001))
    assert too_long["error"] == "msg_too_long"
    await client.chat_postMessage(channel=channel.id, text="x" * 40_000)
    # a name works as well as an id
    by_name = await client.chat_postMessage(channel="#ops", text="hello")
    assert by_name["channel"] == channel.id
    assert [m.text for m in fake.messages(channel.id)] == ["x" * 40_000, "hello"]


async def test_post_message_stores_what_it_was_given(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*SEV1*"}}]
    metadata = {"event_type": "incident_opened", "event_payload": {"id": "42"}}
    posted = await client.chat_postMessage(
        channel=channel.id, text="SEV1", blocks=blocks, metadata=metadata, unfurl_links=False
    )
    assert posted["message"]["blocks"] == blocks
    stored = fake.messages(channel.id)[0]
    assert (stored.ts, stored.user, stored.bot_id) == (posted["ts"], "UBOT", "B0BOT")
    assert (stored.blocks, stored.metadata, stored.unfurl_links) == (blocks, metadata, False)


async def test_ts_are_strictly_increasing_and_slack_shaped(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    posted = await asyncio.gather(
        *(client.chat_postMessage(channel=channel.id, text=str(i)) for i in range(20))
    )
    stamps = [m.ts for m in fake.messages(channel.id)]
    assert all(re.fullmatch(r"\d{10}\.\d{6}", ts) for ts in stamps)
    keys = [tuple(int(p) for p in ts.split(".")) for ts in stamps]
    assert keys == sorted(keys)
    assert len(set(keys)) == 20
    assert sorted(p["ts"] for p in posted) == stamps


async def test_threads_replies_and_broadcasts(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    channel = fake.add_channel("inc", members=["UBOT", alice.id])
    parent = (await client.chat_postMessage(channel=channel.id, text="parent"))["ts"]
    first = (await client.chat_postMessage(channel=channel.id, text="r1", thread_ts=parent))["ts"]
    # replying to a reply lands in the parent's thread
    await client.chat_postMessage(channel=channel.id, text="r2", thread_ts=first)
    fake.add_message(channel.id, "human reply", user=alice.id, thread_ts=parent)
    await client.chat_postMessage(
        channel=channel.id, text="loud", thread_ts=parent, reply_broadcast=True
    )
    assert [m.text for m in fake.replies(channel.id, parent)] == ["r1", "r2", "human reply", "loud"]
    assert [m.text for m in fake.messages(channel.id)] == ["parent", "loud"]
    head = fake.messages(channel.id)[0]
    assert (head.thread_ts, head.reply_count) == (parent, 4)
    history = (await client.conversations_history(channel=channel.id))["messages"]
    assert [m["text"] for m in history] == ["loud", "parent"]
    assert history[1]["reply_count"] == 4
    assert history[1]["reply_users"] == ["UBOT", alice.id]
    replies = (await client.conversations_replies(channel=channel.id, ts=parent))["messages"]
    assert [m["text"] for m in replies] == ["parent", "r1", "r2", "human reply", "loud"]
    assert all(m["thread_ts"] == parent for m in replies)
    missing = await slack_error(client.conversations_replies(channel=channel.id, ts="1.000001"))
    assert missing["error"] == "thread_not_found"


async def test_history_pagination_and_ranges(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    stamps = [
        (await client.chat_postMessage(channel=channel.id, text=str(i)))["ts"] for i in range(7)
    ]
    texts: list[str] = []
    more: list[bool] = []
    async for page in await client.conversations_history(channel=channel.id, limit=3):
        texts.extend(m["text"] for m in page["messages"])
        more.append(page["has_more"])
    assert texts == ["6", "5", "4", "3", "2", "1", "0"]
    assert more == [True, True, False]
    window = await client.conversations_history(
        channel=channel.id, oldest=stamps[1], latest=stamps[4]
    )
    assert [m["text"] for m in window["messages"]] == ["3", "2"]
    inclusive = await client.conversations_history(
        channel=channel.id, oldest=stamps[1], latest=stamps[4], inclusive=True
    )
    assert [m["text"] for m in inclusive["messages"]] == ["4", "3", "2", "1"]
    bad = await slack_error(client.conversations_history(channel=channel.id, cursor="!!"))
    assert bad["error"] == "invalid_cursor"


async def test_update_delete_and_permalink(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    channel = fake.add_channel("ops", members=["UBOT", alice.id])
    ts = (await client.chat_postMessage(channel=channel.id, text="v1"))["ts"]
    updated = await client.chat_update(channel=channel.id, ts=ts, text="v2")
    assert (updated["text"], updated["message"]["edited"]["user"]) == ("v2", "UBOT")
    assert fake.messages(channel.id)[0].text == "v2"
    human = fake.add_message(channel.id, "mine", user=alice.id)
    refused = await slack_error(client.chat_update(channel=channel.id, ts=human.ts, text="x"))
    assert refused["error"] == "cant_update_message"
    missing = await slack_error(client.chat_update(channel=channel.id, ts="1.000001", text="x"))
    assert missing["error"] == "message_not_found"
    refused = await slack_error(client.chat_delete(channel=channel.id, ts=human.ts))
    assert refused["error"] == "cant_delete_message"
    link = (await client.chat_getPermalink(channel=channel.id, message_ts=ts))["permalink"]
    assert link.endswith(f"/archives/{channel.id}/p{ts.replace('.', '')}")
    await client.chat_delete(channel=channel.id, ts=ts)
    assert [m.text for m in fake.messages(channel.id)] == ["mine"]
    gone = await slack_error(client.chat_delete(channel=channel.id, ts=ts))
    assert gone["error"] == "message_not_found"


async def test_deleting_a_thread_parent_leaves_a_tombstone(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    parent = (await client.chat_postMessage(channel=channel.id, text="p"))["ts"]
    reply = (await client.chat_postMessage(channel=channel.id, text="r", thread_ts=parent))["ts"]
    await client.chat_delete(channel=channel.id, ts=parent)
    assert [m.subtype for m in fake.messages(channel.id)] == ["tombstone"]
    await client.chat_delete(channel=channel.id, ts=reply)
    assert fake.messages(channel.id) == []


async def test_ephemeral_messages(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice, bob = fake.add_user("alice"), fake.add_user("bob")
    channel = fake.add_channel("ops", members=["UBOT", alice.id])
    done = await client.chat_postEphemeral(channel=channel.id, user=alice.id, text="only you")
    assert [(e.user, e.text, e.message_ts) for e in fake.ephemerals] == [
        (alice.id, "only you", done["message_ts"])
    ]
    refused = await slack_error(
        client.chat_postEphemeral(channel=channel.id, user=bob.id, text="x")
    )
    assert refused["error"] == "user_not_in_channel"
    assert fake.messages(channel.id) == []


# -- pins, reactions, bookmarks ---------------------------------------------


async def test_pins(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    fake.system_messages = False
    ts = (await client.chat_postMessage(channel=channel.id, text="summary"))["ts"]
    await client.pins_add(channel=channel.id, timestamp=ts)
    assert fake.pins[channel.id] == [ts]
    again = await slack_error(client.pins_add(channel=channel.id, timestamp=ts))
    assert again["error"] == "already_pinned"
    missing = await slack_error(client.pins_add(channel=channel.id, timestamp="1.000001"))
    assert missing["error"] == "message_not_found"
    items = (await client.pins_list(channel=channel.id))["items"]
    assert [(i["type"], i["message"]["ts"], i["created_by"]) for i in items] == [
        ("message", ts, "UBOT")
    ]
    await client.pins_remove(channel=channel.id, timestamp=ts)
    assert fake.pins[channel.id] == []
    assert (await slack_error(client.pins_remove(channel=channel.id, timestamp=ts)))[
        "error"
    ] == "no_pin"


async def test_pinning_posts_slacks_own_message(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    ts = (await client.chat_postMessage(channel=channel.id, text="summary"))["ts"]
    await client.pins_add(channel=channel.id, timestamp=ts)
    assert [m.subtype for m in fake.messages(channel.id)] == [None, "pinned_item"]


async def test_reactions(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    ts = (await client.chat_postMessage(channel=channel.id, text="ack?"))["ts"]
    await client.reactions_add(channel=channel.id, timestamp=ts, name="eyes")
    await client.reactions_add(channel=channel.id, timestamp=ts, name=":white_check_mark:")
    assert fake.messages(channel.id)[0].reactions == {
        "eyes": ["UBOT"],
        "white_check_mark": ["UBOT"],
    }
    again = await slack_error(client.reactions_add(channel=channel.id, timestamp=ts, name="eyes"))
    assert again["error"] == "already_reacted"
    bad = await slack_error(client.reactions_add(channel=channel.id, timestamp=ts, name="no way"))
    assert bad["error"] == "invalid_name"
    got = (await client.reactions_get(channel=channel.id, timestamp=ts))["message"]
    assert got["reactions"][0] == {"name": "eyes", "users": ["UBOT"], "count": 1}
    await client.reactions_remove(channel=channel.id, timestamp=ts, name="eyes")
    gone = await slack_error(client.reactions_remove(channel=channel.id, timestamp=ts, name="eyes"))
    assert gone["error"] == "no_reaction"


async def test_bookmarks(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel = fake.add_channel("inc", members=["UBOT"])
    added = await client.bookmarks_add(
        channel_id=channel.id,
        title="Runbook",
        type="link",
        link="https://runbooks/db",
        emoji=":book:",
    )
    bookmark = added["bookmark"]
    assert (bookmark["title"], bookmark["link"], bookmark["emoji"], bookmark["type"]) == (
        "Runbook",
        "https://runbooks/db",
        ":book:",
        "link",
    )
    assert bookmark["id"].startswith("Bk")
    bad_link = await slack_error(
        client.bookmarks_add(channel_id=channel.id, title="x", type="link", link="ftp://x")
    )
    assert bad_link["error"] == "invalid_link"
    bad_type = await slack_error(
        client.bookmarks_add(channel_id=channel.id, title="x", type="file", link="https://x")
    )
    assert bad_type["error"] == "invalid_bookmark_type"
    await client.bookmarks_edit(channel_id=channel.id, bookmark_id=bookmark["id"], title="RB")
    listed = (await client.bookmarks_list(channel_id=channel.id))["bookmarks"]
    assert [b["title"] for b in listed] == ["RB"]
    assert [b.title for b in fake.bookmarks[channel.id]] == ["RB"]
    await client.bookmarks_remove(channel_id=channel.id, bookmark_id=bookmark["id"])
    assert fake.bookmarks[channel.id] == []
    missing = await slack_error(
        client.bookmarks_remove(channel_id=channel.id, bookmark_id=bookmark["id"])
    )
    assert missing["error"] == "not_found"


# -- argument shapes ---------------------------------------------------------


async def test_blocks_as_a_json_string_in_a_form(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    blocks = '[{"type": "divider"}]'
    await client.api_call(
        "chat.postMessage", data={"channel": channel.id, "text": "t", "blocks": blocks}
    )
    assert fake.messages(channel.id)[0].blocks == [{"type": "divider"}]
    assert fake.calls_to("chat.postMessage")[0].args["blocks"] == blocks
    bad = await slack_error(
        client.api_call("chat.postMessage", data={"channel": channel.id, "blocks": "[nope"})
    )
    assert bad["error"] == "invalid_blocks_format"


async def _round_trip(client: AsyncWebClient, fake: FakeSlack, text: str, shape: str) -> None:
    channel = next(iter(fake.channels))
    args = {"channel": channel, "text": text}
    if shape == "json":
        await client.chat_postMessage(channel=channel, text=text)
    elif shape == "form":
        await client.api_call("chat.postMessage", data=args)
    else:
        await client.api_call("chat.postMessage", params=args)
    newest = (await client.conversations_history(channel=channel, limit=1))["messages"][0]
    assert newest["text"] == text
    assert fake.messages(channel)[-1].text == text


def test_any_text_round_trips_in_every_argument_shape() -> None:
    loop = asyncio.new_event_loop()
    fake = FakeSlack()
    loop.run_until_complete(fake.start())
    fake.add_channel("ops", members=["UBOT"])
    client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)

    @settings(max_examples=60, deadline=None)
    @given(
        text=st.text(min_size=1, max_size=200).filter(lambda t: t.strip() != ""),
        shape=st.sampled_from(["json", "form", "query"]),
    )
    def check(text: str, shape: str) -> None:
        loop.run_until_complete(_round_trip(client, fake, text, shape))

    try:
        check()
    finally:
        loop.run_until_complete(fake.stop())
        loop.close()


async def test_user_tokens_act_as_that_user(fake: FakeSlack) -> None:
    alice = fake.add_user("alice")
    channel = fake.add_channel("ops", members=["UBOT", alice.id])
    fake.add_token("xoxp-alice", alice.id)
    as_alice = AsyncWebClient(token="xoxp-alice", base_url=fake.api_url)
    me = await as_alice.auth_test()
    assert (me["user_id"], "bot_id" in me) == (alice.id, False)
    await as_alice.chat_postMessage(channel=channel.id, text="from a human")
    [message] = fake.messages(channel.id)
    assert (message.user, message.bot_id) == (alice.id, None)
