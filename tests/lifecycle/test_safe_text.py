"""User text never becomes a mention or a broadcast, on any surface of an incident's life."""

from __future__ import annotations

from datetime import timedelta

from fakes.slack.state import Message
from tests.lifecycle.conftest import World, blocks_text, mrkdwn

TITLE = "<!channel> <@U0BOB> & co"
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<@U0BOB>")


def _live_tokens(texts: list[str]) -> list[str]:
    return [text for text in texts if any(token in text for token in LIVE)]


async def test_typed_mentions_stay_text_everywhere(world: World) -> None:
    await world.declare(f"{TITLE} sev1")
    room = await world.room(1)
    await world.command("update <!here> rolled back", user=world.alice, channel=room)
    await world.command(f"task Ping <!everyone> <@{world.bob.id}>", user=world.alice, channel=room)
    await world.command(f"role scribe <@{world.bob.id}>", user=world.alice, channel=room)
    await world.later(timedelta(hours=1))  # a nudge and a digest
    await world.settled(world.driver.app_home_opened(world.alice.id))
    home = world.slack.home_view(world.alice.id)
    assert home is not None
    home_texts = mrkdwn(home.view["blocks"])
    await world.command("resolve <@U0BOB> fixed it", user=world.alice, channel=room)

    assert len(world.messages(world.stakeholders)) == 1  # the digest
    assert any("has had no update" in m.text for m in world.messages(room))
    posted: list[Message] = []  # everything the bot wrote: rooms, card threads, DMs
    for channel in world.slack.channels.values():
        posted += [
            m
            for m in world.slack.workspace.all_messages(channel.id)
            if m.user == "UBOT" and m.subtype is None
        ]
    assert len(posted) >= 10
    assert _live_tokens([text for m in posted for text in mrkdwn(m.blocks, m.text)]) == []
    assert "&lt;!channel&gt; &lt;@U0BOB&gt; &amp; co" in blocks_text((await world.card(1)).blocks)
    assert _live_tokens(home_texts) == [] and any("&lt;!channel&gt;" in t for t in home_texts)
