"""Declaring: the slash command, the form, both shortcuts, bad options, numbering, safe text."""

from __future__ import annotations

import asyncio

from blocks.ids import BlockId, CallbackId
from tests.lifecycle.conftest import World, blocks_text, mrkdwn, shown


async def test_bare_command_opens_the_form_and_submitting_it_declares(world: World) -> None:
    response = await world.command("", user=world.alice, channel=world.general)

    assert response.json is None or not response.json.get("text")
    [opened] = world.slack.calls_to("views.open")
    assert opened.ok and opened.args["view"]["callback_id"] == CallbackId.DECLARE_MODAL
    [modal] = world.slack.modal_stack(world.alice.id)
    await world.submit(
        modal,
        user=world.alice,
        values={
            BlockId.DECLARE_TITLE: "Payments slow",
            BlockId.DECLARE_SEVERITY: "SEV2",
            BlockId.DECLARE_SERVICE: "checkout",
            BlockId.DECLARE_COMMANDER: world.bob.id,
        },
    )

    incident = await world.incident(1)
    assert (incident.title, incident.severity, incident.service) == (
        "Payments slow",
        "SEV2",
        "checkout",
    )
    room = await world.room(1)
    assert room.name == "inc-1-payments-slow"
    assert {world.alice.id, world.bob.id, world.owner.id} <= set(room.members)
    # No response_url on a modal submission: the confirmation is a DM.
    [confirmation] = world.dms(world.alice)
    assert f"<#{room.id}>" in shown(confirmation)
    assert "*Incident commander*: <@" + world.bob.id in shown(await world.command_center(1))


async def test_declare_subcommand_with_options_confirms_through_the_response_url(
    world: World,
) -> None:
    response = await world.command(
        "declare Checkout 5xx sev1 service:checkout", user=world.alice, channel=world.general
    )

    assert response.json == {"text": "Declaring INC-1…", "response_type": "ephemeral"}
    incident = await world.incident(1)
    assert (incident.title, incident.severity, incident.service, incident.private) == (
        "Checkout 5xx",
        "SEV1",
        "checkout",
        False,
    )
    confirmation = await world.slack.wait_for_response()
    assert confirmation.body["response_type"] == "ephemeral"
    assert confirmation.body["replace_original"] is False
    assert f"Join the war room: <#{incident.channel_id}>" in blocks_text(confirmation.blocks)


async def test_declare_without_options_is_sev3_with_no_war_room(world: World) -> None:
    incident = await world.declare("Search is a bit slow")

    assert (incident.severity, incident.service, incident.channel_id) == ("SEV3", None, None)
    assert world.slack.calls_to("conversations.create") == []
    confirmation = await world.slack.wait_for_response()
    assert "No war room was opened" in blocks_text(confirmation.blocks)


async def test_global_shortcut_opens_the_form_with_me_as_commander(world: World) -> None:
    await world.settled(
        world.driver.global_shortcut(CallbackId.DECLARE_SHORTCUT, user=world.bob.id)
    )

    [modal] = world.slack.modal_stack(world.bob.id)
    assert modal.view["callback_id"] == CallbackId.DECLARE_MODAL
    assert f'"initial_user": "{world.bob.id}"' in blocks_text(modal.view["blocks"])
    await world.submit(modal, user=world.bob, values={BlockId.DECLARE_TITLE: "Login loops"})

    incident = await world.incident(1)
    assert (incident.title, incident.declared_by, incident.severity) == (
        "Login loops",
        world.bob.id,
        "SEV3",
    )
    assert "*Commander*\\n<@" + world.bob.id in shown(await world.card(1))


