"""Filing due postmortem action items in Jira: the worker side of the filing outbox.

Each claimed item is filed on its own and its outcome recorded under its claim's fence, so
a rejected item never holds up the others. When Jira does not answer at all, the rest of
the batch is recorded with the same error instead of each waiting out the timeout.

Filing is at most once per item: every issue carries the item's own label, and a retry
looks for it before creating, so an issue whose key was never stored (the worker died,
outlived its lease, or Jira created it but answered too late) is recorded, not filed again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlmodel import col, select

from bot.clock import Clock
from bot.domain.postmortem.action_items import claim_due_filings, record_failed, record_filed
from bot.issue_tracker import SUMMARY_MAX, FiledIssue, TrackerError
from storage.db import Database
from storage.models import ActionItem, Incident, User

log = logging.getLogger("opsguard.action_items")

FILE_BATCH = 20
LABEL = "opsguard"

LinkFor = Callable[[Incident], Awaitable[str | None]]
"""Where people find the incident (its war room's permalink); None when there is none."""


class Tracker(Protocol):
    async def find_issue(self, label: str) -> FiledIssue | None: ...

    async def file_issue(
        self,
        *,
        summary: str,
        description: str,
        labels: list[str],
        due_date: date | None = None,
    ) -> FiledIssue: ...


@dataclass(frozen=True)
class FilingRun:
    """What one run did: items filed, and items left pending with an error."""

    filed: int = 0
    failed: int = 0


async def file_due_action_items(
    db: Database,
    clock: Clock,
    tracker: Tracker,
    link_for: LinkFor,
    *,
    limit: int = FILE_BATCH,
) -> FilingRun:
    """File every action item due for Jira (up to ``limit``) and record how each went."""
    items = await claim_due_filings(db, clock, limit)
    if not items:
        return FilingRun()
    incidents, names = await _context(db, items)
    links: dict[int, str | None] = {}
    outage: str | None = None
    filed = failed = 0
    for item in items:
        assert item.id is not None
        incident = incidents[item.incident_id]
        if item.incident_id not in links:
            links[item.incident_id] = await _link(link_for, incident)
        error = outage
        if error is None:
            try:
                issue = await _file_once(
                    tracker,
                    item,
                    incident,
                    description_for(
                        item, incident, links[item.incident_id], names.get(item.owner or "")
                    ),
                )
            except TrackerError as exc:
                error = str(exc)
                outage = error if exc.unreachable else None
            except Exception as exc:
                log.exception("unexpected error filing action item %s", item.id)
                error = f"unexpected error filing in Jira ({type(exc).__name__})"
            else:
                if await record_filed(
                    db, item.id, item.jira_fence, issue.key, issue.url, clock.now()
                ):
                    filed += 1
                else:
                    log.warning(
                        "action item %s filed as %s after losing its claim", item.id, issue.key
                    )
                continue
        log.warning("action item %s not filed in Jira: %s", item.id, error)
        await record_failed(db, item.id, item.jira_fence, error, clock.now())
        failed += 1
    return FilingRun(filed=filed, failed=failed)


def item_label(incident_number: int, item_id: int) -> str:
    """The label only this item's issue carries: how a retry finds an earlier filing. The
    incident number (never reused) keeps a recycled row id from matching an old issue."""
    return f"{LABEL}-inc-{incident_number}-item-{item_id}"


async def _file_once(
    tracker: Tracker, item: ActionItem, incident: Incident, description: str
) -> FiledIssue:
    """The item's issue: the one an earlier attempt filed, else a new one.

    Only a retry searches. Each claim counts an attempt before it calls Jira, and nothing
    else changes the count, so on the first attempt (``jira_attempts == 1``) no create can
    have been sent yet; skipping the search there spares Jira a call per item and keeps a
    batch within its lease. (The fence is no such sign: completing an item bumps it too.)
    """
    assert item.id is not None
    label = item_label(incident.number, item.id)
    if item.jira_attempts > 1:
        found = await tracker.find_issue(label)
        if found is not None:
            log.info("action item %s already filed as %s", item.id, found.key)
            return found
    return await tracker.file_issue(
        summary=summary_for(item.text),
        description=description,
        labels=[LABEL, f"{LABEL}-inc-{incident.number}", label],
        due_date=item.due_date,
    )


def summary_for(text: str) -> str:
    """One line (Jira refuses newlines in a summary) of at most SUMMARY_MAX characters."""
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_MAX else line[: SUMMARY_MAX - 1] + "…"


def description_for(
    item: ActionItem, incident: Incident, link: str | None, owner_name: str | None
) -> str:
    """Enough context to act on the issue without opening Slack, and the way back to it."""
    lines = [f"Action item from the postmortem of INC-{incident.number}: {incident.title}"]
    if incident.service:
        lines.append(f"Service: {incident.service}")
    if item.owner:
        lines.append(f"Owner: {owner_name or item.owner}")
    if item.due_date:
        lines.append(f"Due: {item.due_date.isoformat()}")
    if link:
        lines.append(f"Incident in Slack: {link}")
    return "\n".join([*lines, "", item.text])


async def _context(
    db: Database, items: list[ActionItem]
) -> tuple[dict[int, Incident], dict[str, str]]:
    """The items' incidents, and their owners' display names from the user cache."""
    incident_ids = {item.incident_id for item in items}
    owners = {item.owner for item in items if item.owner}
    async with db.session() as session:
        incidents = (
            await session.exec(select(Incident).where(col(Incident.id).in_(incident_ids)))
        ).all()
        users = (await session.exec(select(User).where(col(User.id).in_(owners)))).all()
    return (
        {incident.id: incident for incident in incidents if incident.id is not None},
        {user.id: user.real_name or user.name for user in users},
    )


async def _link(link_for: LinkFor, incident: Incident) -> str | None:
    """A missing link is no reason to hold back the issue."""
    try:
        return await link_for(incident)
    except Exception:
        log.warning("no link for INC-%s", incident.number, exc_info=True)
        return None
