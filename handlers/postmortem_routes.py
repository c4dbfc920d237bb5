"""`GET /postmortems/<number>` (HTML) and `/postmortems/<number>.pdf`: a published
postmortem, for a signed link from Slack or POSTMORTEM_TOKEN; anything else is refused."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot import links
from bot.deps import Deps
from bot.domain.postmortem import library
from bot.domain.postmortem.assemble import report_markdown
from bot.domain.postmortem.documents import to_html, to_pdf
from handlers.http_auth import presented_token, same_secret


def add_postmortem_routes(web_app: web.Application, deps: Deps) -> None:
    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        pdf = name.endswith(".pdf")
        number_text = name.removesuffix(".pdf")
        if not number_text.isdigit() or len(number_text) > 9:
            return web.json_response({"error": "not found"}, status=404)
        number = int(number_text)
        token = presented_token(request, query=True)
        allowed = same_secret(deps.settings.postmortem_token, token) or links.link_ok(
            deps.settings,
            number,
            request.query.get("expires"),
            request.query.get("sig"),
            deps.clock.now(),
        )
        if not allowed:
            return web.json_response(
                {"error": "a signed link or a token is needed to read postmortems"}, status=401
            )
        incident = await library.published_incident(deps.db, number)
        if incident is None or incident.id is None:
            return web.json_response(
                {"error": f"INC-{number} has no published postmortem"}, status=404
            )
        _, markdown = await report_markdown(
            deps.db, deps.config, deps.postmortem_template, incident.id
        )
        # markdown-it takes seconds on a 10,000-entry timeline: off the event loop.
        title = f"INC-{number} postmortem: {incident.title}"
        document = await asyncio.to_thread(to_html, markdown, title)
        headers = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}
        if pdf:
            return web.Response(
                body=await to_pdf(document), content_type="application/pdf", headers=headers
            )
        return web.Response(text=document, content_type="text/html", headers=headers)

    web_app.router.add_get("/postmortems/{name}", serve)
