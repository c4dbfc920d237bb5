"""Calendar feeds over real HTTP: the events are the resolver's shifts, and tokens are per feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from bot.domain.directory import Profile, lookup_user
from bot.domain.oncall import Schedule, shifts
from bot.domain.oncall.ical import feed_ref, feed_token, feed_url
from bot.runtime import OpsGuard
from fakes.clock import FakeClock
from tests.feeds.conftest import FEED_SECRET, Reply, World

Event = tuple[str, datetime, datetime]


def calendar(reply: Reply) -> Calendar:
    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(reply.body)


def events(cal: Calendar) -> list[Event]:
    found = []
    for event in cal.walk("VEVENT"):
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)
        found.append((str(event["X-SLACK-USER"]), start, end))
    return found


def expected(schedule: Schedule, now: datetime, user: str | None = None) -> list[Event]:
    """The spec: every non-gap shift that ends after now, within 60 days either way."""
    window = shifts(schedule, now - timedelta(days=60), now + timedelta(days=60))
    return [
        (s.user, s.start, s.end)
        for s in window
        if s.user is not None and s.end > now and user in (None, s.user)
    ]


async def test_schedule_feed_is_the_resolvers_shifts_without_gaps(world: World) -> None:
    primary = world.config.schedule("primary")
    assert primary is not None
    now = world.clock.now()
    window = shifts(primary, now, now + timedelta(days=60))
    assert any(s.is_gap for s in window)  # nights and weekends: gaps the feed must leave out

    reply = await world.feed("schedule", "primary")
    cal = calendar(reply)

    assert str(cal["X-WR-CALNAME"]) == "On call: primary"
    assert events(cal) == expected(primary, now)
    assert b"DTSTART:20261123T080000Z" in reply.body  # UTC, and the shift's real start
    summaries = {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
    assert summaries == {f"{world.id(n)} on call" for n in ("alice", "bob", "carol")}
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids))


async def test_imported_schedule_feed_matches_too(world: World) -> None:
    calendar_schedule = world.config.schedule("calendar")
    assert calendar_schedule is not None
    cal = calendar(await world.feed("schedule", "calendar"))
    found = events(cal)
    assert found == expected(calendar_schedule, world.clock.now())
    assert [user for user, _, _ in found] == [
        world.id(n) for n in ("dave", "carol", "alice", "bob")
    ]


async def test_summaries_use_cached_names(world: World) -> None:
    alice = world.id("alice")

    async def profile(user_id: str) -> Profile:
        return Profile(user_id, "alice", "Alice Liddell", None, "Europe/London", False, False)

    deps = world.guard.deps
    await lookup_user(deps.db, deps.clock, profile, alice)
    cal = calendar(await world.feed("schedule", "primary"))
    by_user = {str(e["X-SLACK-USER"]): str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
    assert by_user[alice] == "Alice Liddell on call"
    assert by_user[world.id("bob")] == f"{world.id('bob')} on call"
    assert str(calendar(await world.feed("user", alice))["X-WR-CALNAME"]) == (
        "Alice Liddell on call"
    )


async def test_user_feed_collects_the_users_shifts_across_schedules(world: World) -> None:
    alice, now = world.id("alice"), world.clock.now()
    cal = calendar(await world.feed("user", alice))
    want = sorted(
        (e, f"On call: {s.name}") for s in world.config.schedules for e in expected(s, now, alice)
    )
    found = [(e, str(v["SUMMARY"])) for e, v in zip(events(cal), cal.walk("VEVENT"), strict=True)]
    assert found == want
    assert {summary for _, summary in found} == {"On call: primary", "On call: calendar"}

    nobody = calendar(await world.feed("user", "U0NOBODY1"))
    assert events(nobody) == []


async def test_uids_stay_put_as_time_moves(world: World) -> None:
    def uids(cal: Calendar) -> dict[datetime, str]:
        return {e["DTSTART"].dt: str(e["UID"]) for e in cal.walk("VEVENT")}

    before = uids(calendar(await world.feed("schedule", "primary")))
    world.clock.advance(timedelta(hours=3))  # inside alice's shift: it keeps its real start
    after = uids(calendar(await world.feed("schedule", "primary")))
    common = before.keys() & after.keys()
    assert len(common) >= len(after) - 1
    assert all(before[start] == after[start] for start in common)


async def test_wrong_or_missing_tokens_are_401_json(world: World) -> None:
    alice, bob = world.id("alice"), world.id("bob")
    right = feed_token(FEED_SECRET, feed_ref("user", alice).path)
    wrong_tokens = [
        "",
        "0" * 32,
        right.upper(),
        right[:-1],
        right + "0",
        feed_token(FEED_SECRET, feed_ref("user", bob).path),  # bob's feed, not alice's
        feed_token(FEED_SECRET, feed_ref("schedule", "primary").path),
        feed_token("another-secret-0123456789", feed_ref("user", alice).path),
        "é" * 32,
        "\x00",
    ]
    for token in wrong_tokens:
        reply = await world.feed("user", alice, token=token)
        assert (reply.status, reply.headers["Content-Type"]) == (
            401,
            "application/json; charset=utf-8",
        ), token
        assert reply.json() == {"error": "missing or wrong token for this feed"}
    missing = await world.get(feed_ref("schedule", "primary").path)
    assert missing.status == 401 and "error" in missing.json()
    assert (await world.feed("user", alice, token=right)).status == 200


async def test_unknown_schedule_is_404_but_only_with_its_token(world: World) -> None:
    reply = await world.feed("schedule", "nope")
    assert reply.status == 404
    assert reply.json() == {"error": "no schedule named 'nope'"}
    assert (await world.get("/ical/schedules/nope.ics")).status == 401  # no token: no hint
    for path in ("/ical/schedules/Not%20A%20Name.ics", "/ical/users/alice.ics"):
        reply = await world.get(path, token="x")
        assert reply.status == 404 and reply.json() == {"error": "no such feed"}


async def test_feed_url_opens_exactly_its_feed(world: World) -> None:
    settings = world.guard.deps.settings.model_copy(update={"base_url": world.guard.url + "/"})
    url = feed_url(settings, "schedule", "primary")
    assert url.startswith(f"{world.guard.url}/ical/schedules/primary.ics?token=")
    async with world.http.get(url) as response:
        assert response.status == 200
    token = url.rsplit("=", 1)[1]
    assert (await world.feed("schedule", "calendar", token=token)).status == 401


async def test_feeds_and_cron_are_off_without_their_secrets(world: World) -> None:
    settings = world.guard.deps.settings.model_copy(update={"feed_secret": "", "cron_token": ""})
    off = OpsGuard(settings, world.config, clock=FakeClock(datetime(2026, 11, 23, tzinfo=UTC)))
    await off.start(migrate=False, host="127.0.0.1", port=0, scheduler=False)
    try:
        async with world.http.get(f"{off.url}/ical/schedules/primary.ics?token=x") as response:
            assert response.status == 404
            assert await response.json() == {
                "error": "calendar feeds are off (FEED_SECRET is not set)"
            }
        headers = {"Authorization": "Bearer anything"}
        async with world.http.post(
            f"{off.url}/api/cron/process-escalations", headers=headers
        ) as response:
            assert response.status == 404
            assert await response.json() == {
                "error": "the cron endpoint is off (CRON_TOKEN is not set)"
            }
    finally:
        await off.stop()
