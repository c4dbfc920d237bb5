"""Signed, expiring links to a postmortem, so a link posted in Slack opens it and a guessed
URL does not. The key is LINK_SECRET, or one derived from the Slack signing secret."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from bot.settings import Settings

LINK_LIFETIME = timedelta(days=90)


def _key(settings: Settings) -> bytes:
    if settings.link_secret:
        return settings.link_secret.encode()
    base = settings.slack_signing_secret.encode()
    return hmac.new(base, b"opsguard postmortem links", hashlib.sha256).digest()


def _signature(settings: Settings, number: int, expires: int) -> str:
    message = f"postmortem:{number}:{expires}".encode()
    return hmac.new(_key(settings), message, hashlib.sha256).hexdigest()


def postmortem_url(settings: Settings, number: int, now: datetime, *, pdf: bool = False) -> str:
    expires = int((now + LINK_LIFETIME).timestamp())
    suffix = ".pdf" if pdf else ""
    base = settings.base_url.rstrip("/")
    signature = _signature(settings, number, expires)
    return f"{base}/postmortems/{number}{suffix}?expires={expires}&sig={signature}"


def link_ok(
    settings: Settings, number: int, expires: str | None, sig: str | None, now: datetime
) -> bool:
    if not expires or not sig or not expires.isdigit():
        return False
    if int(expires) < now.timestamp():
        return False
    return hmac.compare_digest(sig.encode(), _signature(settings, number, int(expires)).encode())


def postmortem_links(settings: Settings, number: int, now: datetime) -> tuple[str, str]:
    """(web page, PDF), as posted in Slack."""
    return postmortem_url(settings, number, now), postmortem_url(settings, number, now, pdf=True)
