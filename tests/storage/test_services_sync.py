"""Config services are mirrored into storage; removed ones stay but turn inactive."""

from __future__ import annotations

from sqlmodel import select

from bot.config import OpsConfig, Service
from bot.domain.services import sync_services
from storage.db import Database
from storage.models import Service as ServiceRow


async def _rows(db: Database) -> dict[str, ServiceRow]:
    async with db.session() as session:
        return {row.name: row for row in (await session.exec(select(ServiceRow))).all()}


async def test_sync_inserts_updates_and_deactivates(db: Database) -> None:
    first = OpsConfig(
        services=(
            Service(name="checkout", owners=("U0AAA",), runbook_url="https://rb.example/c"),
            Service(name="search"),
        )
    )
    await sync_services(db, first)
    rows = await _rows(db)
    assert rows["checkout"].owners == ["U0AAA"]
    assert rows["checkout"].runbook_url == "https://rb.example/c"
    assert rows["search"].active

    second = OpsConfig(services=(Service(name="checkout", owners=("U0BBB", "U0CCC")),))
    await sync_services(db, second)
    rows = await _rows(db)
    assert rows["checkout"].owners == ["U0BBB", "U0CCC"]
    assert rows["checkout"].runbook_url is None
    assert rows["checkout"].active and not rows["search"].active

    await sync_services(db, first)
    assert (await _rows(db))["search"].active
