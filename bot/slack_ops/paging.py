"""Delivering pages by Slack DM, and telling the war room when escalation runs out.

A failed DM is retried by the outbox with backoff and never holds up the other pages.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from blocks.page import exhausted_notice, page_message
from bot.domain.paging import outbox
from bot.domain.paging.engine import StepRun
from bot.domain.snapshot import snapshot
from bot.slack_ops import notify
from bot.slack_ops.context import SlackOps, describe_failure
from bot.slack_ops.sync import announced, invite_users
from storage.models import Incident, Page

log = logging.getLogger("opsguard.paging")
Message = tuple[str, list[dict[str, Any]]]  # a DM's fallback text and its blocks as JSON


async def deliver_pending(ops: SlackOps) -> int:
    """Send one claimed batch at once; the ones that went out are marked in one write.

    Returns how many pages were claimed (a full batch means more are waiting). A delivery
    that breaks unexpectedly is left to its lease, so it never costs the others their mark.
    """
    db, clock = ops.deps.db, ops.deps.clock
    pages = await outbox.claim(db, clock)
    if not pages:
        return 0
    incidents = await outbox.incidents(db, (page.incident_id for page in pages))
    results = await asyncio.gather(
        *(
            _deliver(ops, incidents[page.incident_id], page, message)
            for page, message in zip(pages, _messages(pages, incidents), strict=True)
        ),
        return_exceptions=True,
    )
    for page, result in zip(pages, results, strict=True):
        if isinstance(result, BaseException):
            log.error("page %s broke; it is tried again after its lease", page.id, exc_info=result)
    sent = [page.id for page, ok in zip(pages, results, strict=True) if ok is True and page.id]
    await outbox.delivered_many(db, clock, sent)
    return len(pages)


async def after_steps(ops: SlackOps, runs: list[StepRun]) -> None:
    """After a step run by hand (escalate now): announce it, and send its pages right away."""
    await announce_steps(ops, runs)
    if any(run.paged for run in runs):
        await deliver_pending(ops)


async def announce_steps(ops: SlackOps, runs: list[StepRun]) -> None:
    """Set the next wake-ups and tell war rooms about exhausted escalations. New pages are
    left to the outbox's own loop, so a slow Slack never holds up the next claim of steps."""
    for run in runs:
        ops.hint(run.next_at)
    if any(run.paged for run in runs):
        ops.pages_written()
    exhausted = [run.incident_id for run in runs if run.exhausted]
    if exhausted:
        incidents = await outbox.incidents(ops.deps.db, exhausted)
        await asyncio.gather(
            *(
                _tell_exhausted(ops, incident)
                for incident in incidents.values()
                if incident.channel_id or incident.announcement_ts
            )
        )


async def _tell_exhausted(ops: SlackOps, incident: Incident) -> None:
    assert incident.id is not None
    snap = await snapshot(ops.deps.db, incident.id)
    text, blocks = exhausted_notice(snap.incident)
    if snap.incident.channel_id:
        await notify.post(ops, snap.incident.channel_id, text, blocks)
    if announced(ops, snap) and snap.incident.announcement_ts:
        await notify.post(
            ops,
            ops.deps.settings.incidents_channel,
            text,
            blocks,
            thread_ts=snap.incident.announcement_ts,
        )


def _messages(pages: list[Page], incidents: dict[int, Incident]) -> list[Message]:
    """Each page's DM, rendered once per distinct one (a team's members get the same):
    turning Block Kit into JSON is most of what a delivery costs this process."""
    rendered: dict[tuple[int, int, str], Message] = {}
    for page in pages:
        key = (page.incident_id, page.step, page.via)
        if key not in rendered:
            text, blocks = page_message(incidents[page.incident_id], step=page.step, via=page.via)
            rendered[key] = (text, [block.to_dict() for block in blocks])
    return [rendered[(page.incident_id, page.step, page.via)] for page in pages]


async def _deliver(ops: SlackOps, incident: Incident, page: Page, message: Message) -> bool:
    assert page.id is not None
    db, clock = ops.deps.db, ops.deps.clock
    text, blocks = message
    try:
        await ops.client.chat_postMessage(channel=page.user_id, text=text, blocks=blocks)
    except Exception as exc:
        retry = await outbox.failed(db, clock, page.id, describe_failure(exc))
        log.warning(
            "page %s to %s failed (attempt %s): %s", page.id, page.user_id, page.attempts, exc
        )
        if retry is not None and retry.next_attempt_at is not None:
            ops.hint(retry.next_attempt_at)
        return False
    if incident.channel_id and not incident.archived:
        try:
            await invite_users(ops, incident.channel_id, [page.user_id])
        except Exception as exc:
            log.info("could not invite paged %s: %s", page.user_id, exc)
    return True
