"""Helpers shared by the fake Slack's tests."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError


async def slack_error(call: Awaitable[Any]) -> dict[str, Any]:
    """The body of the SlackApiError an awaited call raises."""
    with pytest.raises(SlackApiError) as raised:
        await call
    return dict(raised.value.response.data)
