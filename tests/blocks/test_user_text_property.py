"""Whatever users type, no builder lets it become a mention, a broadcast or a link."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blocks.card import announcement_card, resolution_summary, status_update_post
from blocks.command_center import command_center
from blocks.declare import declare_modal
from blocks.digest import stakeholder_digest
from blocks.home import home_view
from blocks.incident_modals import resolve_modal, role_modal, status_modal, task_modal
from blocks.notices import declared_confirmation, nudge, refusal, task_dm
from bot.config import OpsConfig, Service
from bot.domain.snapshot import HomeData
from tests.blocks.support import (
    ASSIGNEE,
    COMMANDER,
    DETECTED,
    NOW,
    SCRIBE,
    entry,
    incident,
    message_ok,
    snapshot,
    task,
    view_ok,
)

CONFIG = OpsConfig(services=(Service(name="checkout"),))
_FRAGMENTS = st.sampled_from(
    ["<!channel>", "<!here>", "<@U999>", "<#C666>", "<https://x.io|y>", "&", "&lt;", ">", "\n", "a"]
)


def _typed(max_size: int) -> st.SearchStrategy[str]:
    """Text mixing Slack's control sequences with arbitrary characters."""
    return st.lists(_FRAGMENTS | st.text(max_size=8), max_size=max_size // 8).map(
        lambda parts: "".join(parts)[:max_size]
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=_typed(200),
    update=_typed(3000),
    task_text=_typed(1000),
    summary=_typed(3000),
    name=_typed(80),
)
def test_user_text_never_escapes(
    title: str, update: str, task_text: str, summary: str, name: str
) -> None:
    inc = incident(title=title, description=update, last_update_text=update, channel_id="C0WAR")
    done = incident(
        title=title,
        status="resolved",
        resolution_summary=summary,
        resolved_at=DETECTED + timedelta(hours=2),
    )
    tasks = [task(1, task_text), task(2, task_text, assignee=None)]
    recent = [
        entry("declared", f"Declared SEV1 “{title}”"),
        entry("role", f"scribe: <@{SCRIBE}>", minutes=1),
        entry("task", f"Task added: {task_text} (<@{ASSIGNEE}>)", minutes=2),
        entry("update", update, minutes=3),
        entry("status", f"Status triggered → acknowledged: {update}", minutes=4),
    ]
    for snap in (snapshot(inc, tasks=tasks, recent=recent), snapshot(done, tasks=tasks)):
        message_ok(command_center(snap, CONFIG, now=NOW))
        message_ok(
            announcement_card(snap, CONFIG, now=NOW, channel_id=None, can_open_war_room=True)
        )
        message_ok(resolution_summary(snap, CONFIG, now=NOW))
        message_ok(stakeholder_digest([snap], CONFIG, now=NOW))
    message_ok(status_update_post(inc, actor=COMMANDER, text=update))
    message_ok(declared_confirmation(inc, channel_id="C0WAR"))
    message_ok(task_dm(inc, tasks[0], channel_id="C0WAR"))
    message_ok(nudge(inc, commander=COMMANDER, silent_for=timedelta(minutes=40)))
    message_ok(refusal(f"Unknown severity “{title}”."))
    for view in (status_modal(inc), role_modal(inc, CONFIG), task_modal(inc), resolve_modal(inc)):
        view_ok(view, "modal")
    view_ok(declare_modal(CONFIG, commander=COMMANDER, description=update), "modal")
    data = HomeData(mine=[(inc, ["commander"])], others=[done], my_tasks=[(inc, tasks[0])])
    view_ok(home_view(user_name=name, tz=name, data=data, config=CONFIG, now=NOW), "home")
