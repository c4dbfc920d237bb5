"""The two file URLs that are not Web API methods: the upload URL that
``files.getUploadURLExternal`` hands out and the ``url_private`` downloads.

Slack's upload service takes the bytes raw or multipart-encoded and answers
``200 text/plain`` ``OK - <bytes>``; slack-sdk only looks at the status. The fake is
stricter than Slack documents: bytes that differ from the announced ``length`` are
refused with 400, so an app that announces the wrong size finds out here.
"""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from fakes.slack.registry import TokenKind
from fakes.slack.workspace import Workspace

MAX_UPLOAD = 64 * 1024 * 1024


class FileTransfer:
    """aiohttp handlers for ``/upload/v1/<ticket>`` and ``/files-pri/<team>-<id>/...``."""

    def __init__(self, ws: Workspace, tokens: dict[str, tuple[str, TokenKind]]) -> None:
        self.ws = ws
        self.tokens = tokens

    async def upload(self, request: web.Request) -> web.Response:
        file_id = self.ws.upload_tickets.get(request.match_info["ticket"], "")
        file = self.ws.files.get(file_id)
        if file is None or file.completed:
            return web.Response(status=404, text="upload not found")
        data = await _body(request)
        if data is None:
            return web.Response(status=400, text="no file in the multipart body")
        if len(data) != file.length:
            return web.Response(
                status=400,
                text=f"length mismatch: announced {file.length} bytes, received {len(data)}",
            )
        file.content = data
        return web.Response(text=f"OK - {len(data)}")

    async def download(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        if header.removeprefix("Bearer ").strip() not in self.tokens:
            return web.Response(status=403, text="not authed")
        file_id = request.match_info["key"].partition("-")[2]
        file = self.ws.files.get(file_id)
        if file is not None and file.content is not None and file.completed:
            return web.Response(body=file.content, content_type="application/octet-stream")
        canvas = self.ws.canvases.get(file_id)
        if canvas is not None:
            return web.Response(text=canvas.markdown, content_type="text/markdown")
        return web.Response(status=404, text="file not found")


async def _body(request: web.Request) -> bytes | None:
    """The uploaded bytes: the raw body, or the first file part of a multipart body."""
    if request.content_type != "multipart/form-data":
        return await request.read()
    reader = await request.multipart()
    async for part in reader:
        if isinstance(part, BodyPartReader) and (part.filename or part.name == "filename"):
            return bytes(await part.read())
    return None
