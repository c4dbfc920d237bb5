"""The war room's conference bridge: a Zoom meeting, else the static Google Meet room.

A war room without a bridge is worse than one with a fallback room, so
:meth:`BridgeMaker.create` never raises for a Zoom failure: it falls back to
``GOOGLE_MEET_URL`` and returns a plain-words note saying why, for the caller to post.

Zoom (server-to-server OAuth) goes through zoomus, but zoomus 1.2.1's ``ZoomClient``
cannot be used as is: its constructor fetches a token synchronously with no HTTP
timeout (a hung Zoom would hold a worker thread for good), ignores the HTTP status
(a rejected secret becomes ``"Bearer None"``), drops ``expires_in`` and never refreshes
on its own. So :class:`_TokenCache` fetches the ``account_credentials`` token itself,
keeps one per process and renews it ahead of ``expires_in``; the meeting itself is
created by zoomus's ``MeetingComponentV2.create`` (the component ``ZoomClient.meeting``
returns), handed that token.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import requests
from zoomus.components.meeting import MeetingComponentV2  # type: ignore[import-untyped]
from zoomus.util import API_VERSION_2  # type: ignore[import-untyped]

log = logging.getLogger("opsguard.bridge")

TOPIC_MAX = 200  # Zoom rejects longer topics
AGENDA_MAX = 2000  # Zoom rejects longer agendas
MEETING_MINUTES = 60  # advisory only: Zoom does not end a meeting at its duration
REFRESH_MARGIN_S = 300.0  # renew this long before expiry (at most half the lifetime)
_DETAIL_MAX = 160  # longest piece of Zoom's own error text quoted in a note
_ZOOM_ENV = ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET")


@dataclass(frozen=True)
class BridgeSettings:
    """Plain values, so this module does not depend on how settings are loaded."""

    zoom_account_id: str = ""
    zoom_client_id: str = ""
    zoom_client_secret: str = field(default="", repr=False)  # kept out of logs
    zoom_api_url: str = "https://api.zoom.us/v2"
    zoom_oauth_url: str = "https://zoom.us/oauth/token"
    google_meet_url: str = ""
    timeout_s: float = 10.0

    @property
    def missing_zoom(self) -> list[str]:
        """The Zoom credential variables left empty."""
        values = (self.zoom_account_id, self.zoom_client_id, self.zoom_client_secret)
        return [name for name, value in zip(_ZOOM_ENV, values, strict=True) if not value]


@dataclass(frozen=True)
class Bridge:
    """Where responders talk. ``note`` explains a fallback (None when Zoom worked)."""

    url: str | None
    provider: Literal["zoom", "meet", "none"]
    note: str | None


class _ZoomError(Exception):
    """A Zoom call failed; ``reason`` says why in words fit for the war room."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class BridgeMaker:
    """Creates one bridge per incident, reusing one Zoom token across incidents.

    ``clock`` (seconds since the epoch) decides when the token is renewed and when the
    meeting starts; tests move it instead of sleeping. One instance per event loop.
    """

    def __init__(self, settings: BridgeSettings, *, clock: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._clock = clock
        self._tokens = _TokenCache(settings, clock)

    async def create(self, *, topic: str, agenda: str = "") -> Bridge:
        """A Zoom meeting's join URL, else the Meet room, else none; each fallback noted."""
        missing = self._settings.missing_zoom
        if len(missing) == len(_ZOOM_ENV):
            return self._fallback(f"Zoom is not configured ({', '.join(_ZOOM_ENV)} are unset)")
        if missing:
            return self._fallback(f"Zoom is not fully configured ({', '.join(missing)} unset)")
        try:
            async with asyncio.timeout(self._settings.timeout_s):
                url = await self._zoom_meeting(topic, agenda)
        except TimeoutError:
            reason = f"Zoom did not answer within {self._settings.timeout_s:g} s"
        except _ZoomError as exc:
            reason = exc.reason
        except Exception as exc:
            # A bug here (or in zoomus) must not leave the war room without a bridge.
            log.exception("unexpected error creating a Zoom meeting")
            reason = f"unexpected error talking to Zoom ({type(exc).__name__})"
        else:
            return Bridge(url=url, provider="zoom", note=None)
        log.warning("no Zoom meeting for %r: %s", topic, reason)
        return self._fallback(f"Could not create a Zoom meeting: {reason}")

    def _fallback(self, reason: str) -> Bridge:
        meet = self._settings.google_meet_url
        if meet:
            return Bridge(url=meet, provider="meet", note=f"{reason}. Using the Google Meet room.")
        return Bridge(
            url=None,
            provider="none",
            note=f"No conference bridge. {reason}, and GOOGLE_MEET_URL is not set.",
        )

    async def _zoom_meeting(self, topic: str, agenda: str) -> str:
        """The join URL; on 401 retries once with a new token (Zoom revokes tokens early)."""
        payload = _meeting_payload(topic, agenda, datetime.fromtimestamp(self._clock(), UTC))
        token = await self._tokens.get()
        try:
            return await asyncio.to_thread(self._create_meeting, token, payload)
        except _ZoomError as exc:
            if exc.status != 401:
                raise
            self._tokens.discard(token)
        token = await self._tokens.get()
        return await asyncio.to_thread(self._create_meeting, token, payload)

    def _create_meeting(self, token: str, payload: dict[str, Any]) -> str:
        """Runs in a worker thread: zoomus is synchronous."""
        meetings = MeetingComponentV2(
            base_uri=self._settings.zoom_api_url,
            config={"version": API_VERSION_2, "token": token},
            # zoomus casts its timeout to int; never let it round down to 0 (= no wait).
            timeout=max(1, math.ceil(self._settings.timeout_s)),
        )
        try:
            response = meetings.create(user_id="me", **payload)
        except requests.Timeout as exc:
            raise _ZoomError(f"Zoom did not answer within {self._settings.timeout_s:g} s") from exc
        except requests.RequestException as exc:
            raise _ZoomError(f"Zoom could not be reached ({type(exc).__name__})") from exc
        body = _json_object(response)
        if not 200 <= response.status_code < 300:
            raise _ZoomError(_api_failure(response, body), status=response.status_code)
        join_url = body.get("join_url")
        if not isinstance(join_url, str) or not join_url.startswith(("https://", "http://")):
            raise _ZoomError("Zoom created the meeting but sent no join link")
        return join_url


class _TokenCache:
    """One S2S OAuth token per process, renewed ahead of ``expires_in``.

    Zoom caps the live tokens per app, so callers share one token (the lock stops
    concurrent incidents from each fetching one) instead of fetching per meeting.
    """

    def __init__(self, settings: BridgeSettings, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    async def get(self) -> str:
        async with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                requested_at = self._clock()
                token, expires_in = await asyncio.to_thread(self._fetch)
                margin = min(REFRESH_MARGIN_S, expires_in / 2)
                self._token, self._renew_at = token, requested_at + expires_in - margin
            return self._token

    def discard(self, token: str) -> None:
        """Forget ``token`` (Zoom rejected it), unless it was already replaced."""
        if self._token == token:
            self._token = None

    def _fetch(self) -> tuple[str, float]:
        """Runs in a worker thread. ``(access_token, expires_in)``."""
        s = self._settings
        try:
            response = requests.post(
                s.zoom_oauth_url,
                data={"grant_type": "account_credentials", "account_id": s.zoom_account_id},
                auth=(s.zoom_client_id, s.zoom_client_secret),
                timeout=s.timeout_s,
            )
        except requests.Timeout as exc:
            raise _ZoomError(f"Zoom did not answer within {s.timeout_s:g} s") from exc
        except requests.RequestException as exc:
            raise _ZoomError(f"Zoom could not be reached ({type(exc).__name__})") from exc
        body = _json_object(response)
        status = response.status_code
        if status != 200:
            if status in (400, 401):
                detail = _detail(body.get("reason") or body.get("error"))
                raise _ZoomError(
                    f"Zoom rejected OpsGuard's Zoom credentials (HTTP {status}{detail})"
                )
            raise _ZoomError(_api_failure(response, body), status=status)
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token:
            raise _ZoomError("Zoom's sign-in answer had no access token")
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
            expires_in = 3600  # Zoom documents a one-hour lifetime
        return token, float(max(expires_in, 0))


def _meeting_payload(topic: str, agenda: str, now: datetime) -> dict[str, Any]:
    """A scheduled meeting starting now that anyone with the link can join.

    Scheduled (type 2) rather than instant, because join-before-host applies only to
    scheduled meetings and the host (the Zoom app's owner) never joins a war room.
    """
    return {
        "topic": _clip(topic.strip() or "Incident", TOPIC_MAX),
        "type": 2,
        "start_time": now.replace(microsecond=0),  # zoomus formats it as UTC "...Z"
        "duration": MEETING_MINUTES,
        "timezone": "UTC",
        "agenda": _clip(agenda, AGENDA_MAX),
        "settings": {"join_before_host": True, "jbh_time": 0, "waiting_room": False},
    }


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_object(response: Any) -> dict[str, Any]:
    """The body as a JSON object; a proxy's HTML error page becomes a _ZoomError."""
    try:
        body = response.json()
    except ValueError as exc:
        raise _ZoomError(
            f"Zoom sent an unreadable answer (HTTP {response.status_code}, not JSON)",
            status=response.status_code,
        ) from exc
    if not isinstance(body, dict):
        raise _ZoomError(
            f"Zoom sent an unreadable answer (HTTP {response.status_code}, not a JSON object)",
            status=response.status_code,
        )
    return body


def _api_failure(response: Any, body: dict[str, Any]) -> str:
    status: int = response.status_code
    detail = _detail(body.get("message") or body.get("reason"))
    if status == 429:
        retry_after = response.headers.get("Retry-After")
        wait = f", retry after {retry_after} s" if retry_after else ""
        return f"Zoom is rate-limiting OpsGuard (HTTP 429{wait})"
    if status >= 500:
        return f"Zoom had a server error (HTTP {status})"
    if status == 401:
        return f"Zoom rejected OpsGuard's access token (HTTP 401{detail})"
    return f"Zoom refused to create the meeting (HTTP {status}{detail})"


def _detail(value: object) -> str:
    """``": <Zoom's words>"``, clipped, or nothing."""
    if not isinstance(value, str) or not value.strip():
        return ""
    return ": " + _clip(" ".join(value.split()), _DETAIL_MAX).rstrip(".")
