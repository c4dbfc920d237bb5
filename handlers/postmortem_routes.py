"""`GET /postmortems/<number>` (HTML) and `/postmortems/<number>.pdf`: a published
postmortem, for a signed link from Slack or POSTMORTEM_TOKEN; anything else is refused."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlmodel import select

from bot import links
from bot.deps import Deps
from bot.domain.postmortem.assemble import report_markdown
from bot.domain.postmortem.documents import to_html, to_pdf
from storage.models import Incident, Postmortem, PostmortemStatus


def add_postmortem_routes(web_app: web.Application, deps: Deps) -> None:
    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        pdf = name.endswith(".pdf")
        number_text = name.removesuffix(".pdf")
        if not number_text.isdigit() or len(number_text) > 9:
            return web.json_response({"error": "not found"}, status=404)
        number = int(number_text)
        header = request.headers.get("Authorization", "")
        bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
        allowed = links.token_ok(
            deps.settings, bearer or request.query.get("token")
        ) or links.link_ok(
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
        async with deps.db.session() as session:
            row = (
                await session.exec(
                    select(Incident, Postmortem)
                    .join(Postmortem, Postmortem.incident_id == Incident.id)  # type: ignore[arg-type]
                    .where(Incident.number == number)
                )
            ).first()
        if row is None or row[1].status != PostmortemStatus.PUBLISHED:
            return web.json_response(
                {"error": f"INC-{number} has no published postmortem"}, status=404
            )
        incident = row[0]
        assert incident.id is not None
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
