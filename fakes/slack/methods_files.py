"""files.getUploadURLExternal, files.completeUploadExternal and files.info.

The upload in between (a POST of the bytes to the returned ``upload_url``) is served by
:mod:`fakes.slack.file_transfer`, exactly as slack-sdk's ``files_upload_v2`` does it.
"""

from __future__ import annotations

import uuid

from fakes.slack.actions import new_file, share_files
from fakes.slack.args import Args
from fakes.slack.blockkit import check_message_blocks
from fakes.slack.canvas_doc import invalid
from fakes.slack.errors import SlackError
from fakes.slack.methods_canvases import level_of
from fakes.slack.registry import Ctx, method, ok
from fakes.slack.render import canvas_file_json, file_json
from fakes.slack.state import JSON, Channel, File

ALT_TXT_MAX = 1000


@method("files.getUploadURLExternal")
def files_get_upload_url_external(ctx: Ctx, args: Args) -> JSON:
    filename = args.string("filename")
    if not filename:
        raise invalid("missing required field: filename", "/filename")
    length = args.raw("length")
    if length is None or length == "":
        raise invalid("missing required field: length", "/length")
    try:
        size = int(str(length))
    except ValueError:
        raise invalid("must be an integer", "/length") from None
    if size < 0:
        raise invalid("must be at least 0", "/length")
    alt_txt = args.string("alt_txt")
    if alt_txt and len(alt_txt) > ALT_TXT_MAX:
        raise SlackError("alt_txt_too_large")
    file = new_file(
        ctx.ws,
        name=filename,
        title=filename,
        user=ctx.caller,
        length=size,
        alt_txt=alt_txt,
        snippet_type=args.string("snippet_type"),
    )
    ticket = uuid.uuid4().hex
    ctx.ws.upload_tickets[ticket] = file.id
    return ok(upload_url=f"{ctx.base_url}/upload/v1/{ticket}", file_id=file.id)


def _pending(ctx: Ctx, args: Args) -> list[tuple[File, str | None]]:
    """The (file, new title) pairs of ``files``: uploaded by the caller, not yet completed."""
    entries = args.decoded("files", "invalid_arguments")
    if not isinstance(entries, list) or not entries:
        raise invalid("must be a non-empty array", "/files")
    pending: list[tuple[File, str | None]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise invalid("missing required field: id", f"/files/{index}/id")
        file = ctx.ws.files.get(entry["id"])
        if file is None or file.user != ctx.caller or file.completed or not file.uploaded:
            raise SlackError("file_not_found")
        title = entry.get("title")
        pending.append((file, title if isinstance(title, str) and title else None))
    return pending


def _targets(ctx: Ctx, args: Args) -> list[Channel]:
    """Where to share: ``channel_id`` and ``channels`` (channel ids, or user ids for DMs)."""
    refs = list(dict.fromkeys([*args.strings("channel_id"), *args.strings("channels")]))
    if args.string("thread_ts") and len(refs) > 1:
        raise invalid("thread_ts needs exactly one channel", "/channels")
    targets: list[Channel] = []
    for ref in refs:
        if ref in ctx.ws.users and ref != ctx.caller:
            targets.append(ctx.ws.open_dm([ref], ctx.caller)[0])
            continue
        channel = ctx.ws.visible_channel(ref, ctx.caller)
        if channel.is_archived:
            raise SlackError("is_archived")
        if ctx.caller not in channel.members:
            raise SlackError("not_in_channel")
        targets.append(channel)
    return targets


@method("files.completeUploadExternal")
def files_complete_upload_external(ctx: Ctx, args: Args) -> JSON:
    pending = _pending(ctx, args)
    targets = _targets(ctx, args)
    comment = args.string("initial_comment") or ""
    raw_blocks = None if comment else args.decoded("blocks", "invalid_blocks_format")
    blocks = check_message_blocks(raw_blocks)
    files = []
    for file, title in pending:
        file.title = title or file.title
        file.completed = True
        files.append(file)
    for ticket, file_id in list(ctx.ws.upload_tickets.items()):
        if any(f.id == file_id for f in files):
            del ctx.ws.upload_tickets[ticket]
    for channel in targets:
        share_files(
            ctx.ws,
            files,
            channel,
            ctx.caller,
            text=comment,
            thread_ts=args.string("thread_ts") or None,
            blocks=blocks,
        )
    return ok(files=[file_json(ctx.ws, f) for f in files])


def _can_see(ctx: Ctx, file: File) -> bool:
    if file.user == ctx.caller:
        return True
    for channel_id in file.channels:
        channel = ctx.ws.channels.get(channel_id)
        if channel is not None and (ctx.caller in channel.members or not channel.is_private):
            return True
    return False


@method("files.info")
def files_info(ctx: Ctx, args: Args) -> JSON:
    file_id = args.string("file") or ""
    canvas = ctx.ws.canvases.get(file_id)
    if canvas is not None and level_of(ctx, canvas) > 0:
        body = canvas_file_json(ctx.ws, canvas)
    else:
        file = ctx.ws.files.get(file_id)
        if file is None or not file.completed or not _can_see(ctx, file):
            raise SlackError("file_not_found")
        body = file_json(ctx.ws, file)
    return ok(file=body, comments=[], response_metadata={"next_cursor": ""})
