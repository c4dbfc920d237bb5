"""What every Slack projection needs, in one object built at start-up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.bridge import BridgeMaker
from bot.deps import Deps
from bot.issue_tracker import IssueTracker

log = logging.getLogger("opsguard.slack")


@dataclass
class SlackOps:
    deps: Deps
    client: AsyncWebClient
    bridges: BridgeMaker
    bot_user_id: str = ""
    # Set by the scheduler: "something is due at this time", so it can wake up then.
    hint: Callable[[datetime | None], None] = lambda _: None
    # Set by the scheduler: new page rows wait in the outbox, so its delivery loop runs now.
    pages_written: Callable[[], None] = lambda: None
    # Jira for action items, when JIRA_URL and JIRA_PROJECT are set.
    jira: IssueTracker | None = None


def describe_failure(error: BaseException) -> str:
    """A failure in the words a responder can act on: Slack's error code, or the exception."""
    if isinstance(error, SlackApiError):
        return f"Slack answered `{error.response.get('error', 'an error')}`"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
