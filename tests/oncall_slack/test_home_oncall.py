"""The App Home's on-call lines: on call until when, and the next shift, per schedule."""

from __future__ import annotations

from datetime import timedelta

from tests.oncall_slack.conftest import OnCallWorld, at, token


def who(world: OnCallWorld, name: str) -> str:
    return f"<@{world.id(name)}>"


async def test_on_call_now_shows_until_when_and_the_next_shift(world: OnCallWorld) -> None:
    assert await world.open_home("bob") == (
        f"You are on call for *primary* until {token(at(24, 9))}. "
        f"Your next shift: {token(at(25, 9))} – {token(at(26, 9))}."
    )


async def test_every_schedule_you_are_in_gets_a_line(world: OnCallWorld) -> None:
    assert await world.open_home("carol") == "\n".join(
        [
            "You are not on call for *primary* now. "
            f"Your next shift: {token(at(24, 9))} – {token(at(25, 9))}.",
            "You are not on call for *secondary* now. "
            f"Your next shift: {token(at(30, 9))} – {token(at(30, 9) + timedelta(days=7))}.",
        ]
    )


async def test_someone_in_no_schedule_sees_no_on_call_section(world: OnCallWorld) -> None:
    assert await world.open_home("alice") == ""


async def test_a_cover_shows_on_the_home_of_whoever_covers(world: OnCallWorld) -> None:
    await world.oncall(f"override {who(world, 'alice')} 2h primary", by="erin")
    for name in ("alice", "bob"):  # both homes are refreshed without being opened
        await world.slack.wait_for_call(
            "views.publish", predicate=lambda c, n=name: c.args["user_id"] == world.id(n)
        )
    assert await world.open_home("alice") == (
        f"You are on call for *primary* until {token(at(23, 11))}. "
        "No next shift in the next 90 days."
    )
    # bob's shift now starts when the cover ends.
    assert await world.open_home("bob") == (
        f"You are not on call for *primary* now. "
        f"Your next shift: {token(at(23, 11))} – {token(at(24, 9))}."
    )


async def test_frank_on_call_tonight_and_the_night_after(world: OnCallWorld) -> None:
    world.clock.advance(at(23, 23) - world.clock.now())
    assert await world.open_home("frank") == (
        f"You are on call for *nights* until {token(at(24, 6))}. "
        f"Your next shift: {token(at(24, 22))} – {token(at(25, 6))}."
    )
