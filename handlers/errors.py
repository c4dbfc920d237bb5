"""Failures: a plain-words ephemeral with a short error id for the user, the traceback in the log.

Before the ack, Bolt's error handler answers in the ack itself; after it, the listener guard
(bot/registry.py) calls report_late, which answers through response_url when there is one.
"""

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


def _log(error: Exception, body: dict[str, Any]) -> str:
    error_id = new_error_id()
    log.error("error_id=%s listener failed for %s", error_id, _describe(body), exc_info=error)
    return error_id


async def report_late(error: Exception, body: dict[str, Any], respond: AsyncRespond | None) -> None:
    text, blocks = failure_message(_log(error, body))
    if respond is None or not respond.response_url:
        return
    try:
        await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    except Exception:
        log.exception("could not tell the user about the failure")


def register(app: AsyncApp) -> None:
    async def on_error(
        error: Exception, body: dict[str, Any], response: BoltResponse | None
    ) -> BoltResponse | None:
        text, blocks = failure_message(_log(error, body))
        if response is None:
            return None
        message = {
            "response_type": "ephemeral",
            "text": text,
            "blocks": [block.to_dict() for block in blocks],
        }
        return BoltResponse(
            status=200, body=json.dumps(message), headers={"content-type": "application/json"}
        )

    app.error(on_error)


def _describe(body: dict[str, Any]) -> str:
    kind = body.get("type") or ("slash_command" if "command" in body else "request")
    detail = body.get("command") or body.get("event", {}).get("type") or ""
    user = body.get("user_id") or body.get("user", {}).get("id") or ""
    return f"{kind} {detail} user={user}".strip()
