"""Status, role, task and resolve modals: ids, incident id in metadata, short titles."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.views import View

from blocks.ids import BlockId, CallbackId
from blocks.incident_modals import resolve_modal, role_modal, status_modal, task_modal
from bot.config import OpsConfig, Role
from bot.domain.lifecycle import SETTABLE
from tests.blocks.support import NASTY, incident, view_ok

CONFIG = OpsConfig()


def _inputs(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    blocks = {b["block_id"]: b for b in raw["blocks"] if b["type"] == "input"}
    for block_id, block in blocks.items():
        assert block["element"]["action_id"] == block_id
    return blocks


@pytest.mark.parametrize(
    ("view", "callback_id", "block_ids"),
    [
        (
            status_modal(incident()),
            CallbackId.STATUS_MODAL,
            [BlockId.STATUS_SELECT, BlockId.STATUS_MESSAGE],
        ),
        (
            role_modal(incident(), CONFIG),
            CallbackId.ROLE_MODAL,
            [BlockId.ROLE_SELECT, BlockId.ROLE_USER],
        ),
        (task_modal(incident()), CallbackId.TASK_MODAL, [BlockId.TASK_TEXT, BlockId.TASK_ASSIGNEE]),
        (resolve_modal(incident()), CallbackId.RESOLVE_MODAL, [BlockId.RESOLVE_SUMMARY]),
    ],
)
def test_modal_shape(view: View, callback_id: str, block_ids: list[str]) -> None:
    raw = view_ok(view, "modal")
    assert raw["callback_id"] == callback_id
    assert raw["private_metadata"] == "7"
    assert raw["submit"]["text"] and raw["close"]["text"]
    assert list(_inputs(raw)) == block_ids


def test_titles_fit_even_for_huge_numbers() -> None:
    big = incident(number=10**12, title=NASTY * 10)
    for view in (status_modal(big), role_modal(big, CONFIG), task_modal(big), resolve_modal(big)):
        assert len(view_ok(view, "modal")["title"]["text"]) <= 24


def test_status_options_are_the_settable_ones_with_current_selected() -> None:
    raw = view_ok(status_modal(incident(status="investigating")), "modal")
    select = _inputs(raw)[BlockId.STATUS_SELECT]["element"]
    assert [o["value"] for o in select["options"]] == [s.value for s in SETTABLE]
    assert select["initial_option"]["value"] == "investigating"
    message = _inputs(raw)[BlockId.STATUS_MESSAGE]
    assert message["optional"] is True and message["element"]["multiline"] is True


def test_triggered_is_not_preselected() -> None:
    raw = view_ok(status_modal(incident(status="triggered")), "modal")
    assert "initial_option" not in _inputs(raw)[BlockId.STATUS_SELECT]["element"]


def test_role_modal_preselects_the_named_role() -> None:
    raw = view_ok(role_modal(incident(), CONFIG, role="Scribe"), "modal")
    inputs = _inputs(raw)
    assert inputs[BlockId.ROLE_SELECT]["element"]["initial_option"]["value"] == "scribe"
    assert inputs[BlockId.ROLE_USER]["element"]["type"] == "users_select"
    unknown = view_ok(role_modal(incident(), CONFIG, role="janitor"), "modal")
    assert "initial_option" not in _inputs(unknown)[BlockId.ROLE_SELECT]["element"]


def test_role_modal_with_many_long_roles_stays_valid() -> None:
    roles = tuple(
        Role(id=f"r{i}" if i else "commander", label="L" * 120, description=NASTY)
        for i in range(150)
    )
    raw = view_ok(role_modal(incident(), OpsConfig(roles=roles)), "modal")
    assert len(_inputs(raw)[BlockId.ROLE_SELECT]["element"]["options"]) == 100


def test_task_assignee_is_optional() -> None:
    inputs = _inputs(view_ok(task_modal(incident()), "modal"))
    assert inputs[BlockId.TASK_ASSIGNEE]["optional"] is True
    assert inputs[BlockId.TASK_ASSIGNEE]["element"]["type"] == "users_select"
    assert not inputs[BlockId.TASK_TEXT].get("optional", False)


def test_unsaved_incident_is_refused() -> None:
    with pytest.raises(ValueError, match="stored incident"):
        resolve_modal(incident(id=None))
