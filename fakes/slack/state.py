"""State dataclasses of the fake Slack workspace.

These are plain mutable records; the fake's method handlers mutate them and
tests read them directly (``fake.users``, ``fake.messages(...)`` and so on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class User:
    id: str
    name: str
    real_name: str
    email: str | None = None
    tz: str = "Europe/London"
    tz_offset: int = 0
    is_admin: bool = False
    deleted: bool = False
    is_bot: bool = False
    display_name: str = ""
    bot_id: str | None = None
    updated: int = 0


@dataclass
class Channel:
    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_archived: bool = False
    is_general: bool = False
    members: list[str] = field(default_factory=list)
    topic: JSON = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    purpose: JSON = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    previous_names: list[str] = field(default_factory=list)
    im_user: str | None = None  # the other party of a DM (``is_im``)
    canvas_id: str | None = None  # the channel canvas (``conversations.canvases.create``)


@dataclass
class Message:
    """A stored message.

    ``thread_ts`` is ``None`` for a plain top-level message; a thread parent has
    ``thread_ts == ts`` once it has replies (as on Slack); a reply has the
    parent's ts.  ``subtype == "thread_broadcast"`` marks a reply that was also
    sent to the channel (``reply_broadcast``).
    """

    ts: str
    channel: str
    user: str | None
    text: str = ""
    blocks: list[JSON] = field(default_factory=list)
    attachments: list[JSON] = field(default_factory=list)
    thread_ts: str | None = None
    reply_count: int = 0
    reply_users: list[str] = field(default_factory=list)
    latest_reply: str | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    edited: JSON | None = None
    files: list[JSON] = field(default_factory=list)
    upload: bool = False  # files were uploaded with this message (Slack's ``upload``)
    bot_id: str | None = None
    app_id: str | None = None
    metadata: JSON | None = None
    subtype: str | None = None
    unfurl_links: bool | None = None
    unfurl_media: bool | None = None
    username: str | None = None
    icon_emoji: str | None = None
    icon_url: str | None = None
    team: str | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def in_history(self) -> bool:
        """True when ``conversations.history`` lists it (top level or broadcast)."""
        return not self.is_reply or self.subtype == "thread_broadcast"


@dataclass
class Pin:
    """A pinned message: who pinned it and when (``pins.list``'s ``created``/``created_by``)."""

    channel: str
    ts: str
    created: int
    created_by: str


@dataclass
class File:
    """An uploaded file: announced by ``files.getUploadURLExternal``, its bytes posted to the
    upload URL, then shared by ``files.completeUploadExternal`` (``completed``)."""

    id: str
    name: str
    title: str
    user: str
    created: int
    length: int
    content: bytes | None = None  # None until the upload URL got the bytes
    completed: bool = False
    alt_txt: str | None = None
    snippet_type: str | None = None
    channels: list[str] = field(default_factory=list)
    shares: dict[str, list[str]] = field(default_factory=dict)  # channel -> message ts

    @property
    def uploaded(self) -> bool:
        return self.content is not None


@dataclass
class Canvas:
    """A canvas (a file too: ``F`` ids). ``access`` maps ``channel:<id>``/``user:<id>`` to
    ``read``/``write``; the owner always has write access."""

    id: str
    title: str
    markdown: str
    owner: str
    created: int
    updated: int
    channel: str | None = None  # the channel it is the channel canvas of, or is tabbed in
    is_channel_canvas: bool = False
    access: dict[str, str] = field(default_factory=dict)


@dataclass
class Bookmark:
    id: str
    channel_id: str
    title: str
    link: str
    type: str = "link"
    emoji: str | None = None
    icon_url: str | None = None
    entity_id: str | None = None
    date_created: int = 0
    date_updated: int = 0
    rank: str = "a"
    last_updated_by_user_id: str = ""
    last_updated_by_team_id: str = ""
    app_id: str | None = None


@dataclass
class View:
    """A modal or a home tab.  ``view`` is the full view JSON as Slack returns it."""

    id: str
    user_id: str
    type: str
    view: JSON
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    external_id: str | None = None
    closed: bool = False


@dataclass
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[JSON]
    message_ts: str
    thread_ts: str | None = None
    attachments: list[JSON] = field(default_factory=list)


@dataclass
class ResponsePost:
    """A POST to a ``response_url`` issued by :meth:`FakeSlack.new_response_url`."""

    url_id: str
    url: str
    body: JSON
    time: float

    @property
    def text(self) -> str | None:
        value = self.body.get("text")
        return value if isinstance(value, str) else None

    @property
    def blocks(self) -> list[JSON]:
        value = self.body.get("blocks")
        return value if isinstance(value, list) else []


@dataclass
class Usergroup:
    id: str
    handle: str
    name: str
    users: list[str] = field(default_factory=list)
    description: str = ""
    is_external: bool = False
    date_create: int = 0
    date_delete: int = 0
    created_by: str = ""


@dataclass
class Trigger:
    id: str
    user_id: str
    issued_at: float  # time.monotonic() based
    used: bool = False


@dataclass
class Call:
    """One Web API call as the fake saw and answered it."""

    method: str
    args: JSON
    status: int
    response: JSON
    time: float  # time.time() when answered
    http_method: str = "POST"
    token: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        value = self.response.get("error")
        return value if isinstance(value, str) else None
