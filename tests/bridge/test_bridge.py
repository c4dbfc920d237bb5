"""BridgeMaker: a Zoom meeting through the real zoomus against FakeZoom, else Meet, else none."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import replace

import pytest

from bot.bridge import TOPIC_MAX, Bridge, BridgeMaker, BridgeSettings
from fakes.zoom import TOKEN_PATH, FakeZoom

MEET = "https://meet.google.com/abc-defg-hij"


class ManualClock:
    """Seconds since the epoch, moved only by :meth:`advance`, so no test sleeps."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def zoom_settings(zoom: FakeZoom, **overrides: object) -> BridgeSettings:
    settings = BridgeSettings(
        zoom_account_id=zoom.account_id,
        zoom_client_id=zoom.client_id,
        zoom_client_secret=zoom.client_secret,
        zoom_api_url=zoom.api_url,
        zoom_oauth_url=zoom.oauth_url,
        google_meet_url=MEET,
        timeout_s=2.0,
    )
    return replace(settings, **overrides)  # type: ignore[arg-type]


def bearer(zoom: FakeZoom, n: int) -> str | None:
    """The Authorization header of the ``n``-th (1-based) meeting request."""
    return zoom.calls_to(zoom.meetings_path)[n - 1].authorization


# -- Zoom works ---------------------------------------------------------------


async def test_creates_a_joinable_zoom_meeting(zoom: FakeZoom, clock: ManualClock) -> None:
    maker = BridgeMaker(zoom_settings(zoom), clock=clock)

    bridge = await maker.create(topic="INC-123: DB outage", agenda="Primary is down")

    [meeting] = zoom.meetings
    assert bridge == Bridge(url=meeting["join_url"], provider="zoom", note=None)
    assert meeting["topic"] == "INC-123: DB outage"
    assert meeting["agenda"] == "Primary is down"
    # Nobody hosts a war room, so anyone with the link must get in.
    assert meeting["type"] == 2
    assert meeting["settings"]["join_before_host"] is True
    assert meeting["settings"]["waiting_room"] is False
    assert meeting["start_time"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(clock.now))


async def test_long_topic_is_cut_to_zoom_limit(zoom: FakeZoom) -> None:
    # FakeZoom rejects topics over 200 characters, as Zoom does.
    bridge = await BridgeMaker(zoom_settings(zoom)).create(topic="INC-9: " + "x" * 300)

    assert bridge.provider == "zoom"
    topic = zoom.meetings[0]["topic"]
    assert len(topic) == TOPIC_MAX
    assert topic.startswith("INC-9: xxx")
    assert topic.endswith("…")


async def test_one_token_serves_many_meetings(zoom: FakeZoom, clock: ManualClock) -> None:
    maker = BridgeMaker(zoom_settings(zoom), clock=clock)

    first = await maker.create(topic="INC-1: a")
    clock.advance(600)
    second = await maker.create(topic="INC-2: b")

    assert (first.provider, second.provider) == ("zoom", "zoom")
    assert first.url != second.url
    assert zoom.token_requests == 1
    assert bearer(zoom, 1) == bearer(zoom, 2)


async def test_concurrent_incidents_share_one_token_request(zoom: FakeZoom) -> None:
    zoom.latency = 0.05  # both requests are in flight at once
    maker = BridgeMaker(zoom_settings(zoom))

    bridges = await asyncio.gather(*(maker.create(topic=f"INC-{n}") for n in range(3)))

    assert [b.provider for b in bridges] == ["zoom"] * 3
    assert zoom.token_requests == 1


async def test_token_is_renewed_ahead_of_expiry(zoom: FakeZoom, clock: ManualClock) -> None:
    zoom.expires_in = 60  # renewed once less than 30 s (half the lifetime) remain
    maker = BridgeMaker(zoom_settings(zoom), clock=clock)

    await maker.create(topic="INC-1")
    clock.advance(29)
    await maker.create(topic="INC-2")
    assert zoom.token_requests == 1

    clock.advance(2)
    bridge = await maker.create(topic="INC-3")

    assert bridge.provider == "zoom"
    assert zoom.token_requests == 2
    assert bearer(zoom, 3) != bearer(zoom, 2)


async def test_revoked_token_is_replaced_once(zoom: FakeZoom) -> None:
    maker = BridgeMaker(zoom_settings(zoom))
    await maker.create(topic="INC-1")
    zoom.revoke_tokens()  # e.g. another replica's token requests pushed ours out

    bridge = await maker.create(topic="INC-2")

    assert bridge.provider == "zoom"
    assert zoom.token_requests == 2
    assert [c.status for c in zoom.calls_to(zoom.meetings_path)] == [201, 401, 201]


# -- Zoom fails: fall back to Meet, saying why ----------------------------------


async def test_persistent_401_falls_back_after_one_new_token(zoom: FakeZoom) -> None:
    zoom.fail_next(zoom.meetings_path, status=401, times=5)

    bridge = await BridgeMaker(zoom_settings(zoom)).create(topic="INC-1")

    assert bridge.url == MEET
    assert bridge.provider == "meet"
    assert bridge.note == (
        "Could not create a Zoom meeting: Zoom rejected OpsGuard's access token "
        "(HTTP 401: Invalid access token). Using the Google Meet room."
    )
    assert zoom.token_requests == 2
    assert len(zoom.calls_to(zoom.meetings_path)) == 2


