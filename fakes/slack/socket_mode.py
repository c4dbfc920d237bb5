"""A fake Socket Mode endpoint, speaking what slack-sdk's SocketModeClient expects.

``apps.connections.open`` hands out a one-use ``ws://…/socket-mode?ticket=…``
URL; on connect the fake sends Slack's ``hello``; aiohttp answers the client's
pings; :meth:`SocketHub.send` delivers an envelope and waits for its ack.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from fakes.slack.state import JSON

ACKING_TYPES = frozenset({"slash_commands", "interactive"})


class SocketHub:
    """Open Socket Mode connections, their tickets and the envelopes awaiting an ack."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self.tickets: set[str] = set()
        self.connections: list[web.WebSocketResponse] = []
        self._draining: list[web.WebSocketResponse] = []
        self.received: list[JSON] = []
        self._pending: dict[str, asyncio.Future[JSON]] = {}
        self._changed: asyncio.Condition | None = None

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _notify(self) -> None:
        condition = self._condition()
        async with condition:
            condition.notify_all()

    def new_ticket(self) -> str:
        ticket = str(uuid.uuid4())
        self.tickets.add(ticket)
        return ticket

    def _open(self) -> list[web.WebSocketResponse]:
        return [ws for ws in self.connections if not ws.closed and ws not in self._draining]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.tickets:
            return web.Response(status=401, text="invalid_ticket")
        self.tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections.append(ws)
        try:
            await ws.send_json(self._hello())
            await self._notify()
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_text(message.data)
        finally:
            if ws in self.connections:
                self.connections.remove(ws)
            if ws in self._draining:
                self._draining.remove(ws)
            await self._notify()
        return ws

    def _hello(self) -> JSON:
        return {
            "type": "hello",
            "num_connections": len(self._open()),
            "debug_info": {
                "host": "applink-fake-1",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    def _on_text(self, data: str) -> None:
        try:
            parsed: Any = json.loads(data)
        except ValueError:
            return
        if not isinstance(parsed, dict):
            return
        self.received.append(parsed)
        future = self._pending.pop(str(parsed.get("envelope_id")), None)
        if future is not None and not future.done():
            future.set_result(parsed)

    async def wait_for_connection(
        self,
        timeout: float,  # noqa: ASYNC109
    ) -> web.WebSocketResponse:
        condition = self._condition()
        try:
            async with condition:
                await asyncio.wait_for(condition.wait_for(lambda: bool(self._open())), timeout)
        except TimeoutError:
            raise TimeoutError(f"no Socket Mode client connected within {timeout}s") from None
        return self._open()[-1]

    async def send(
        self,
        envelope_type: str,
        payload: JSON,
        timeout: float,  # noqa: ASYNC109
    ) -> JSON | None:
        """Send one envelope to the newest connection; the ack's payload, or None."""
        ws = await self.wait_for_connection(timeout)
        envelope_id = str(uuid.uuid4())
        envelope: JSON = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type in ACKING_TYPES,
        }
        if envelope_type == "events_api":
            envelope["retry_attempt"] = 0
            envelope["retry_reason"] = ""
        future: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = future
        try:
            await ws.send_json(envelope)
            ack = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
        finally:
            self._pending.pop(envelope_id, None)
        ack_payload = ack.get("payload")
        return ack_payload if isinstance(ack_payload, dict) else {}

    async def send_disconnect(self, reason: str) -> None:
        """Slack's ``disconnect`` message; nothing more is sent on those connections."""
        for ws in self._open():
            self._draining.append(ws)
            await ws.send_json(
                {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake-1"}}
            )

    async def close_all(self) -> None:
        for ws in list(self.connections):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")
        for future in self._pending.values():
            if not future.done():
                future.cancel()
        self._pending.clear()
