"""What alert intake means in Slack: new incidents set up, resolved ones closed, all refreshed."""

from __future__ import annotations

import logging

from bot.domain import lifecycle
from bot.domain.alerts.outcome import Outcome
from bot.domain.lifecycle import Change
from bot.slack_ops.context import SlackOps
from bot.slack_ops.effects import after_change, after_declare
from bot.slack_ops.sync import refresh

log = logging.getLogger("opsguard.alerts")


async def after_intake(ops: SlackOps, outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if not outcome.news or outcome.incident_id is None:
            continue  # a plain repeat: nothing for Slack, so no database read either
        try:
            if outcome.incident is not None:  # declared by the intake: no need to read it
                await after_declare(ops, outcome.incident, actor=None)
            elif outcome.resolved or outcome.acknowledged:
                incident = await lifecycle.get_incident(ops.deps.db, outcome.incident_id)
                await after_change(
                    ops,
                    Change(incident),
                    actor=None,
                    update_text="All alerts resolved."
                    if outcome.resolved
                    else "Acknowledged by the alert source.",
                )
            else:
                await refresh(ops, outcome.incident_id)
        except Exception:
            log.exception(
                "Slack follow-up of alert group %s failed; the sweeper re-syncs", outcome.group_id
            )
