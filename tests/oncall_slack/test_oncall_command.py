"""`/oncall`, `/oncall <name>` and `/oncall help`, signed like Slack, answered privately."""

from __future__ import annotations

import pytest

from tests.oncall_slack.conftest import OnCallWorld, at, shown, token

TIMES = "Times are shown in your timezone."
SHOW_USAGE = "`/oncall &lt;service|team|schedule&gt;`"


def week_of_primary(world: OnCallWorld) -> list[str]:
    """bob and carol take turns each day at 09:00, bob first on Monday 23rd."""
    bob, carol = f"<@{world.id('bob')}>", f"<@{world.id('carol')}>"
    return [
        f"{token(at(day, 9))} – {token(at(day + 1, 9))} · {bob if day % 2 else carol}"
        for day in range(23, 30)
    ]


async def test_bare_oncall_lists_every_service_and_schedule_with_gaps(world: OnCallWorld) -> None:
    bob, dave = f"<@{world.id('bob')}>", f"<@{world.id('dave')}>"
    assert shown(await world.oncall()) == "\n".join(
        [
            "On call now",
            f"*api*: {bob} on *primary* until {token(at(24, 9))}",
            f"*web*: _nobody (gap)_ on *nights* until {token(at(23, 22))}",
            "*docs*: _no escalation policy_",
            "*Schedules*",
            f"*primary*: {bob} until {token(at(24, 9))}",
            f"*secondary*: {dave} until {token(at(30, 9))}",
            f"*nights*: _nobody (gap)_ until {token(at(23, 22))}",
            f"{TIMES} {SHOW_USAGE} shows the next 7 days.",
        ]
    )


async def test_a_schedule_shows_now_next_and_the_next_seven_days(world: OnCallWorld) -> None:
    bob, carol = f"<@{world.id('bob')}>", f"<@{world.id('carol')}>"
    assert shown(await world.oncall("primary")) == "\n".join(
        [
            "*Schedule primary* · Europe/London",
            f"Now: {bob} until {token(at(24, 9))}",
            f"Next: {carol} from {token(at(24, 9))}",
            "*Next 7 days*",
            *week_of_primary(world),
            TIMES,
        ]
    )


async def test_a_schedule_with_a_gap_now_shows_the_gap(world: OnCallWorld) -> None:
    world.clock.advance(at(24, 6) - world.clock.now())  # frank's first night just ended
    frank = f"<@{world.id('frank')}>"
    answer = shown(await world.oncall("NIGHTS")).splitlines()
    assert answer[:5] == [
        "*Schedule nights* · UTC",
        f"Now: _nobody (gap)_ until {token(at(24, 22))}",
        f"Next: {frank} from {token(at(24, 22))}",
        "*Next 7 days*",
        f"{token(at(24, 6))} – {token(at(24, 22))} · _nobody (gap)_",
    ]


async def test_a_service_shows_its_policy_and_its_schedule(world: OnCallWorld) -> None:
    bob, carol = f"<@{world.id('bob')}>", f"<@{world.id('carol')}>"
    assert shown(await world.oncall("api")) == "\n".join(
        [
            "*Service api* · escalation policy *api*",
            f"Paged first: {bob} on *primary* until {token(at(24, 9))}",
            "Then after 5m: team *sre*",
            "*Schedule primary* · Europe/London",
            f"Now: {bob} until {token(at(24, 9))}",
            f"Next: {carol} from {token(at(24, 9))}",
            "*Next 7 days*",
            *week_of_primary(world),
            TIMES,
        ]
    )


async def test_a_service_without_a_policy_says_so(world: OnCallWorld) -> None:
    assert shown(await world.oncall("docs")) == (
        "*Service docs* has no escalation policy: nobody is paged for it."
    )


async def test_a_team_lists_its_members(world: OnCallWorld) -> None:
    carol, dave = f"<@{world.id('carol')}>", f"<@{world.id('dave')}>"
    assert shown(await world.oncall("sre")) == "\n".join(
        [
            "*Team sre*",
            f"Members: {carol}, {dave}",
            "A page to the team reaches every member; a round-robin step pages one in turn.",
        ]
    )


@pytest.mark.parametrize(
    ("typed", "quoted"), [("nope", "nope"), ("<!channel>", "&lt;!channel&gt;")]
)
async def test_an_unknown_name_lists_the_valid_ones(
    world: OnCallWorld, typed: str, quoted: str
) -> None:
    assert shown(await world.oncall(typed)) == (
        f":no_entry_sign: Unknown service, team or schedule “{quoted}”. "
        "Services: api, web, docs. Teams: sre. Schedules: primary, secondary, nights."
    )


async def test_two_names_get_the_usage(world: OnCallWorld) -> None:
    assert shown(await world.oncall("api web")) == (
        f":no_entry_sign: Name one service, team or schedule. Usage: {SHOW_USAGE}"
    )


async def test_help_lists_the_oncall_commands(world: OnCallWorld) -> None:
    assert shown(await world.oncall("help")) == "\n".join(
        [
            "`/oncall`",
            "Who is on call now, for every service and schedule.",
            SHOW_USAGE,
            "Who is on call now and next, and the shifts of the next 7 days.",
            "`/oncall override &lt;@user&gt; &lt;duration|until HH:MM&gt; [schedule]`",
            "Cover a schedule from now: for 2h, 1h30m… or until a time on your clock.",
            "`/oncall help`",
            "Show the /oncall commands.",
        ]
    )
