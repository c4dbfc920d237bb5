"""`POST /hooks/deploy`: CI/CD reports a deploy with its source's bearer token.

201 with the deploy id and the incidents it was noted on; 401 for a missing or unknown token,
403 for a service the source may not deploy, 400 with the field errors for a bad body.
"""

from __future__ import annotations

import json

from aiohttp import web

from bot.config import DeploySource
from bot.domain import deploys
from bot.domain.deploys import DeployError
from bot.slack_ops.context import SlackOps
from handlers.http_auth import presented_token, same_secret


def add_deploy_routes(web_app: web.Application, ops: SlackOps) -> None:
    deps = ops.deps

    async def receive(request: web.Request) -> web.Response:
        source = _source(deps.config.deploy_sources, request)
        if source is None:
            return web.json_response({"error": "missing or unknown token"}, status=401)
        try:
            try:
                body = json.loads(await request.read())
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
                raise DeployError([f"body: not valid JSON ({exc})"]) from None
            payload = deploys.parse(body)
        except DeployError as exc:
            return web.json_response({"error": "invalid deploy", "errors": exc.errors}, status=400)
        if source.services and payload.service not in source.services:
            return web.json_response(
                {"error": f"source {source.name!r} may not report deploys of {payload.service!r}"},
                status=403,
            )
        recorded = await deploys.record(deps.db, deps.clock, payload, source.name)
        if recorded.incident_ids:
            ops.hint(deps.clock.now())
        return web.json_response(
            {"status": "ok", "deploy": recorded.deploy.id, "incidents": recorded.incident_ids},
            status=201,
        )

    web_app.router.add_post("/hooks/deploy", receive)


def _source(sources: tuple[DeploySource, ...], request: web.Request) -> DeploySource | None:
    token = presented_token(request, query=False)
    return next((s for s in sources if same_secret(s.secret(), token)), None)
