"""Slack's JSON shapes for the fake's state objects."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from fakes.slack.state import (
    JSON,
    Bookmark,
    Canvas,
    Channel,
    File,
    Message,
    User,
    Usergroup,
    View,
)
from fakes.slack.workspace import Workspace

# Slack's filetype for the few extensions whose filetype is not the extension itself.
_FILETYPES = {"txt": "text", "md": "markdown", "": "binary"}
_PRETTY_TYPES = {"text": "Plain Text", "markdown": "Markdown (raw)", "binary": "Binary"}


def user_json(ws: Workspace, user: User) -> JSON:
    profile: JSON = {
        "real_name": user.real_name,
        "real_name_normalized": user.real_name,
        "display_name": user.display_name,
        "display_name_normalized": user.display_name,
        "first_name": user.real_name.split(" ")[0] if user.real_name else "",
        "last_name": " ".join(user.real_name.split(" ")[1:]),
        "title": "",
        "phone": "",
        "status_text": "",
        "status_emoji": "",
        "image_48": f"https://avatars.example.invalid/{user.id}_48.png",
        "image_72": f"https://avatars.example.invalid/{user.id}_72.png",
        "team": ws.identity.team_id,
    }
    if user.email is not None:
        profile["email"] = user.email
    if user.bot_id is not None:
        profile["bot_id"] = user.bot_id
        profile["api_app_id"] = ws.identity.app_id
    return {
        "id": user.id,
        "team_id": ws.identity.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "color": "9f69e7",
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": user.tz,
        "tz_offset": user.tz_offset,
        "profile": profile,
        "is_admin": user.is_admin,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": user.updated,
        "is_email_confirmed": user.email is not None,
    }


def channel_json(channel: Channel, viewer: str, *, with_members_count: bool = True) -> JSON:
    if channel.is_im:
        return {
            "id": channel.id,
            "created": channel.created,
            "is_im": True,
            "is_org_shared": False,
            "user": channel.im_user,
            "is_user_deleted": False,
            "priority": 0,
        }
    body: JSON = {
        "id": channel.id,
        "name": channel.name,
        "is_channel": not channel.is_mpim,
        "is_group": channel.is_private and not channel.is_mpim,
        "is_im": False,
        "is_mpim": channel.is_mpim,
        "is_private": channel.is_private,
        "created": channel.created,
        "is_archived": channel.is_archived,
        "is_general": channel.is_general,
        "unlinked": 0,
        "name_normalized": channel.name,
        "is_shared": False,
        "is_org_shared": False,
        "is_ext_shared": False,
        "is_pending_ext_shared": False,
        "pending_shared": [],
        "context_team_id": "",
        "updated": channel.created * 1000,
        "creator": channel.creator,
        "is_member": viewer in channel.members,
        "topic": dict(channel.topic),
        "purpose": dict(channel.purpose),
        "previous_names": list(channel.previous_names),
    }
    if channel.canvas_id:
        body["properties"] = {"canvas": {"file_id": channel.canvas_id}}
    if with_members_count:
        body["num_members"] = len(channel.members)
    return body


def message_json(ws: Workspace, message: Message) -> JSON:
    body: JSON = {"type": "message", "ts": message.ts, "text": message.text}
    if message.subtype:
        body["subtype"] = message.subtype
    if message.user:
        body["user"] = message.user
    if message.bot_id:
        body["bot_id"] = message.bot_id
        body["app_id"] = message.app_id
        body["bot_profile"] = {
            "id": message.bot_id,
            "app_id": message.app_id,
            "name": ws.identity.bot_name,
            "deleted": False,
            "team_id": ws.identity.team_id,
        }
    if message.team:
        body["team"] = message.team
    if message.blocks:
        body["blocks"] = message.blocks
    if message.attachments:
        body["attachments"] = message.attachments
    if message.files:
        body["files"] = [
            file_json(ws, ws.files[f["id"]]) if f.get("id") in ws.files else dict(f)
            for f in message.files
        ]
        body["upload"] = message.upload
        body["display_as_bot"] = False
    if message.metadata:
        body["metadata"] = message.metadata
    if message.username:
        body["username"] = message.username
    if message.icon_emoji or message.icon_url:
        icons = {"emoji": message.icon_emoji} if message.icon_emoji else {}
        if message.icon_url:
            icons["image_48"] = message.icon_url
        body["icons"] = icons
    if message.edited:
        body["edited"] = dict(message.edited)
    if message.thread_ts:
        body["thread_ts"] = message.thread_ts
        if message.is_reply:
            parent = ws.message(message.channel, message.thread_ts)
            body["parent_user_id"] = parent.user if parent else None
        else:
            body["reply_count"] = message.reply_count
            body["reply_users_count"] = len(message.reply_users)
            body["latest_reply"] = message.latest_reply
            body["reply_users"] = list(message.reply_users)
            body["is_locked"] = False
            body["subscribed"] = False
    if message.reactions:
        body["reactions"] = [
            {"name": name, "users": list(users), "count": len(users)}
            for name, users in message.reactions.items()
        ]
    if message.ts in ws.pins.get(message.channel, []):
        body["pinned_to"] = [message.channel]
    return body


def bookmark_json(bookmark: Bookmark) -> JSON:
    return {
        "id": bookmark.id,
        "channel_id": bookmark.channel_id,
        "title": bookmark.title,
        "link": bookmark.link,
        "emoji": bookmark.emoji,
        "icon_url": bookmark.icon_url,
        "type": bookmark.type,
        "entity_id": bookmark.entity_id,
        "date_created": bookmark.date_created,
        "date_updated": bookmark.date_updated,
        "rank": bookmark.rank,
        "last_updated_by_user_id": bookmark.last_updated_by_user_id,
        "last_updated_by_team_id": bookmark.last_updated_by_team_id,
        "shortcut_id": None,
        "app_id": bookmark.app_id,
    }


def view_json(view: View) -> JSON:
    return dict(view.view)


def usergroup_json(group: Usergroup, team_id: str, *, include_users: bool) -> JSON:
    body: JSON = {
        "id": group.id,
        "team_id": team_id,
        "is_usergroup": True,
        "is_subteam": True,
        "name": group.name,
        "description": group.description,
        "handle": group.handle,
        "is_external": group.is_external,
        "date_create": group.date_create,
        "date_update": group.date_create,
        "date_delete": group.date_delete,
        "auto_type": None,
        "created_by": group.created_by,
        "updated_by": group.created_by,
        "deleted_by": None,
        "prefs": {"channels": [], "groups": []},
        "user_count": len(group.users),
    }
    if include_users:
        body["users"] = list(group.users)
    return body


def _file_urls(ws: Workspace, file_id: str, name: str, user: str) -> JSON:
    team = ws.identity.team_id
    base = f"{ws.base_url}/files-pri/{team}-{file_id}"
    return {
        "url_private": f"{base}/{quote(name)}",
        "url_private_download": f"{base}/download/{quote(name)}",
        "permalink": f"https://{ws.identity.domain}.slack.com/files/{user}/{file_id}/{quote(name)}",
        "permalink_public": f"https://slack-files.com/{team}-{file_id}-{file_id.lower()}",
    }


def _where(ws: Workspace, channel_ids: list[str]) -> JSON:
    """``channels``/``groups``/``ims``: where a file is shared, by kind of conversation."""
    kinds: JSON = {"channels": [], "groups": [], "ims": []}
    for channel_id in channel_ids:
        channel = ws.channels.get(channel_id)
        if channel is None:
            continue
        key = "ims" if channel.is_im else "groups" if channel.is_private else "channels"
        kinds[key].append(channel_id)
    return kinds


def _shares(ws: Workspace, file: File) -> JSON:
    shares: JSON = {}
    for channel_id, stamps in file.shares.items():
        channel = ws.channels.get(channel_id)
        if channel is None:
            continue
        entries = []
        for ts in stamps:
            entry: JSON = {
                "ts": ts,
                "channel_name": channel.name,
                "team_id": ws.identity.team_id,
                "share_user_id": file.user,
                "reply_users": [],
                "reply_users_count": 0,
                "reply_count": 0,
            }
            message = ws.message(channel_id, ts)
            if message is not None and message.is_reply:
                entry["thread_ts"] = message.thread_ts
            entries.append(entry)
        kind = "private" if channel.is_private or channel.is_im else "public"
        shares.setdefault(kind, {})[channel_id] = entries
    return shares


def file_json(ws: Workspace, file: File) -> JSON:
    """A file object as ``files.info`` and messages carry it."""
    extension = file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    filetype = file.snippet_type or _FILETYPES.get(extension, extension)
    where = _where(ws, file.channels)
    body: JSON = {
        "id": file.id,
        "created": file.created,
        "timestamp": file.created,
        "name": file.name,
        "title": file.title,
        "mimetype": mimetypes.guess_type(file.name)[0] or "application/octet-stream",
        "filetype": filetype,
        "pretty_type": _PRETTY_TYPES.get(filetype, filetype.upper()),
        "user": file.user,
        "user_team": ws.identity.team_id,
        "editable": False,
        "size": len(file.content) if file.content is not None else file.length,
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": bool(where["channels"]),
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        **_file_urls(ws, file.id, file.name, file.user),
        **where,
        "shares": _shares(ws, file),
        "comments_count": 0,
        "has_rich_preview": False,
        "file_access": "visible",
    }
    if file.alt_txt:
        body["alt_txt"] = file.alt_txt
    return body


def canvas_file_json(ws: Workspace, canvas: Canvas) -> JSON:
    """A canvas as ``files.info`` shows it: a ``quip`` file."""
    name = canvas.title or "Untitled"
    where = _where(ws, [canvas.channel] if canvas.channel else [])
    return {
        "id": canvas.id,
        "created": canvas.created,
        "timestamp": canvas.created,
        "updated": canvas.updated,
        "name": name,
        "title": canvas.title,
        "mimetype": "application/vnd.slack-docs",
        "filetype": "quip",
        "pretty_type": "canvas",
        "user": canvas.owner,
        "user_team": ws.identity.team_id,
        "editable": True,
        "size": len(canvas.markdown.encode()),
        "mode": "quip",
        "is_external": False,
        "external_type": "",
        "is_public": bool(where["channels"]),
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        **_file_urls(ws, canvas.id, name, canvas.owner),
        **where,
        "comments_count": 0,
        "is_channel_space": canvas.is_channel_canvas,
    }
