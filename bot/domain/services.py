"""Mirror the config's services into storage, so removed ones stay joinable but inactive."""

from __future__ import annotations

from sqlmodel import select

from bot.config import OpsConfig
from storage.db import Database
from storage.models import Service


async def sync_services(db: Database, config: OpsConfig) -> None:
    wanted = {service.name: service for service in config.services}
    async with db.transaction() as session:
        stored = {row.name: row for row in (await session.exec(select(Service))).all()}
        for name, spec in wanted.items():
            row = stored.get(name) or Service(name=name)
            row.description = spec.description
            row.runbook_url = str(spec.runbook_url) if spec.runbook_url else None
            row.owners = list(spec.owners)
            row.subscribers = list(spec.subscribers)
            row.active = True
            session.add(row)
        for name, row in stored.items():
            if name not in wanted and row.active:
                row.active = False
                session.add(row)
