"""One sweep: claim everything that is due and do it. Safe to run anywhere, any number of times."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.domain import due
from bot.domain.paging import engine, outbox
from bot.slack_ops import notify, paging
from bot.slack_ops.context import SlackOps
from bot.slack_ops.effects import archive
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
    deps = ops.deps
    runs = await engine.claim_due(deps.db, deps.clock, deps.config)
    await paging.after_steps(ops, runs)
    pages = await paging.deliver_pending(ops)
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
    backlog = len(runs) >= engine.CLAIM_BATCH or pages >= outbox.CLAIM_BATCH
    return SweepReport(len(runs), pages, len(nudges), len(archives), len(syncs), digest, backlog)
