"""``FakeZoom``: Zoom's server-to-server OAuth and meeting creation, served on loopback.

Two endpoints, shaped after Zoom's documentation:

* ``POST /oauth/token`` — ``grant_type=account_credentials&account_id=…`` (query string
  or form body) with HTTP basic auth ``client_id:client_secret`` answers
  ``{"access_token", "token_type": "bearer", "expires_in", "scope"}``. A wrong client id
  or secret answers 400 ``{"reason": "Invalid client_id or client_secret", "error":
  "invalid_client"}`` and another grant type 400 ``unsupported_grant_type``, as Zoom
  does. A missing basic-auth header (401) and a wrong account id (400
  ``invalid_request``) are the fake's guesses at Zoom's answers.
* ``POST /v2/users/{userId}/meetings`` — needs a live bearer token (else 401
  ``{"code": 124, "message": "Invalid access token."}``), ``userId`` ``me`` or the
  host's id or email (else 404, code 1001), a JSON object body (else 400, code 300) and
  Zoom's limits (topic ≤ 200, agenda ≤ 2000 characters, type 1/2/3/8, ``start_time``
  ``yyyy-MM-ddTHH:mm:ss[Z]``; else 400 ``Validation Failed.``); answers 201 with a
  meeting object (id, uuid, join_url, start_url, password, topic, settings...).

Unknown body fields are ignored, as Zoom does (zoomus sends ``user_id`` in the body).
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import string
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from fakes.loopback import LoopbackFake, basic_auth

JSON = dict[str, Any]
TOKEN_PATH = "/oauth/token"
API_PREFIX = "/v2"
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ZoomCall:
    """One request the fake answered. ``body``: the parsed JSON or form, else None."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str | None
    status: int


@dataclass
class _Failure:
    path: str | None
    status: int
    retry_after: int | None
    body: str | None
    times: int

    def response(self, path: str) -> web.Response:
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        if self.body is not None:
            return web.Response(
                status=self.status, text=self.body, content_type="text/html", headers=headers
            )
        if path == TOKEN_PATH and self.status in (400, 401):
            payload: JSON = {
                "reason": "Invalid client_id or client_secret",
                "error": "invalid_client",
            }
        elif self.status == 401:
            payload = {"code": 124, "message": "Invalid access token."}
        elif self.status == 429:
            payload = {
                "code": 429,
                "message": "You have reached the maximum per-second rate limit for this API. "
                "Try again later.",
            }
        else:  # the fake's guess: Zoom's documented error shape
            payload = {"code": self.status, "message": "Internal Error"}
        return web.json_response(payload, status=self.status, headers=headers)


