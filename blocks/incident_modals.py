"""Modals opened from the command center's buttons: status, role, task and resolve.

Each carries the incident's database id in private_metadata, so the submission handler
never has to guess the incident from the channel.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from blocks.ids import BlockId, CallbackId
from blocks.text import clip, incident_ref, one_line, safe, status_label
from bot.config import OpsConfig
from bot.domain.lifecycle import SETTABLE
from storage.models import Incident

MESSAGE_MAX = 3000  # Slack's plain_text_input limit
TASK_MAX = 1000
TITLE_LIMIT = 24  # Slack's modal title limit


def status_modal(incident: Incident) -> View:
    """Pick a new status (the current one preselected when it can be set by hand) and,
    optionally, say what changed."""
    options = [Option(value=s.value, label=status_label(s.value)) for s in SETTABLE]
    current = next(
        (o for o, s in zip(options, SETTABLE, strict=True) if s == incident.status), None
    )
    return _modal(
        incident,
        CallbackId.STATUS_MODAL,
        f"{incident_ref(incident)} status",
        "Update",
        [
            InputBlock(
                block_id=BlockId.STATUS_SELECT,
                label="Status",
                element=StaticSelectElement(
                    action_id=BlockId.STATUS_SELECT,
                    placeholder="Choose a status",
                    options=options,
                    initial_option=current,
                ),
            ),
            InputBlock(
                block_id=BlockId.STATUS_MESSAGE,
                label="What changed?",
                optional=True,
                hint="Posted as an update to the war room and the incident's card.",
                element=PlainTextInputElement(
                    action_id=BlockId.STATUS_MESSAGE, multiline=True, max_length=MESSAGE_MAX
                ),
            ),
        ],
    )


def role_modal(incident: Incident, config: OpsConfig, *, role: str | None = None) -> View:
    """Choose a role (preselected when `role` names one) and the person to hold it."""
    options = [
        Option(
            value=r.id,
            label=clip(one_line(r.label), 75),
            description=clip(one_line(r.description), 75) or None,
        )
        for r in config.roles
    ][:100]
    spec = config.role(role) if role else None
    initial = next((o for o in options if spec is not None and o.value == spec.id), None)
    return _modal(
        incident,
        CallbackId.ROLE_MODAL,
        f"{incident_ref(incident)} roles",
        "Assign",
        [
            InputBlock(
                block_id=BlockId.ROLE_SELECT,
                label="Role",
                element=StaticSelectElement(
                    action_id=BlockId.ROLE_SELECT,
                    placeholder="Choose a role",
                    options=options,
                    initial_option=initial,
                ),
            ),
            InputBlock(
                block_id=BlockId.ROLE_USER,
                label="Person",
                element=UserSelectElement(
                    action_id=BlockId.ROLE_USER, placeholder="Choose someone"
                ),
            ),
        ],
    )


def task_modal(incident: Incident) -> View:
    """A task's text and, optionally, who does it (they get a DM)."""
    return _modal(
        incident,
        CallbackId.TASK_MODAL,
        f"{incident_ref(incident)} task",
        "Add task",
        [
            InputBlock(
                block_id=BlockId.TASK_TEXT,
                label="Task",
                element=PlainTextInputElement(
                    action_id=BlockId.TASK_TEXT,
                    max_length=TASK_MAX,
                    placeholder="Roll back the checkout deploy",
                ),
            ),
            InputBlock(
                block_id=BlockId.TASK_ASSIGNEE,
                label="Assignee",
                optional=True,
                element=UserSelectElement(
                    action_id=BlockId.TASK_ASSIGNEE, placeholder="Choose someone"
                ),
            ),
        ],
    )


def resolve_modal(incident: Incident) -> View:
    """Resolve with an optional summary of what happened and how it was fixed."""
    return _modal(
        incident,
        CallbackId.RESOLVE_MODAL,
        f"Resolve {incident_ref(incident)}",
        "Resolve",
        [
            InputBlock(
                block_id=BlockId.RESOLVE_SUMMARY,
                label="Summary",
                optional=True,
                hint="What happened and how it was fixed; shown in the resolution summary.",
                element=PlainTextInputElement(
                    action_id=BlockId.RESOLVE_SUMMARY, multiline=True, max_length=MESSAGE_MAX
                ),
            ),
        ],
    )


def _modal(
    incident: Incident, callback_id: CallbackId, title: str, submit: str, inputs: list[Block]
) -> View:
    """A modal headed by the incident's title, carrying its id in private_metadata."""
    if incident.id is None:
        raise ValueError("a stored incident (with an id) is needed for a modal")
    heading = SectionBlock(
        text=MarkdownTextObject(
            text=f"*{incident_ref(incident)}* · {safe(one_line(incident.title), 500)}"
        )
    )
    return View(
        type="modal",
        callback_id=callback_id,
        title=clip(title, TITLE_LIMIT),
        submit=submit,
        close="Cancel",
        private_metadata=str(incident.id),
        blocks=[heading, *inputs],
    )
