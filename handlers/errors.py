"""The one error handler: a plain-words ephemeral for the user, the traceback in the log."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse

from blocks.errors import failure_message

log = logging.getLogger("opsguard.errors")


def new_error_id() -> str:
    return f"E-{secrets.token_hex(3).upper()}"


def register(app: AsyncApp) -> None:
    async def on_error(
        error: Exception,
        body: dict[str, Any],
        response: BoltResponse | None,
        respond: AsyncRespond | None,
    ) -> BoltResponse | None:
        error_id = new_error_id()
        log.error("error_id=%s listener failed for %s", error_id, _describe(body), exc_info=error)
        text, blocks = failure_message(error_id)
        message = {
            "response_type": "ephemeral",
            "text": text,
            "blocks": [block.to_dict() for block in blocks],
        }
        if response is not None:
            # Not acknowledged yet: the error goes back in the ack itself.
            return BoltResponse(
                status=200,
                body=json.dumps(message),
                headers={"content-type": "application/json"},
            )
        if respond is not None and respond.response_url:
            try:
                await respond(
                    text=text, blocks=blocks, response_type="ephemeral", replace_original=False
                )
            except Exception:
                log.exception("error_id=%s could not tell the user", error_id)
        return None

    app.error(on_error)


def _describe(body: dict[str, Any]) -> str:
    kind = body.get("type") or ("slash_command" if "command" in body else "request")
    detail = body.get("command") or body.get("event", {}).get("type") or ""
    user = body.get("user_id") or body.get("user", {}).get("id") or ""
    return f"{kind} {detail} user={user}".strip()
