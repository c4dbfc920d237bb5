"""A stateful fake of Slack's Web API and Socket Mode, for tests, benchmarks and demos.

Point the real ``slack_sdk.web.async_client.AsyncWebClient`` at
``FakeSlack.api_url``; see ``fake.py`` for the public interface.
"""

from fakes.slack.fake import FakeSlack
from fakes.slack.state import (
    Bookmark,
    Call,
    Canvas,
    Channel,
    Ephemeral,
    File,
    Message,
    Pin,
    ResponsePost,
    Trigger,
    User,
    Usergroup,
    View,
)

__all__ = [
    "Bookmark",
    "Call",
    "Canvas",
    "Channel",
    "Ephemeral",
    "FakeSlack",
    "File",
    "Message",
    "Pin",
    "ResponsePost",
    "Trigger",
    "User",
    "Usergroup",
    "View",
]