async def test_wrong_secret_falls_back_naming_the_credentials(zoom: FakeZoom) -> None:
    settings = zoom_settings(zoom, zoom_client_secret="not-the-secret")

    bridge = await BridgeMaker(settings).create(topic="INC-1")

    assert bridge.provider == "meet"
    assert bridge.note == (
        "Could not create a Zoom meeting: Zoom rejected OpsGuard's Zoom credentials "
        "(HTTP 400: Invalid client_id or client_secret). Using the Google Meet room."
    )
    assert zoom.calls_to(zoom.meetings_path) == []


@pytest.mark.parametrize(
    ("path", "status", "retry_after", "cause"),
    [
        ("meetings", 500, None, "Zoom had a server error (HTTP 500)"),
        (TOKEN_PATH, 503, None, "Zoom had a server error (HTTP 503)"),
        (TOKEN_PATH, 401, None, "Zoom rejected OpsGuard's Zoom credentials (HTTP 401: "),
        ("meetings", 429, 30, "Zoom is rate-limiting OpsGuard (HTTP 429, retry after 30 s)"),
    ],
)
async def test_zoom_error_falls_back_to_meet(
    zoom: FakeZoom, path: str, status: int, retry_after: int | None, cause: str
) -> None:
    zoom.fail_next(
        zoom.meetings_path if path == "meetings" else path, status=status, retry_after=retry_after
    )

    bridge = await BridgeMaker(zoom_settings(zoom)).create(topic="INC-1")

    assert bridge.url == MEET
    assert bridge.provider == "meet"
    assert bridge.note is not None
    assert bridge.note.startswith(f"Could not create a Zoom meeting: {cause}")
    assert bridge.note.endswith("Using the Google Meet room.")
    assert zoom.meetings == []


async def test_unreadable_answer_falls_back(zoom: FakeZoom) -> None:
    zoom.fail_next(zoom.meetings_path, status=200, body="<html>Bad gateway</html>")

    bridge = await BridgeMaker(zoom_settings(zoom)).create(topic="INC-1")

    assert bridge.provider == "meet"
    assert bridge.note == (
        "Could not create a Zoom meeting: Zoom sent an unreadable answer (HTTP 200, not JSON). "
        "Using the Google Meet room."
    )


@pytest.mark.parametrize("slow", [TOKEN_PATH, "meetings"])
async def test_slow_zoom_falls_back_within_the_timeout(zoom: FakeZoom, slow: str) -> None:
    maker = BridgeMaker(zoom_settings(zoom, timeout_s=0.1))
    if slow == "meetings":
        await maker.create(topic="INC-0")  # caches a token, so only the meeting is slow
    zoom.latency = 1.0

    started = time.monotonic()
    bridge = await maker.create(topic="INC-1")
    elapsed = time.monotonic() - started

    assert bridge.provider == "meet"
    assert bridge.note == (
        "Could not create a Zoom meeting: Zoom did not answer within 0.1 s. "
        "Using the Google Meet room."
    )
    assert elapsed < 0.6


async def test_unreachable_zoom_falls_back() -> None:
    with socket.socket() as sock:  # a port nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = BridgeSettings(
        zoom_account_id="a",
        zoom_client_id="b",
        zoom_client_secret="c",
        zoom_api_url=f"http://127.0.0.1:{port}/v2",
        zoom_oauth_url=f"http://127.0.0.1:{port}/oauth/token",
        google_meet_url=MEET,
        timeout_s=2.0,
    )

    bridge = await BridgeMaker(settings).create(topic="INC-1")

    assert bridge.provider == "meet"
    assert bridge.note == (
        "Could not create a Zoom meeting: Zoom could not be reached (ConnectionError). "
        "Using the Google Meet room."
    )


async def test_zoom_failure_without_meet_gives_no_bridge(zoom: FakeZoom) -> None:
    zoom.fail_next(zoom.meetings_path, status=500)

    bridge = await BridgeMaker(zoom_settings(zoom, google_meet_url="")).create(topic="INC-1")

    assert bridge == Bridge(
        url=None,
        provider="none",
        note="No conference bridge. Could not create a Zoom meeting: Zoom had a server error "
        "(HTTP 500), and GOOGLE_MEET_URL is not set.",
    )


# -- Zoom not configured ----------------------------------------------------------


async def test_no_zoom_credentials_uses_meet_with_a_note() -> None:
    bridge = await BridgeMaker(BridgeSettings(google_meet_url=MEET)).create(topic="INC-1")

    assert bridge == Bridge(
        url=MEET,
        provider="meet",
        note="Zoom is not configured (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET are "
        "unset). Using the Google Meet room.",
    )


async def test_partial_zoom_credentials_name_what_is_missing(zoom: FakeZoom) -> None:
    settings = zoom_settings(zoom, zoom_client_secret="")

    bridge = await BridgeMaker(settings).create(topic="INC-1")

    assert bridge.provider == "meet"
    assert bridge.note == (
        "Zoom is not fully configured (ZOOM_CLIENT_SECRET unset). Using the Google Meet room."
    )
    assert zoom.calls == []


async def test_neither_zoom_nor_meet_gives_no_bridge() -> None:
    bridge = await BridgeMaker(BridgeSettings()).create(topic="INC-1")

    assert bridge.url is None
    assert bridge.provider == "none"
    assert bridge.note == (
        "No conference bridge. Zoom is not configured (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, "
        "ZOOM_CLIENT_SECRET are unset), and GOOGLE_MEET_URL is not set."
    )


def test_settings_repr_hides_the_secret() -> None:
    assert "hunter2" not in repr(BridgeSettings(zoom_client_secret="hunter2"))
