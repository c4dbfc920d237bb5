"""The aiohttp application: Web API dispatch, response URLs and Socket Mode."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from typing import Any

from aiohttp import web

# Importing the method modules registers their handlers in METHODS.
from fakes.slack import (  # noqa: F401
    methods_auth,
    methods_bookmarks,
    methods_canvases,
    methods_chat,
    methods_conversations,
    methods_files,
    methods_history,
    methods_items,
    methods_users,
    methods_views,
)
from fakes.slack.args import Args, merge_args
from fakes.slack.errors import SlackError
from fakes.slack.file_transfer import MAX_UPLOAD, FileTransfer
from fakes.slack.knobs import Knobs
from fakes.slack.registry import APP_TOKEN_METHODS, METHODS, Ctx, TokenKind
from fakes.slack.socket_mode import SocketHub
from fakes.slack.state import JSON, Call, ResponsePost
from fakes.slack.workspace import Workspace

log = logging.getLogger(__name__)

RESPONSE_URL_USES = 5


class ApiServer:
    """Answers HTTP requests against one :class:`Workspace`."""

    def __init__(
        self,
        ws: Workspace,
        knobs: Knobs,
        hub: SocketHub,
        tokens: dict[str, tuple[str, TokenKind]],
    ) -> None:
        self.ws = ws
        self.knobs = knobs
        self.hub = hub
        self.tokens = tokens
        self.files = FileTransfer(ws, tokens)
        self.base_url = ""

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/api/{method}", self.handle_api)
        app.router.add_post("/response/{url_id}", self.handle_response_url)
        app.router.add_get("/socket-mode", self.hub.handle)
        app.router.add_post("/upload/v1/{ticket}", self.files.upload)
        app.router.add_get("/files-pri/{key}/{tail:.+}", self.files.download)
        return app

    def new_socket_url(self) -> str:
        ws_base = self.base_url.replace("http://", "ws://", 1)
        ticket = self.hub.new_ticket()
        return f"{ws_base}/socket-mode?ticket={ticket}&app_id={self.ws.identity.app_id}"

    # -- Web API ----------------------------------------------------------

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        form: dict[str, Any] = {}
        body: dict[str, Any] = {}
        if request.method == "POST" and request.body_exists:
            if request.content_type == "application/json":
                raw = await request.text()
                try:
                    decoded = json.loads(raw) if raw.strip() else {}
                except ValueError as exc:
                    raise SlackError("invalid_json") from exc
                if not isinstance(decoded, dict):
                    raise SlackError("json_not_object")
                body = decoded
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                posted = await request.post()
                form = {k: v if isinstance(v, str) else str(v) for k, v in posted.items()}
        return merge_args(dict(request.query), form, body)

    def _token(self, request: web.Request, values: dict[str, Any]) -> str | None:
        token = values.pop("token", None)
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            token = header[len("Bearer ") :].strip() or token
        return str(token) if token else None

    def _authorize(self, method: str, token: str | None) -> tuple[str, TokenKind]:
        if not token:
            raise SlackError("not_authed")
        identity = self.tokens.get(token)
        if identity is None:
            raise SlackError("invalid_auth")
        caller, kind = identity
        if (kind == "app") != (method in APP_TOKEN_METHODS):
            raise SlackError("not_allowed_token_type")
        return caller, kind

    async def handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        values: dict[str, Any] = {}
        token: str | None = None
        headers: dict[str, str] = {}
        status = 200
        try:
            values = await self._read_args(request)
            token = self._token(request, values)
            if self.knobs.latency > 0:
                await asyncio.sleep(self.knobs.latency)
            failure = self.knobs.take_failure(method)
            if failure is not None:
                status, body, headers = failure.answer()
            elif method not in METHODS:
                body = {"ok": False, "error": "unknown_method", "req_method": method}
            else:
                body = self._dispatch(method, token, values)
        except SlackError as err:
            body = err.body()
        call = Call(
            method=method,
            args=dict(values),
            status=status,
            response=body,
            time=time.time(),
            http_method=request.method,
            token=token,
        )
        await self.knobs.record(call)
        return web.json_response(body, status=status, headers=headers)

    def _dispatch(self, method: str, token: str | None, values: dict[str, Any]) -> JSON:
        caller, kind = self._authorize(method, token)
        ctx = Ctx(
            ws=self.ws,
            caller=caller,
            token_kind=kind,
            base_url=self.base_url,
            new_socket_url=self.new_socket_url,
            system_messages=self.knobs.system_messages,
            chat_write_public=self.knobs.chat_write_public,
        )
        try:
            return METHODS[method](ctx, Args(values))
        except SlackError:
            raise
        except Exception:  # a bug in the fake: answer loudly and keep a record
            detail = traceback.format_exc()
            log.exception("fake Slack crashed in %s", method)
            self.knobs.internal_errors.append(detail)
            return {"ok": False, "error": "fatal_error", "fake_traceback": detail}

    # -- response_url -----------------------------------------------------

    async def handle_response_url(self, request: web.Request) -> web.Response:
        url_id = request.match_info["url_id"]
        uses = self.ws.response_urls.get(url_id)
        if uses is None:
            return web.Response(status=404, text="no_service")
        if uses >= RESPONSE_URL_USES:
            return web.Response(status=404, text="used_url")
        body = await self._response_body(request)
        if body is None:
            return web.Response(status=400, text="invalid_payload")
        self.ws.response_urls[url_id] = uses + 1
        self.ws.responses.append(
            ResponsePost(url_id=url_id, url=str(request.url), body=body, time=time.time())
        )
        await self.knobs.notify()
        return web.Response(status=200, text="ok")

    async def _response_body(self, request: web.Request) -> JSON | None:
        try:
            if request.content_type == "application/json":
                decoded = json.loads(await request.text())
            else:
                posted = await request.post()
                payload = posted.get("payload")
                decoded = json.loads(payload) if isinstance(payload, str) else dict(posted)
        except ValueError:
            return None
        return decoded if isinstance(decoded, dict) else None
