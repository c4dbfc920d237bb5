"""The wire: signing, HTTP posting and Socket Mode delivery of ready-made payloads."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import urlencode

import aiohttp

from fakes.driver._blocks import JSON
from fakes.driver._protocols import FakeSlackLike
from fakes.driver.errors import SlackDriverError

Transport = Literal["http", "socket"]
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
# DriverResponse.status when a Socket Mode envelope got no ack within the timeout.
NO_ACK = 504
_FORM = "application/x-www-form-urlencoded"
_JSON_CT = "application/json"


@dataclass(frozen=True)
class DriverResponse:
    """What the app answered.

    Over Socket Mode ``status`` is 200 and ``json`` the ack payload (``{}`` for a bare
    ack), or ``status`` is :data:`NO_ACK` (504) when the app never acked in time.
    """

    status: int
    body: str
    json: dict[str, Any] | None
    headers: Mapping[str, str] = field(default_factory=dict)
    elapsed: float = 0.0  # seconds from sending to the app's answer (Slack allows 3)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class _TransportBase:
    """Owns the HTTP session and knows how Slack delivers each kind of payload."""

    def __init__(
        self,
        fake: FakeSlackLike,
        *,
        app_url: str | None = None,
        signing_secret: str | None = None,
        transport: Transport = "http",
        api_app_id: str | None = None,
        team_domain: str | None = None,
        verification_token: str = "fake-verification-token",
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        if transport not in ("http", "socket"):
            raise ValueError(f"transport must be 'http' or 'socket', not {transport!r}")
        if transport == "http" and (not app_url or not signing_secret):
            raise ValueError("the http transport needs app_url and signing_secret")
        self.fake = fake
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.transport: Transport = transport
        # The app/team identity comes from the fake (FakeSlack keeps it in .identity).
        identity = getattr(fake, "identity", None)
        team_id = getattr(identity, "team_id", None) or getattr(fake, "team_id", None)
        bot_user_id = getattr(identity, "bot_user_id", None) or getattr(fake, "bot_user_id", None)
        if not team_id or not bot_user_id:
            raise ValueError("the fake has no identity.team_id/bot_user_id")
        self.team_id: str = team_id
        self.bot_user_id: str = bot_user_id
        self.api_app_id: str = api_app_id or getattr(identity, "app_id", None) or "A0FAKEAPP01"
        self.team_domain: str = team_domain or getattr(identity, "domain", None) or "fake-team"
        self.bot_id: str = getattr(identity, "bot_id", None) or "B0FAKEBOT01"
        self.verification_token = verification_token
        self.timeout = timeout
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None
        self._seq = itertools.count(1)
        # Values the user has entered but not yet submitted, per message/view, keyed by
        # (block_id, action_id): Slack keeps them and reports them in later payloads.
        self._entered: dict[str, dict[tuple[str, str], tuple[str, Any]]] = {}

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def open(self) -> None:
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            self._session = aiohttp.ClientSession(timeout=timeout)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ------------------------------------------------------------------ signing & raw

    def sign(
        self, body: bytes, timestamp: int, *, signing_secret: str | None = None
    ) -> dict[str, str]:
        """Slack's v0 request signature headers for ``body`` sent at ``timestamp``."""
        secret = signing_secret if signing_secret is not None else self.signing_secret
        if secret is None:
            raise SlackDriverError("no signing secret to sign with")
        base = b"v0:" + str(timestamp).encode() + b":" + body
        digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
        return {"X-Slack-Signature": f"v0={digest}", "X-Slack-Request-Timestamp": str(timestamp)}

    async def raw_post(self, body: bytes, headers: Mapping[str, str]) -> DriverResponse:
        """POST ``body`` with exactly ``headers`` to the app (no signing, no defaults)."""
        if self._session is None:
            raise SlackDriverError("use `async with SlackDriver(...)` (or await open()) first")
        if self.app_url is None:
            raise SlackDriverError("raw_post needs app_url")
        started = time.perf_counter()
        async with self._session.post(self.app_url, data=body, headers=dict(headers)) as resp:
            text = await resp.text()
            elapsed = time.perf_counter() - started
            return DriverResponse(
                status=resp.status,
                body=text,
                json=_maybe_json(text),
                headers=dict(resp.headers),
                elapsed=elapsed,
            )

    async def _send(
        self,
        envelope_type: Literal["slash_commands", "interactive", "events_api"],
        payload: JSON,
        *,
        timestamp: int | None,
        signing_secret: str | None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> DriverResponse:
        if self.transport == "socket":
            if timestamp is not None or signing_secret is not None or extra_headers:
                raise SlackDriverError(
                    "timestamp/signing_secret/retry overrides only apply to the http transport"
                )
            started = time.perf_counter()
            ack = await self.fake.socket_send(envelope_type, payload, timeout=self.timeout)
            elapsed = time.perf_counter() - started
            if ack is None:  # the app never acked (Bolt does not, for unhandled requests)
                return DriverResponse(status=NO_ACK, body="", json=None, elapsed=elapsed)
            return DriverResponse(status=200, body=json.dumps(ack), json=ack, elapsed=elapsed)
        if envelope_type == "events_api":
            body, content_type = json.dumps(payload).encode(), _JSON_CT
        elif envelope_type == "slash_commands":
            body, content_type = urlencode(payload).encode(), _FORM
        else:
            body, content_type = urlencode({"payload": json.dumps(payload)}).encode(), _FORM
        ts = int(self._clock()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "User-Agent": SLACK_USER_AGENT,
            "Accept": "application/json,*/*",
            **self.sign(body, ts, signing_secret=signing_secret),
            **(extra_headers or {}),
        }
        return await self.raw_post(body, headers)

    async def interactive(
        self,
        payload: JSON,
        *,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> DriverResponse:
        """Send any interactivity ``payload`` as-is (escape hatch for odd shapes)."""
        return await self._send(
            "interactive", payload, timestamp=timestamp, signing_secret=signing_secret
        )


def _maybe_json(text: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
