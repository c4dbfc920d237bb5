"""One sweep: claim everything that is due and do it. Safe to run anywhere, any number of times."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from bot.domain import due
from bot.domain.paging import engine, outbox
from bot.slack_ops import notify, paging
from bot.slack_ops.action_items import file_due
from bot.slack_ops.context import SlackOps
from bot.slack_ops.effects import archive
from bot.slack_ops.postmortem import publish_due
from bot.slack_ops.sync import refresh
from bot.slack_ops.usergroups import refresh_usergroups

log = logging.getLogger("opsguard.scheduler")


@dataclass(frozen=True)
class SweepReport:
    steps: int = 0
    pages: int = 0
    nudges: int = 0
    archives: int = 0
    syncs: int = 0
    digest: bool = False
    backlog: bool = False  # a claim came back full: there is more to do right away


async def sweep(ops: SlackOps) -> SweepReport:
    """Everything due, then a batch of pages (those the steps just wrote first among them):
    the whole job in one call, for the cron endpoint, the demo and tests. The scheduler runs
    the three parts as loops of their own (see hints.py)."""
    steps = await escalate_due(ops)
    report = await sweep_due(ops)
    pages = await paging.deliver_pending(ops)
    backlog = report.backlog or steps >= engine.CLAIM_BATCH or pages >= outbox.CLAIM_BATCH
    return replace(report, steps=steps, pages=pages, backlog=backlog)


async def escalate_due(ops: SlackOps) -> int:
    """Run the due escalation steps; returns how many. Their pages wait in the outbox (and
    `ops.pages_written` is told): the only Slack calls left here are exhaustion notices."""
    deps = ops.deps
    runs = await engine.claim_due(deps.db, deps.clock, deps.config)
    await paging.announce_steps(ops, runs)
    return len(runs)


async def sweep_due(ops: SlackOps) -> SweepReport:
    """The due work besides escalation steps and pages: nudges, archives, re-syncs, the
    periodic jobs. Much of it talks to Slack, so it never runs in the escalation loop."""
    deps = ops.deps
    nudges = await due.claim_due_nudges(deps.db, deps.clock, deps.config)
    for incident in nudges:
        await notify.send_nudge(ops, incident)
        ops.hint(incident.next_nudge_at)
    archives = await due.claim_due_archives(deps.db, deps.clock)
    for incident in archives:
        if incident.channel_id:
            await archive(ops, incident)
    syncs = await due.claim_due_syncs(deps.db, deps.clock)
    for incident_id in syncs:
        await refresh(ops, incident_id)
    if await due.claim_periodic(deps.db, deps.clock, due.USERGROUP_JOB, due.USERGROUP_EVERY):
        await refresh_usergroups(ops)
    digest = False
    every = deps.config.lifecycle.digest_interval
    if await due.claim_periodic(deps.db, deps.clock, due.DIGEST_JOB, every):
        digest = await notify.send_digest(ops)
        ops.hint(deps.clock.now() + every)
    await publish_due(ops)
    await file_due(ops)
    backlog = max(len(nudges), len(archives), len(syncs)) >= due.CLAIM_BATCH
    return SweepReport(0, 0, len(nudges), len(archives), len(syncs), digest, backlog)
