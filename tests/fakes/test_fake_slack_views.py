"""The fake's views.* methods, trigger ids and Block Kit validation, via AsyncWebClient."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from fakes.slack import FakeSlack
from tests.fakes.support import slack_error

pytestmark = pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")


def section(text: str = "hi") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(callback_id: str = "declare", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": '{"channel": "C1"}',
        "title": {"type": "plain_text", "text": "Declare incident"},
        "submit": {"type": "plain_text", "text": "Declare"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
        **extra,
    }


# -- trigger ids -------------------------------------------------------------


async def test_views_open_records_the_modal(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    opened = await client.views_open(trigger_id=fake.new_trigger_id(alice.id), view=modal())
    view = opened["view"]
    assert view["id"].startswith("V")
    assert (view["callback_id"], view["root_view_id"], view["previous_view_id"]) == (
        "declare",
        view["id"],
        None,
    )
    stored = fake.views[view["id"]]
    assert (stored.user_id, stored.type, stored.hash) == (alice.id, "modal", view["hash"])
    assert stored.view["private_metadata"] == '{"channel": "C1"}'
    assert stored.view["blocks"] == modal()["blocks"]


async def test_trigger_ids_expire_after_three_seconds(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice = fake.add_user("alice")
    fresh_enough = fake.new_trigger_id(alice.id, age=2.9)
    await client.views_open(trigger_id=fresh_enough, view=modal())
    stale = fake.new_trigger_id(alice.id, age=3.1)
    expired = await slack_error(client.views_open(trigger_id=stale, view=modal()))
    assert expired["error"] == "expired_trigger_id"


async def test_trigger_ids_are_single_use_and_must_exist(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice = fake.add_user("alice")
    trigger = fake.new_trigger_id(alice.id)
    await client.views_open(trigger_id=trigger, view=modal())
    reused = await slack_error(client.views_open(trigger_id=trigger, view=modal()))
    assert reused["error"] == "exchanged_trigger_id"
    made_up = await slack_error(client.views_open(trigger_id="1.2.abc", view=modal()))
    assert made_up["error"] == "invalid_trigger_id"


async def test_an_invalid_view_does_not_use_up_the_trigger(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice = fake.add_user("alice")
    trigger = fake.new_trigger_id(alice.id)
    broken = modal(blocks=[{"type": "nonsense"}])
    assert (await slack_error(client.views_open(trigger_id=trigger, view=broken)))[
        "error"
    ] == "invalid_arguments"
    await client.views_open(trigger_id=trigger, view=modal())


# -- push, update, publish ---------------------------------------------------


async def test_views_push_stacks_up_to_three(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    root = await client.views_open(trigger_id=fake.new_trigger_id(alice.id), view=modal())
    root_id = root["view"]["id"]
    pushed = await client.views_push(trigger_id=fake.new_trigger_id(alice.id), view=modal("two"))
    assert (pushed["view"]["root_view_id"], pushed["view"]["previous_view_id"]) == (
        root_id,
        root_id,
    )
    await client.views_push(trigger_id=fake.new_trigger_id(alice.id), view=modal("three"))
    assert [v.view["callback_id"] for v in fake.modal_stack(alice.id)] == [
        "declare",
        "two",
        "three",
    ]
    full = await slack_error(
        client.views_push(trigger_id=fake.new_trigger_id(alice.id), view=modal("four"))
    )
    assert full["error"] == "push_limit_reached"
    fake.close_view(root_id)
    assert fake.modal_stack(alice.id) == []


async def test_views_update_by_id_or_external_id_with_hash_check(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice = fake.add_user("alice")
    opened = await client.views_open(
        trigger_id=fake.new_trigger_id(alice.id), view=modal(external_id="inc-9")
    )
    view_id, first_hash = opened["view"]["id"], opened["view"]["hash"]
    updated = await client.views_update(view_id=view_id, hash=first_hash, view=modal("step2"))
    assert updated["view"]["id"] == view_id
    assert updated["view"]["hash"] != first_hash
    assert fake.views[view_id].view["callback_id"] == "step2"
    stale = await slack_error(
        client.views_update(view_id=view_id, hash=first_hash, view=modal("step3"))
    )
    assert stale["error"] == "hash_conflict"
    await client.views_update(external_id="inc-9", view=modal("step3"))
    assert fake.views[view_id].view["callback_id"] == "step3"
    missing = await slack_error(client.views_update(view_id="V404", view=modal()))
    assert missing["error"] == "not_found"


async def test_views_publish_sets_the_home_tab(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    assert fake.home_view(alice.id) is None
    home = {"type": "home", "blocks": [section("Open incidents: 0")]}
    first = (await client.views_publish(user_id=alice.id, view=home))["view"]
    assert fake.home_view(alice.id) is not None
    second = await client.views_publish(
        user_id=alice.id,
        hash=first["hash"],
        view={"type": "home", "blocks": [section("Open incidents: 1")]},
    )
    assert second["view"]["id"] == first["id"]
    view = fake.home_view(alice.id)
    assert view is not None and view.view["blocks"] == [section("Open incidents: 1")]
    stale = await slack_error(client.views_publish(user_id=alice.id, hash=first["hash"], view=home))
    assert stale["error"] == "hash_conflict"
    nobody = await slack_error(client.views_publish(user_id="U404", view=home))
    assert nobody["error"] == "invalid_arguments"
    wrong_type = await slack_error(client.views_publish(user_id=alice.id, view=modal()))
    assert wrong_type["error"] == "invalid_arguments"


# -- Block Kit ---------------------------------------------------------------


async def test_views_with_bad_blocks_are_invalid_arguments(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice = fake.add_user("alice")

    async def open_error(view: dict[str, Any]) -> dict[str, Any]:
        return await slack_error(
            client.views_open(trigger_id=fake.new_trigger_id(alice.id), view=view)
        )

    unknown = await open_error(modal(blocks=[section(), {"type": "sparkles"}]))
    assert unknown["error"] == "invalid_arguments"
    assert unknown["response_metadata"]["messages"] == [
        "[ERROR] must be a valid enum value [json-pointer:/view/blocks/1/type]"
    ]
    too_many = await open_error(modal(blocks=[section(str(i)) for i in range(101)]))
    assert (
        "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"
        in too_many["response_metadata"]["messages"]
    )
    no_title = modal()
    del no_title["title"]
    assert (await open_error(no_title))["error"] == "invalid_arguments"
    no_submit = modal()
    del no_submit["submit"]
    assert (await open_error(no_submit))["error"] == "invalid_arguments"
    await client.views_open(
        trigger_id=fake.new_trigger_id(alice.id),
        view=modal(blocks=[section(str(i)) for i in range(100)]),
    )


async def test_home_tab_block_limit(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    blocks = [section(str(i)) for i in range(101)]
    refused = await slack_error(
        client.views_publish(user_id=alice.id, view={"type": "home", "blocks": blocks})
    )
    assert refused["error"] == "invalid_arguments"


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([{"type": "sparkles"}], "/blocks/0/type"),
        (
            [section(), {"type": "section", "text": {"type": "rich", "text": "x"}}],
            "/blocks/1/text/type",
        ),
        (
            [{"type": "actions", "elements": [{"type": "lever", "action_id": "a"}]}],
            "/blocks/0/elements/0/type",
        ),
        ([{"type": "section", "txt": {"type": "mrkdwn", "text": "typo"}}], "/blocks/0"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "/blocks/0"),
        ([{"text": {"type": "mrkdwn", "text": "no type"}}], "/blocks/0"),
        ([section(str(i)) for i in range(51)], "/blocks"),
    ],
)
async def test_messages_with_bad_blocks_are_invalid_blocks(
    fake: FakeSlack, client: AsyncWebClient, blocks: list[Any], pointer: str
) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    body = await slack_error(client.chat_postMessage(channel=channel.id, text="t", blocks=blocks))
    assert body["error"] == "invalid_blocks"
    assert any(e.endswith(f"[json-pointer:{pointer}]") for e in body["errors"]), body["errors"]
    assert body["response_metadata"]["messages"] == [f"[ERROR] {e}" for e in body["errors"]]
    assert fake.messages(channel.id) == []


async def test_fifty_blocks_and_rich_blocks_are_accepted(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    await client.chat_postMessage(
        channel=channel.id, text="t", blocks=[section(str(i)) for i in range(50)]
    )
    rich: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "SEV1: db down"}},
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": "*Status*"}, {"type": "mrkdwn", "text": "Open"}],
            "accessory": {
                "type": "static_select",
                "action_id": "severity",
                "placeholder": {"type": "plain_text", "text": "Severity"},
                "options": [{"text": {"type": "plain_text", "text": "SEV1"}, "value": "1"}],
            },
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "resolve",
                    "style": "danger",
                    "text": {"type": "plain_text", "text": "Resolve"},
                    "confirm": {
                        "title": {"type": "plain_text", "text": "Sure?"},
                        "text": {"type": "mrkdwn", "text": "Resolve it"},
                        "confirm": {"type": "plain_text", "text": "Yes"},
                        "deny": {"type": "plain_text", "text": "No"},
                    },
                },
                {
                    "type": "users_select",
                    "action_id": "ic",
                    "placeholder": {"type": "plain_text", "text": "IC"},
                },
            ],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "opened by <@U1>"}]},
        {"type": "divider"},
        {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": "log"}]}
            ],
        },
    ]
    await client.chat_postMessage(channel=channel.id, text="t", blocks=rich)
    assert [len(m.blocks) for m in fake.messages(channel.id)] == [50, 6]


async def test_blocks_that_are_not_a_list_are_invalid_blocks_format(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    body = await slack_error(
        client.api_call("chat.postMessage", json={"channel": channel.id, "blocks": {"a": 1}})
    )
    assert body["error"] == "invalid_blocks_format"


async def test_chat_update_validates_blocks_too(fake: FakeSlack, client: AsyncWebClient) -> None:
    channel = fake.add_channel("ops", members=["UBOT"])
    ts = (await client.chat_postMessage(channel=channel.id, text="t"))["ts"]
    body = await slack_error(
        client.chat_update(channel=channel.id, ts=ts, blocks=[{"type": "sparkles"}])
    )
    assert body["error"] == "invalid_blocks"
    await client.chat_update(channel=channel.id, ts=ts, text="t2", blocks=[section("new")])
    assert fake.messages(channel.id)[0].blocks == [section("new")]
