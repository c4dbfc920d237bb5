"""The token an HTTP caller presents, and checking it against a configured secret."""

from __future__ import annotations

import hmac

from aiohttp import web


def presented_token(request: web.Request, *, query: bool) -> str:
    """`Authorization: Bearer <token>`, else (when `query`) `?token=`; "" when neither."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    return token or (request.query.get("token", "") if query else "")


def same_secret(secret: str, given: str) -> bool:
    """Constant-time; an unset secret never matches (nor does text that is not UTF-8)."""
    return bool(secret and given) and hmac.compare_digest(
        secret.encode("utf-8", "replace"), given.encode("utf-8", "replace")
    )
