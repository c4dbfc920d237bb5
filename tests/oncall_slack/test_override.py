"""`/oncall override`: who may set a cover, for which schedule, until when, and its effect on
what `/oncall` shows and on whom the escalation engine pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.oncall_slack.conftest import OnCallWorld, at, shown, token

USAGE = "Usage: `/oncall override &lt;@user&gt; &lt;duration|until HH:MM&gt; [schedule]`"
DENIED = (
    ":no_entry_sign: You can only put yourself on call. OpsGuard admins can set a cover for anyone."
)


def who(world: OnCallWorld, name: str) -> str:
    return f"<@{world.id(name)}>"


async def now_and_next(world: OnCallWorld, schedule: str = "primary") -> list[str]:
    return shown(await world.oncall(schedule)).splitlines()[1:3]


async def test_covering_for_yourself_puts_you_on_call(world: OnCallWorld) -> None:
    bob, carol = who(world, "bob"), who(world, "carol")
    answer = await world.oncall(f"override {carol} 2h primary", by="carol")
    assert shown(answer) == (
        f":white_check_mark: {carol} is on call for *primary* from now until "
        f"{token(at(23, 11))}. Covering {bob}."
    )
    assert shown(await world.oncall("primary")).splitlines()[1:6] == [
        f"Now: {carol} (cover) until {token(at(23, 11))}",
        f"Next: {bob} from {token(at(23, 11))}",
        "*Next 7 days*",
        f"{token(at(23, 9))} – {token(at(23, 11))} · {carol} (cover)",
        f"{token(at(23, 11))} – {token(at(24, 9))} · {bob}",
    ]


async def test_covering_for_someone_else_is_refused(world: OnCallWorld) -> None:
    bob, carol = who(world, "bob"), who(world, "carol")
    assert shown(await world.oncall(f"override <@{world.id('carol')}|carol> 2h primary")) == (
        DENIED
    )
    assert shown(await world.oncall(f"override {bob} 2h primary", by="carol")) == DENIED
    assert await now_and_next(world) == [
        f"Now: {bob} until {token(at(24, 9))}",
        f"Next: {carol} from {token(at(24, 9))}",
    ]


async def test_an_admin_may_put_anyone_on_call_and_they_are_told(world: OnCallWorld) -> None:
    bob, dave, erin = who(world, "bob"), who(world, "dave"), who(world, "erin")
    answer = await world.oncall(f"override {dave} 1h30m primary", by="erin")
    assert shown(answer) == (
        f":white_check_mark: {dave} is on call for *primary* from now until "
        f"{token(at(23, 10, 30))}. Covering {bob}."
    )
    await world.slack.wait_for_call(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == world.id("dave")
    )
    assert world.dms_to("dave") == [
        f":pager: {erin} put you on call for *primary* from now until {token(at(23, 10, 30))}."
    ]
    assert (await now_and_next(world))[0] == f"Now: {dave} (cover) until {token(at(23, 10, 30))}"


async def test_until_is_read_on_the_requesters_clock(world: OnCallWorld) -> None:
    frank = who(world, "frank")
    # frank is in New York (04:00 there now) and in one schedule only, so it needs no name.
    answer = await world.oncall(f"override {frank} until 06:30", by="frank")
    assert shown(answer) == (
        f":white_check_mark: {frank} is on call for *nights* from now until "
        f"{token(at(23, 11, 30))}."
    )
    # erin is in London, where 06:30 has passed today: her "until 06:30" is tomorrow's.
    answer = await world.oncall(f"override {frank} until 06:30 nights", by="erin")
    assert shown(answer) == (
        f":white_check_mark: {frank} is on call for *nights* from now until {token(at(24, 6, 30))}."
    )


async def test_the_later_cover_wins_where_covers_overlap(world: OnCallWorld) -> None:
    bob, carol, dave = who(world, "bob"), who(world, "carol"), who(world, "dave")
    await world.oncall(f"override {carol} 2h primary", by="carol")
    await world.oncall(f"override {dave} 1h primary", by="erin")
    lines = shown(await world.oncall("primary")).splitlines()
    assert lines[1:3] == [
        f"Now: {dave} (cover) until {token(at(23, 10))}",
        f"Next: {carol} (cover) from {token(at(23, 10))}",
    ]
    assert lines[4:7] == [
        f"{token(at(23, 9))} – {token(at(23, 10))} · {dave} (cover)",
        f"{token(at(23, 10))} – {token(at(23, 11))} · {carol} (cover)",
        f"{token(at(23, 11))} – {token(at(24, 9))} · {bob}",
    ]


async def test_a_cover_changes_who_the_engine_pages_until_it_ends(world: OnCallWorld) -> None:
    carol = who(world, "carol")
    await world.oncall(f"override {carol} 30m primary", by="carol")
    await world.incident("declare API down service:api")
    await world.slack.wait_for_response(predicate=lambda r: "INC-1" in (r.text or ""))
    assert world.pages() == [world.id("carol")]
    world.clock.advance(timedelta(minutes=31))  # the cover is over: bob is back
    await world.incident("declare API down again service:api")
    await world.slack.wait_for_response(predicate=lambda r: "INC-2" in (r.text or ""))
    assert world.pages() == [world.id("carol"), world.id("bob")]


async def test_a_cover_set_during_escalation_is_paged_by_the_next_pass(
    world: OnCallWorld,
) -> None:
    # `web` pages the nights schedule: a gap now, so declaring pages nobody.
    await world.incident("declare Web down service:web")
    await world.slack.wait_for_response(predicate=lambda r: "INC-1" in (r.text or ""))
    assert world.pages() == []
    await world.oncall(f"override {who(world, 'dave')} 1h nights", by="erin")
    world.clock.advance(timedelta(minutes=5))
    await world.sweep()  # the policy's second pass: dave covers the gap now
    assert world.pages() == [world.id("dave")]


async def test_the_schedule_may_be_left_out_only_when_it_is_clear(world: OnCallWorld) -> None:
    bob, carol = who(world, "bob"), who(world, "carol")
    assert shown(await world.oncall(f"override {bob} 2h", by="bob")).startswith(
        f":white_check_mark: {bob} is on call for *primary*"
    )
    assert shown(await world.oncall(f"override {carol} 2h", by="carol")) == (
        ":no_entry_sign: You are in 2 schedules (primary, secondary): name one at the end."
    )
    assert shown(await world.oncall(f"override {carol} 2h", by="erin")) == (
        ":no_entry_sign: They are in 2 schedules (primary, secondary): name one at the end."
    )
    assert shown(await world.oncall(f"override {who(world, 'alice')} 2h")) == (
        ":no_entry_sign: You are in no schedule: name one at the end. "
        "Schedules: primary, secondary, nights."
    )
    assert shown(await world.oncall(f"override {bob} 2h nope", by="bob")) == (
        ":no_entry_sign: Unknown schedule “nope”. Schedules: primary, secondary, nights."
    )


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        ("", "Mention who covers, then for how long."),
        ("bob 2h primary", "Mention who covers, then for how long."),
        ("{bob}", "Mention who covers, then for how long."),
        ("{bob} 2h primary now", "Mention who covers, then for how long."),
        ("{bob} soon primary", "“soon” is not a duration (like 30m, 2h, 1h30m or 1d)."),
        ("{bob} 8d primary", "A cover lasts at most 7d; 8d is longer."),
        ("{bob} until 25:00 primary", "“25:00” is not a time of day written HH:MM (like 17:30)."),
    ],
)
async def test_bad_input_gets_the_usage(world: OnCallWorld, words: str, problem: str) -> None:
    text = f"override {words.format(bob=who(world, 'bob'))}".strip()
    assert shown(await world.oncall(text, by="bob")) == f":no_entry_sign: {problem} {USAGE}"
