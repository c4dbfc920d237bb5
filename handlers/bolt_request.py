"""aiohttp → Bolt request translation, with one correction to Bolt's body parsing.

Bolt treats any form body containing the word "payload" as an interactivity payload, so
`/incident declare payload service down` would reach no listener. When the form has no
`payload=` field we parse it as the plain form it is.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest


async def to_bolt_request(request: web.Request) -> AsyncBoltRequest:
    raw = await request.text()
    bolt_request = AsyncBoltRequest(
        body=raw,
        query=request.query_string,
        headers=request.headers,  # type: ignore[arg-type]
    )
    if not bolt_request.body and "payload" in raw and not raw.lstrip().startswith("{"):
        form = dict(parse_qsl(raw, keep_blank_values=True))
        if "payload" not in form:
            bolt_request.body = form
            bolt_request.context = build_async_context(AsyncBoltContext({}), form)
    return bolt_request