async def test_message_shortcut_prefills_the_description_with_text_and_permalink(
    world: World,
) -> None:
    said = world.slack.add_message(
        world.general.id, "checkout answers 502 for everyone", user=world.carol.id
    )

    await world.settled(
        world.driver.message_shortcut(
            CallbackId.DECLARE_FROM_MESSAGE,
            user=world.alice.id,
            channel=world.general.id,
            message_ts=said.ts,
        )
    )

    permalink = world.slack.calls_to("chat.getPermalink")[0].response["permalink"]
    [modal] = world.slack.modal_stack(world.alice.id)
    description = next(
        b for b in modal.view["blocks"] if b.get("block_id") == BlockId.DECLARE_DESCRIPTION
    )["element"]["initial_value"]
    assert description == f"checkout answers 502 for everyone\n\nFrom: {permalink}"
    await world.submit(modal, user=world.alice, values={BlockId.DECLARE_TITLE: "Checkout 502"})

    incident = await world.incident(1)
    assert incident.description == description


async def test_message_shortcut_where_opsguard_is_not_a_member_still_declares(
    world: World,
) -> None:
    secret = world.slack.add_channel("secret", is_private=True, members=[world.alice.id])
    said = world.slack.add_message(secret.id, "payroll export is empty", user=world.alice.id)

    await world.settled(
        world.driver.message_shortcut(
            CallbackId.DECLARE_FROM_MESSAGE,
            user=world.alice.id,
            channel=secret.id,
            message_ts=said.ts,
        )
    )

    assert [c.error for c in world.slack.calls_to("chat.getPermalink")] == ["channel_not_found"]
    [modal] = world.slack.modal_stack(world.alice.id)
    await world.submit(modal, user=world.alice, values={BlockId.DECLARE_TITLE: "Payroll empty"})
    assert (await world.incident(1)).description == "payroll export is empty"
    assert world.slack.responses == []  # no error report


async def test_a_declare_needs_a_title(world: World) -> None:
    response = await world.command("declare sev1 private", user=world.alice, channel=world.general)

    assert response.json is not None and response.json["response_type"] == "ephemeral"
    assert (
        "An incident needs a title. Usage: `/incident declare &lt;title&gt;"
        in (response.json["text"])
    )
    assert await world.find(1) is None


async def test_unknown_service_lists_the_valid_ones(world: World) -> None:
    response = await world.command(
        "declare Cart empty service:cart", user=world.alice, channel=world.general
    )

    assert response.json is not None and response.json["response_type"] == "ephemeral"
    assert "Unknown service “cart”. Valid services: checkout, search." in response.json["text"]
    assert await world.find(1) is None
    assert world.slack.calls_to("chat.postMessage") == []


async def test_unknown_severity_lists_the_valid_ones(world: World) -> None:
    response = await world.command(
        "declare Cart empty sev7", user=world.alice, channel=world.general
    )

    assert response.json is not None and response.json["response_type"] == "ephemeral"
    assert (
        "Unknown severity “SEV7”. Valid severities: SEV1, SEV2, SEV3, SEV4."
        in (response.json["text"])
    )
    assert await world.find(1) is None


async def test_twenty_concurrent_declares_get_numbers_one_to_twenty(world: World) -> None:
    before = world.handled()
    responses = await asyncio.gather(
        *(
            world.driver.command(
                "/incident",
                f"declare Flaky thing {i}",
                user=world.alice.id,
                channel=world.general.id,
            )
            for i in range(20)
        )
    )
    await world.until(lambda: world.handled() >= before + 20)

    acked = sorted(int(r.json["text"].split("-")[1].rstrip("…")) for r in responses if r.json)
    assert acked == list(range(1, 21))
    titles = {(await world.incident(n)).title for n in range(1, 21)}
    assert titles == {f"Flaky thing {i}" for i in range(20)}
    assert len(world.messages(world.incidents)) == 20


async def test_user_text_stays_text_in_the_card_and_the_command_center(world: World) -> None:
    await world.declare("<!channel> <@U0BOB> & co sev1")

    for message in (await world.card(1), await world.command_center(1)):
        texts = mrkdwn(message.blocks, message.text)
        assert any("&lt;!channel&gt; &lt;@U0BOB&gt; &amp; co" in text for text in texts)
        assert not any("<!channel>" in text or "<@U0BOB>" in text for text in texts)
    confirmation = await world.slack.wait_for_response()
    assert "&lt;!channel&gt;" in blocks_text(confirmation.blocks)
    assert "<!channel>" not in str(confirmation.body)
