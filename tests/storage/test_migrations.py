"""Migrations reach head from empty, on both backends, and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import Database
from storage.migrate import current_revision, downgrade, head_revision, upgrade


async def _model_diff(db: Database) -> list[object]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), SQLModel.metadata
            )
        )


async def test_empty_database_upgrades_to_head_and_matches_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert await current_revision(db) is None
        await upgrade(db)
        assert await current_revision(db) == head_revision()
        assert await _model_diff(db) == []
    finally:
        await db.dispose()


async def test_upgrade_is_idempotent_and_downgrade_empties(db: Database) -> None:
    await upgrade(db)
    assert await current_revision(db) == head_revision()
    await downgrade(db, "base")
    assert await current_revision(db) is None
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync))
    assert set(tables) <= {"alembic_version"}
