"""A stateful fake of Slack's Web API and Socket Mode, for tests, benchmarks and demos.

Point the real ``slack_sdk.web.async_client.AsyncWebClient`` at
``FakeSlack.api_url``; see ``fake.py`` for the public interface.
"""

from fakes.slack.fake import FakeSlack
from fakes.slack.state import (
    Bookmark,
    Call,
    Channel,
    Ephemeral,
    Message,
    ResponsePost,
    Trigger,
    User,
    Usergroup,
    View,
)

__all__ = [
    "Bookmark",
    "Call",
    "Channel",
    "Ephemeral",
    "FakeSlack",
    "Message",
    "ResponsePost",
    "Trigger",
    "User",
    "Usergroup",
    "View",
]
