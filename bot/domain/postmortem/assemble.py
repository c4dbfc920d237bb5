"""One incident's postmortem as Markdown, from storage and the template checked at start-up."""

from __future__ import annotations

from bot.config import OpsConfig
from bot.domain.postmortem.render import PostmortemTemplate, render_markdown
from bot.domain.postmortem.report import Report, load_report
from storage.db import Database


async def report_markdown(
    db: Database, config: OpsConfig, template: PostmortemTemplate, incident_id: int
) -> tuple[Report, str]:
    async with db.session() as session:
        report = await load_report(session, incident_id, config)
    return report, render_markdown(template, report, config.timezone)
