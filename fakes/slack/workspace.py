"""The fake workspace's state store: ids, timestamps, users, channels, messages."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from fakes.slack.errors import SlackError
from fakes.slack.state import (
    Bookmark,
    Canvas,
    Channel,
    Ephemeral,
    File,
    Message,
    ResponsePost,
    Trigger,
    User,
    Usergroup,
    View,
)

_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Offsets (seconds) of the few zones a test is likely to use; anything else is 0.
_TZ_OFFSETS = {
    "Europe/London": 0,
    "UTC": 0,
    "Europe/Berlin": 3600,
    "Europe/Paris": 3600,
    "America/New_York": -18000,
    "America/Chicago": -21600,
    "America/Denver": -25200,
    "America/Los_Angeles": -28800,
    "Asia/Tokyo": 32400,
    "Asia/Kolkata": 19800,
    "Australia/Sydney": 36000,
}


def _b36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _B36[r] + out
        if n == 0:
            return out


@dataclass(frozen=True)
class Identity:
    """Who the fake workspace is: team, bot user and app."""

    team_id: str
    team_name: str
    domain: str
    bot_user_id: str
    bot_id: str
    app_id: str
    bot_name: str


class Workspace:
    """All mutable state of the fake, plus the rules shared by several methods."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.usergroups: dict[str, Usergroup] = {}
        self.pins: defaultdict[str, list[str]] = defaultdict(list)
        self.pin_info: dict[tuple[str, str], tuple[int, str]] = {}
        self.bookmarks: defaultdict[str, list[Bookmark]] = defaultdict(list)
        self.views: dict[str, View] = {}
        self.modal_stacks: dict[str, list[str]] = {}
        self.home_views: dict[str, str] = {}
        self.ephemerals: list[Ephemeral] = []
        self.responses: list[ResponsePost] = []
        self.response_urls: dict[str, int] = {}
        self.triggers: dict[str, Trigger] = {}
        self.dms: dict[frozenset[str], str] = {}
        self.files: dict[str, File] = {}
        self.canvases: dict[str, Canvas] = {}
        self.upload_tickets: dict[str, str] = {}  # upload URL ticket -> file id
        self.base_url = ""  # where the fake is served, for file URLs
        self._messages: dict[str, list[Message]] = defaultdict(list)
        self._by_ts: dict[tuple[str, str], Message] = {}
        self._counters: dict[str, int] = defaultdict(int)
        self._last_ts_us = 0
        self.add_user(
            identity.bot_name,
            id=identity.bot_user_id,
            real_name=identity.bot_name,
            is_bot=True,
        )

    # -- ids and clocks ---------------------------------------------------

    def new_id(self, prefix: str, width: int = 8) -> str:
        taken = (
            *self.users,
            *self.channels,
            *self.views,
            *self.usergroups,
            *self.files,
            *self.canvases,
        )
        while True:
            self._counters[prefix] += 1
            candidate = f"{prefix}0{_b36(self._counters[prefix]).rjust(width, '0')}"
            if candidate not in taken:
                return candidate

    def next_ts(self) -> str:
        """A Slack message ts ("1732370000.000100"), strictly increasing."""
        now_us = int(time.time() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        sec, us = divmod(self._last_ts_us, 1_000_000)
        return f"{sec}.{us:06d}"

    # -- users ------------------------------------------------------------

    def add_user(
        self,
        name: str,
        *,
        id: str | None = None,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "Europe/London",
        is_admin: bool = False,
        deleted: bool = False,
        is_bot: bool = False,
    ) -> User:
        user_id = id or self.new_id("U")
        if user_id in self.users:
            raise ValueError(f"user {user_id} already exists")
        user = User(
            id=user_id,
            name=name,
            real_name=real_name if real_name is not None else name,
            email=email,
            tz=tz,
            tz_offset=_TZ_OFFSETS.get(tz, 0),
            is_admin=is_admin,
            deleted=deleted,
            is_bot=is_bot,
            display_name=name,
            bot_id=self.identity.bot_id if user_id == self.identity.bot_user_id else None,
            updated=int(time.time()),
        )
        self.users[user_id] = user
        return user

    def user(self, user_id: str | None, error: str = "user_not_found") -> User:
        if not user_id or user_id not in self.users:
            raise SlackError(error)
        return self.users[user_id]

    # -- channels ---------------------------------------------------------

    def add_channel(
        self,
        name: str,
        *,
        is_private: bool = False,
        members: tuple[str, ...] | list[str] = (),
        creator: str | None = None,
        id: str | None = None,
    ) -> Channel:
        if any(c.name == name and not c.is_im and not c.is_mpim for c in self.channels.values()):
            raise ValueError(f"channel name {name!r} is taken")
        channel_id = id or self.new_id("C")
        channel = Channel(
            id=channel_id,
            name=name,
            created=int(time.time()),
            creator=creator or self.identity.bot_user_id,
            is_private=is_private,
            members=list(dict.fromkeys(members)),
        )
        self.channels[channel_id] = channel
        return channel

    def channel_by_name(self, name: str) -> Channel | None:
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im and not channel.is_mpim:
                return channel
        return None

    def visible_channel(self, ref: str | None, viewer: str) -> Channel:
        """The channel ``ref`` (id, name or #name) as ``viewer`` can see it.

        A private conversation the viewer is not in does not exist for them,
        so it raises ``channel_not_found`` like a made-up id.
        """
        if not ref:
            raise SlackError("channel_not_found")
        channel = self.channels.get(ref) or self.channel_by_name(ref.removeprefix("#"))
        if channel is None:
            raise SlackError("channel_not_found")
        hidden = channel.is_private or channel.is_im or channel.is_mpim
        if hidden and viewer not in channel.members:
            raise SlackError("channel_not_found")
        return channel

    def open_dm(self, user_ids: list[str], opener: str) -> tuple[Channel, bool]:
        """The DM (one other user) or MPIM (several) of ``opener`` with ``user_ids``."""
        others = [u for u in dict.fromkeys(user_ids) if u != opener] or [opener]
        key = frozenset([opener, *others])
        existing = self.dms.get(key)
        if existing is not None:
            return self.channels[existing], True
        if len(others) == 1:
            channel_id = self.new_id("D")
            name = channel_id
            is_im, is_mpim = True, False
        else:
            channel_id = self.new_id("G")
            names = sorted(self.users[u].name for u in key if u in self.users)
            name = "mpdm-" + "--".join(names) + "-1"
            is_im, is_mpim = False, True
        channel = Channel(
            id=channel_id,
            name=name,
            created=int(time.time()),
            creator=opener,
            is_private=True,
            is_im=is_im,
            is_mpim=is_mpim,
            members=sorted(key),
            im_user=others[0] if is_im else None,
        )
        self.channels[channel_id] = channel
        self.dms[key] = channel_id
        return channel, False

    # -- messages ---------------------------------------------------------

    def all_messages(self, channel_id: str) -> list[Message]:
        return self._messages.get(channel_id, [])

    def message(self, channel_id: str, ts: str | None) -> Message | None:
        if not ts:
            return None
        return self._by_ts.get((channel_id, ts))

    def top_level(self, channel_id: str) -> list[Message]:
        return [m for m in self.all_messages(channel_id) if m.in_history]

    def thread(self, channel_id: str, thread_ts: str) -> list[Message]:
        return [
            m
            for m in self.all_messages(channel_id)
            if m.ts == thread_ts or (m.thread_ts == thread_ts and m.is_reply)
        ]

    def store_message(self, message: Message) -> Message:
        """Append ``message`` (its ts must be the newest) and update its thread parent."""
        self._messages[message.channel].append(message)
        self._by_ts[(message.channel, message.ts)] = message
        if message.is_reply and message.thread_ts is not None:
            parent = self.message(message.channel, message.thread_ts)
            if parent is not None:
                parent.thread_ts = parent.ts
                parent.reply_count += 1
                parent.latest_reply = message.ts
                if message.user and message.user not in parent.reply_users:
                    parent.reply_users.append(message.user)
        return message

    def remove_message(self, message: Message) -> None:
        """Delete ``message``; a parent with replies becomes a tombstone, as on Slack."""
        if not message.is_reply and message.reply_count > 0:
            message.subtype = "tombstone"
            message.text = "This message was deleted."
            message.blocks = []
            message.attachments = []
            message.reactions = {}
            return
        self._messages[message.channel].remove(message)
        del self._by_ts[(message.channel, message.ts)]
        pins = self.pins.get(message.channel)
        if pins and message.ts in pins:
            pins.remove(message.ts)
            self.pin_info.pop((message.channel, message.ts), None)
        if message.is_reply and message.thread_ts is not None:
            parent = self.message(message.channel, message.thread_ts)
            if parent is not None:
                replies = [m for m in self.thread(message.channel, parent.ts) if m.is_reply]
                parent.reply_count = len(replies)
                parent.latest_reply = replies[-1].ts if replies else None
                parent.reply_users = list(dict.fromkeys(m.user for m in replies if m.user))
                if not replies:
                    parent.thread_ts = None
                    if parent.subtype == "tombstone":
                        self.remove_message(parent)

    def new_message(self, channel: Channel, user: str, text: str, **fields: object) -> Message:
        """Create, store and return a message from ``user`` (bot or human)."""
        thread_ts = fields.pop("thread_ts", None)
        if isinstance(thread_ts, str):
            parent = self.message(channel.id, thread_ts)
            if parent is not None and parent.is_reply:
                thread_ts = parent.thread_ts
        system = fields.get("subtype") not in (None, "thread_broadcast")
        is_bot = user == self.identity.bot_user_id and not system
        message = Message(
            ts=self.next_ts(),
            channel=channel.id,
            user=user,
            text=text,
            thread_ts=thread_ts if isinstance(thread_ts, str) else None,
            bot_id=self.identity.bot_id if is_bot else None,
            app_id=self.identity.app_id if is_bot else None,
            team=self.identity.team_id,
            **fields,  # type: ignore[arg-type]
        )
        return self.store_message(message)

    # -- misc -------------------------------------------------------------

    def view_hash(self) -> str:
        self._counters["hash"] += 1
        return f"{int(time.time())}.{self._counters['hash']:08x}"
