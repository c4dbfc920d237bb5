"""Delivering pages by Slack DM, and telling the war room when escalation runs out.

A failed DM is retried by the outbox with backoff and never holds up the other pages.
"""

from __future__ import annotations

import asyncio
import logging

from blocks.page import exhausted_notice, page_message
from bot.domain import lifecycle
from bot.domain.paging import outbox
from bot.domain.paging.engine import StepRun
from bot.domain.snapshot import snapshot
from bot.slack_ops import notify
from bot.slack_ops.context import SlackOps, describe_failure
from bot.slack_ops.sync import announced, invite_users
from storage.models import Page

log = logging.getLogger("opsguard.paging")


async def deliver_pending(ops: SlackOps) -> int:
    """Send every claimed page at once; the ones that went out are marked in one write."""
    pages = await outbox.claim(ops.deps.db, ops.deps.clock)
    sent = await asyncio.gather(*(_deliver(ops, page) for page in pages))
    await outbox.delivered_many(
        ops.deps.db,
        ops.deps.clock,
        [page.id for page, ok in zip(pages, sent, strict=True) if ok and page.id is not None],
    )
    return len(pages)


async def after_steps(ops: SlackOps, runs: list[StepRun]) -> None:
    """Set the next wake-ups, announce exhausted escalations, then deliver the new pages."""
    for run in runs:
        ops.hint(run.next_at)
        if run.exhausted:
            snap = await snapshot(ops.deps.db, run.incident_id)
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
    if any(run.pages for run in runs):
        await deliver_pending(ops)


async def _deliver(ops: SlackOps, page: Page) -> bool:
    assert page.id is not None
    db, clock = ops.deps.db, ops.deps.clock
    incident = await lifecycle.get_incident(db, page.incident_id)
    text, blocks = page_message(incident, step=page.step, via=page.via)
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
