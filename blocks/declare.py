"""The "Declare an incident" modal."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from blocks.ids import BlockId, CallbackId
from blocks.text import clip, link, one_line
from bot.config import OpsConfig, Service, Severity

DEFAULT_SEVERITY = "SEV3"
TITLE_MAX = 200  # the domain's limit (bot.domain.lifecycle.MAX_TITLE)
DESCRIPTION_MAX = 3000  # Slack's plain_text_input limit
PRIVATE_VALUE = "private"
_OPTIONS_PER_SELECT = 100  # Slack's limit, for options and for option groups alike


def declare_modal(
    config: OpsConfig, *, commander: str, description: str = "", source_url: str | None = None
) -> View:
    """Title, severity, service, description, private and commander, prefilled where we can
    (the commander is the person declaring; a message shortcut passes its text and link)."""
    severities = [_severity_option(sev) for sev in config.severities]
    initial = next(
        (
            opt
            for sev, opt in zip(config.severities, severities, strict=True)
            if sev.id == DEFAULT_SEVERITY
        ),
        None,
    )
    blocks: list[Block] = [
        InputBlock(
            block_id=BlockId.DECLARE_TITLE,
            label="Title",
            hint="What is broken, in a few words, e.g. “Checkout returns 5xx”.",
            element=PlainTextInputElement(
                action_id=BlockId.DECLARE_TITLE,
                max_length=TITLE_MAX,
                placeholder="Checkout returns 5xx",
            ),
        ),
        InputBlock(
            block_id=BlockId.DECLARE_SEVERITY,
            label="Severity",
            element=StaticSelectElement(
                action_id=BlockId.DECLARE_SEVERITY,
                placeholder="Choose a severity",
                options=severities[:_OPTIONS_PER_SELECT],
                initial_option=initial,
            ),
        ),
    ]
    if config.services:
        blocks.append(_service_input(config.services))
    blocks += [
        InputBlock(
            block_id=BlockId.DECLARE_DESCRIPTION,
            label="Description",
            optional=True,
            element=PlainTextInputElement(
                action_id=BlockId.DECLARE_DESCRIPTION,
                multiline=True,
                max_length=DESCRIPTION_MAX,
                initial_value=description[:DESCRIPTION_MAX] or None,
                placeholder="What do you see? Who is affected?",
            ),
        ),
        InputBlock(
            block_id=BlockId.DECLARE_PRIVATE,
            label="Visibility",
            optional=True,
            element=CheckboxesElement(
                action_id=BlockId.DECLARE_PRIVATE,
                options=[
                    Option(
                        value=PRIVATE_VALUE,
                        label="Private incident",
                        description="Private war room; no public announcement.",
                    )
                ],
            ),
        ),
        InputBlock(
            block_id=BlockId.DECLARE_COMMANDER,
            label="Incident commander",
            element=UserSelectElement(
                action_id=BlockId.DECLARE_COMMANDER,
                placeholder="Who leads the response?",
                initial_user=commander,
            ),
        ),
    ]
    if source_url:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(text=f"Declared from {link(source_url, 'this message')}.")
                ]
            )
        )
    return View(
        type="modal",
        callback_id=CallbackId.DECLARE_MODAL,
        title="Declare an incident",
        submit="Declare",
        close="Cancel",
        # Slack caps private_metadata at 3000; a longer "permalink" is dropped, never cut.
        private_metadata=source_url if source_url and len(source_url) <= 3000 else "",
        blocks=blocks,
    )


def _severity_option(sev: Severity) -> Option:
    return Option(
        value=sev.id,
        label=clip(f"{sev.id} · {one_line(sev.label)}", 75),
        description=clip(one_line(sev.description), 75) or None,
    )


def _service_input(services: tuple[Service, ...]) -> InputBlock:
    """Up to 100 services as plain options; more are split into groups of 100."""
    options = [
        Option(
            value=svc.name,
            label=clip(svc.name, 75),
            description=clip(one_line(svc.description), 75) or None,
        )
        for svc in services
    ]
    if len(options) <= _OPTIONS_PER_SELECT:
        select = StaticSelectElement(
            action_id=BlockId.DECLARE_SERVICE, placeholder="Choose a service", options=options
        )
    else:
        chunks = [
            options[start : start + _OPTIONS_PER_SELECT]
            for start in range(0, len(options), _OPTIONS_PER_SELECT)
        ][:_OPTIONS_PER_SELECT]
        select = StaticSelectElement(
            action_id=BlockId.DECLARE_SERVICE,
            placeholder="Choose a service",
            option_groups=[
                OptionGroup(label=clip(f"{chunk[0].label} – {chunk[-1].label}", 75), options=chunk)
                for chunk in chunks
            ],
        )
    return InputBlock(
        block_id=BlockId.DECLARE_SERVICE, label="Service", optional=True, element=select
    )
