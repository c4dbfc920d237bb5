"""The war room's channel topic."""

from __future__ import annotations

from blocks.text import ELLIPSIS, one_line, status_label
from bot.config import OpsConfig
from storage.models import Incident

TOPIC_LIMIT = 250  # Slack's conversations.setTopic limit
_SEP = " · "


def channel_topic(incident: Incident, config: OpsConfig, *, bridge_url: str | None) -> str:
    """`SEV1 · Investigating · Checkout 5xx · Zoom: <url>`, at most 250 characters.

    Topics are plain text (Slack does not format them), so nothing is escaped; newlines are
    collapsed. The title is shortened first and the bridge URL is never cut: a cut URL would
    be a broken link. If even the URL alone does not fit, it is left out entirely.
    """
    sev = config.severity(incident.severity)
    head = [sev.id if sev else one_line(incident.severity), status_label(incident.status)]
    url = "".join((bridge_url or "").split())  # a URL has no whitespace; drop stray ones
    tail = f"{_bridge_label(url)}: {url}" if url else ""
    fixed = _SEP.join([*head, tail] if tail else head)
    if len(fixed) > TOPIC_LIMIT:  # a URL this long cannot be shown whole: drop it
        tail = ""
        fixed = _SEP.join(head)[:TOPIC_LIMIT]
    room = TOPIC_LIMIT - len(fixed) - len(_SEP)
    title = one_line(incident.title)
    if len(title) > room:
        title = title[: max(room - 1, 0)].rstrip() + ELLIPSIS if room > 1 else ""
    parts = [*head, title, tail] if title else [*head, tail]
    return _SEP.join(p for p in parts if p)


def _bridge_label(url: str) -> str:
    lowered = url.lower()
    for marker, label in (("zoom.", "Zoom"), ("meet.google.", "Meet"), ("teams.", "Teams")):
        if marker in lowered:
            return label
    return "Call"
