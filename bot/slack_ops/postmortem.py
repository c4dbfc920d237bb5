"""Publishing a postmortem in Slack: the channel's canvas and a `.md` file with the links.

Runs as claimed due work (bot.domain.postmortem.publishing): a part that fails is named in
a note in the war room and the whole claim comes back a few minutes later; a part that
worked (the canvas, the file) is remembered and not posted twice.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from blocks.notices import integration_note
from bot import links
from bot.domain.lifecycle import get_incident
from bot.domain.postmortem import publishing
from bot.domain.postmortem.assemble import report_markdown
from bot.slack_ops.context import SlackOps, describe_failure
from storage.models import Incident

log = logging.getLogger("opsguard.postmortem")


async def publish_due(ops: SlackOps) -> int:
    """Post every postmortem whose Slack side is due; returns how many were tried."""
    claims = await publishing.claim_due(ops.deps.db, ops.deps.clock)
    for claim in claims:
        await publish_claimed(ops, claim)
    return len(claims)


async def publish_claimed(ops: SlackOps, claim: publishing.Claim) -> None:
    deps = ops.deps
    incident = await get_incident(deps.db, claim.incident_id)
    channel = incident.channel_id or deps.settings.incidents_channel
    if not channel:  # no room and no incidents channel: HTML and PDF are all there is
        await publishing.record(
            deps.db, deps.clock, claim, canvas_id=None, file_id=None, error=None
        )
        return
    _, markdown = await report_markdown(
        deps.db, deps.config, deps.postmortem_template, claim.incident_id
    )
    problems: list[str] = []
    canvas_id = file_id = None
    try:
        canvas_id = await _canvas(ops, incident, channel, markdown, claim.canvas_id)
    except Exception as exc:
        problems.append(f"canvas: {describe_failure(exc)}")
    if claim.file_id is None:
        try:
            file_id = await _file(ops, incident, channel, markdown)
        except Exception as exc:
            problems.append(f"file: {describe_failure(exc)}")
    error = "; ".join(problems) or None
    await publishing.record(
        deps.db, deps.clock, claim, canvas_id=canvas_id, file_id=file_id, error=error
    )
    if error:
        log.warning("INC-%s: publishing the postmortem: %s", incident.number, error)
        ops.hint(deps.clock.now() + publishing.RETRY)
        text, blocks = integration_note(
            "Postmortem", error, instead="I'll try again in a few minutes."
        )
        try:
            await ops.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.info("could not post the note: %s", describe_failure(exc))


async def _canvas(
    ops: SlackOps, incident: Incident, channel: str, markdown: str, canvas_id: str | None
) -> str:
    """The channel canvas holds the report; a channel that already has a canvas of its own
    gets a standalone one shared with it. A later publish replaces the content."""
    content = {"type": "markdown", "markdown": markdown}
    if canvas_id:
        await ops.client.canvases_edit(
            canvas_id=canvas_id, changes=[{"operation": "replace", "document_content": content}]
        )
        return canvas_id
    try:
        created = await ops.client.conversations_canvases_create(
            channel_id=channel, document_content=content
        )
    except SlackApiError as exc:
        if exc.response.get("error") != "channel_canvas_already_exists":
            raise
        created = await ops.client.canvases_create(
            title=f"INC-{incident.number} postmortem", document_content=content
        )
        await ops.client.canvases_access_set(
            canvas_id=created["canvas_id"], access_level="read", channel_ids=[channel]
        )
    return str(created["canvas_id"])


async def _file(ops: SlackOps, incident: Incident, channel: str, markdown: str) -> str:
    settings, now = ops.deps.settings, ops.deps.clock.now()
    html, pdf = links.postmortem_links(settings, incident.number, now)
    uploaded = await ops.client.files_upload_v2(
        channel=channel,
        content=markdown,
        filename=f"INC-{incident.number}-postmortem.md",
        title=f"INC-{incident.number} postmortem",
        initial_comment=f":memo: The postmortem of INC-{incident.number} is published: "
        f"<{html}|read it on the web> · <{pdf}|PDF>",
    )
    return str(uploaded["file"]["id"])
