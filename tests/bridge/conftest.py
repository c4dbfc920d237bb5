"""A running FakeZoom for the bridge tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fakes.zoom import FakeZoom


@pytest.fixture
async def zoom() -> AsyncIterator[FakeZoom]:
    async with FakeZoom() as running:
        yield running
        assert running.internal_errors == []