class FakeZoom(LoopbackFake):
    """A fake Zoom account for the real zoomus / requests clients.

    >>> async with FakeZoom() as zoom:                                 # doctest: +SKIP
    ...     BridgeSettings(zoom_api_url=zoom.api_url, zoom_oauth_url=zoom.oauth_url, ...)
    """

    def __init__(
        self,
        account_id: str = "acct-test",
        client_id: str = "client-test",
        client_secret: str = "secret-test",
        *,
        expires_in: int = 3600,
        host_email: str = "incidents@example.com",
    ) -> None:
        super().__init__()
        self.account_id = account_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.expires_in = expires_in
        """Lifetime (s) of tokens issued from now on; the fake enforces it in real time."""
        self.scope = "meeting:write:meeting:admin meeting:read:meeting:admin"
        self.host_id = _random_id(22)
        self.host_email = host_email
        self.latency = 0.0
        """Seconds every request waits before it is answered (cut short by ``stop``)."""
        self.meetings: list[JSON] = []
        self.calls: list[ZoomCall] = []
        self.internal_errors: list[str] = []
        self._tokens: dict[str, float] = {}  # token -> time.monotonic() it expires
        self._failures: list[_Failure] = []

    # -- lifecycle --------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post(TOKEN_PATH, self._token)
        app.router.add_post(API_PREFIX + "/users/{user_id}/meetings", self._create_meeting)
        return app

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:<port>/v2``: zoomus's ``base_uri``."""
        return self.base_url + API_PREFIX

    @property
    def oauth_url(self) -> str:
        """``http://127.0.0.1:<port>/oauth/token``: zoomus's ``oauth_uri``."""
        return self.base_url + TOKEN_PATH

    @property
    def meetings_path(self) -> str:
        """The path ``users/me/meetings`` is served at, for :meth:`fail_next`."""
        return API_PREFIX + "/users/me/meetings"

    # -- knobs and the call log -------------------------------------------

    def fail_next(
        self,
        path: str | None = None,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        body: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` requests (to ``path``, e.g. ``/oauth/token``, or any) fail.

        ``status`` defaults to 500, or 429 when ``retry_after`` is given (sent as
        ``Retry-After``). The body is Zoom's error JSON for that status, or ``body`` as
        ``text/html`` (e.g. a proxy's error page; with ``status=200``, a bad answer).
        A failed request changes no state (no token issued, no meeting created).
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        if status is None:
            status = 429 if retry_after is not None else 500
        self._failures.append(_Failure(path, status, retry_after, body, times))

    def revoke_tokens(self) -> None:
        """Invalidate every token issued so far, as Zoom does when it caps live tokens."""
        self._tokens.clear()

    @property
    def token_requests(self) -> int:
        """Requests to the token endpoint, answered or failed."""
        return len(self.calls_to(TOKEN_PATH))

    def calls_to(self, path: str) -> list[ZoomCall]:
        return [call for call in self.calls if call.path == path]

    async def wait_for_call(
        self,
        path: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (public API, like FakeSlack's)
    ) -> ZoomCall:
        """The ``count``-th answered request to ``path``, waiting for it."""
        await self._wait_until(
            lambda: len(self.calls_to(path)) >= count,
            timeout,
            lambda: f"{count} call(s) to {path}; all calls: {[c.path for c in self.calls]}",
        )
        return self.calls_to(path)[count - 1]

    # -- the server -------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        raw = await request.read()
        await self._wait_latency(self.latency)
        response: web.StreamResponse
        failure = self._take_failure(request.path)
        try:
            if failure is not None:
                response = failure.response(request.path)
            else:
                response = await handler(request)
        except web.HTTPException as exc:
            await self._record(request, raw, exc.status)
            raise
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            response = web.json_response({"code": 500, "message": "fake crashed"}, status=500)
        await self._record(request, raw, response.status)
        return response

    def _take_failure(self, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.path is None or failure.path == path:
                failure.times -= 1
                if failure.times == 0:
                    self._failures.remove(failure)
                return failure
        return None

    async def _record(self, request: web.Request, raw: bytes, status: int) -> None:
        self.calls.append(
            ZoomCall(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                body=_parse_body(request.content_type, raw),
                authorization=request.headers.get("Authorization"),
                status=status,
            )
        )
        await self._notify()

    async def _token(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        form = _parse_body(request.content_type, await request.read())
        if isinstance(form, dict):
            params.update({k: str(v) for k, v in form.items()})
        if params.get("grant_type") != "account_credentials":
            return _oauth_error(400, "unsupported grant type", "unsupported_grant_type")
        credentials = basic_auth(request.headers.get("Authorization"))
        if credentials is None:
            return _oauth_error(401, "Client ID or client secret is missing", "invalid_client")
        if credentials != (self.client_id, self.client_secret):
            return _oauth_error(400, "Invalid client_id or client_secret", "invalid_client")
        if params.get("account_id") != self.account_id:
            return _oauth_error(400, "Invalid account_id", "invalid_request")
        token = "eyJ" + secrets.token_urlsafe(96)
        self._tokens[token] = time.monotonic() + self.expires_in
        return web.json_response(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": self.expires_in,
                "scope": self.scope,
            }
        )

    async def _create_meeting(self, request: web.Request) -> web.Response:
        denied = self._check_bearer(request.headers.get("Authorization"))
        if denied is not None:
            return denied
        user_id = request.match_info["user_id"]
        if user_id not in ("me", self.host_id, self.host_email):
            return _api_error(404, 1001, f"User does not exist: {user_id}.")
        try:
            body = json.loads(await request.read() or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _api_error(400, 300, "Request Body should be a valid JSON object.")
        errors = _validate_meeting(body)
        if errors:
            return web.json_response(
                {"code": 300, "message": "Validation Failed.", "errors": errors}, status=400
            )
        meeting = self._new_meeting(body)
        self.meetings.append(meeting)
        return web.json_response(meeting, status=201)

    def _check_bearer(self, header: str | None) -> web.Response | None:
        scheme, _, token = (header or "").partition(" ")
        expires = self._tokens.get(token) if scheme.lower() == "bearer" else None
        if expires is None:
            return _api_error(401, 124, "Invalid access token.")
        if time.monotonic() >= expires:
            return _api_error(401, 124, "Access token is expired.")
        return None

    def _new_meeting(self, body: JSON) -> JSON:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        meeting_id = secrets.randbelow(9 * 10**10) + 10**10  # 11 digits, like Zoom's
        encrypted = secrets.token_urlsafe(24)
        meeting_type = body.get("type", 2)
        settings = {
            "host_video": False,
            "participant_video": False,
            "join_before_host": False,
            "jbh_time": 0,
            "mute_upon_entry": False,
            "waiting_room": True,
            "audio": "voip",
            "auto_recording": "none",
        }
        settings.update(body.get("settings") or {})
        return {
            "uuid": base64.b64encode(secrets.token_bytes(16)).decode(),
            "id": meeting_id,
            "host_id": self.host_id,
            "host_email": self.host_email,
            "topic": body.get("topic", "Zoom Meeting"),
            "type": meeting_type,
            "status": "waiting",
            "start_time": body.get("start_time", now) if meeting_type in (2, 8) else now,
            "duration": body.get("duration", 60),
            "timezone": body.get("timezone", "UTC"),
            "agenda": body.get("agenda", ""),
            "created_at": now,
            "start_url": f"https://zoom.us/s/{meeting_id}?zak={secrets.token_urlsafe(32)}",
            "join_url": f"https://zoom.us/j/{meeting_id}?pwd={encrypted}",
            "password": _random_id(6),
            "h323_password": _digits(6),
            "pstn_password": _digits(6),
            "encrypted_password": encrypted,
            "settings": settings,
            "pre_schedule": False,
        }


def _validate_meeting(body: JSON) -> list[JSON]:
    errors: list[JSON] = []
    topic = body.get("topic", "")
    if not isinstance(topic, str) or len(topic) > 200:
        errors.append({"field": "topic", "message": "Topic must be at most 200 characters."})
    agenda = body.get("agenda", "")
    if not isinstance(agenda, str) or len(agenda) > 2000:
        errors.append({"field": "agenda", "message": "Agenda must be at most 2000 characters."})
    if body.get("type", 2) not in (1, 2, 3, 8):
        errors.append({"field": "type", "message": "Invalid field."})
    start_time = body.get("start_time")
    if start_time is not None and not _is_zoom_time(start_time):
        errors.append({"field": "start_time", "message": "Invalid field."})
    if not isinstance(body.get("settings", {}), dict):
        errors.append({"field": "settings", "message": "Invalid field."})
    return errors


def _is_zoom_time(value: object) -> bool:
    if not isinstance(value, str):
        return False
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S"):
        with contextlib.suppress(ValueError):
            datetime.strptime(value, pattern)
            return True
    return False


def _parse_body(content_type: str, raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text, keep_blank_values=True))
    try:
        return json.loads(text)
    except ValueError:
        return None


def _oauth_error(status: int, reason: str, error: str) -> web.Response:
    return web.json_response({"reason": reason, "error": error}, status=status)


def _api_error(status: int, code: int, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message}, status=status)


def _random_id(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _digits(length: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(length))
