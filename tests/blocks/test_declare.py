"""The declare modal: every input wired to its id, sensible defaults, Slack's limits."""

from __future__ import annotations

from typing import Any

from pydantic import HttpUrl

from blocks.declare import declare_modal
from blocks.ids import BlockId, CallbackId
from bot.config import OpsConfig, Service
from tests.blocks.support import COMMANDER, NASTY, view_ok

SERVICES = (
    Service(name="checkout", description="Checkout & payments"),
    Service(name="search", runbook_url=HttpUrl("https://wiki.example.com/search")),
)


def _inputs(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in raw["blocks"] if b["type"] == "input"}


def test_inputs_ids_and_defaults() -> None:
    view = declare_modal(
        OpsConfig(services=SERVICES),
        commander=COMMANDER,
        description="Seen in #payments",
        source_url="https://acme.slack.com/archives/C1/p1700000000000100",
    )
    raw = view_ok(view, "modal")
    assert raw["callback_id"] == CallbackId.DECLARE_MODAL
    assert raw["private_metadata"] == "https://acme.slack.com/archives/C1/p1700000000000100"
    assert raw["submit"]["text"] == "Declare"
    inputs = _inputs(raw)
    assert list(inputs) == [
        BlockId.DECLARE_TITLE,
        BlockId.DECLARE_SEVERITY,
        BlockId.DECLARE_SERVICE,
        BlockId.DECLARE_DESCRIPTION,
        BlockId.DECLARE_PRIVATE,
        BlockId.DECLARE_COMMANDER,
    ]
    for block_id, block in inputs.items():
        assert block["element"]["action_id"] == block_id
    title = inputs[BlockId.DECLARE_TITLE]["element"]
    assert (title["type"], title["max_length"]) == ("plain_text_input", 200)
    severity = inputs[BlockId.DECLARE_SEVERITY]["element"]
    assert severity["options"][0]["text"]["text"] == "SEV1 · Critical"
    assert severity["initial_option"]["value"] == "SEV3"
    service = inputs[BlockId.DECLARE_SERVICE]
    assert service["optional"] is True
    assert [o["value"] for o in service["element"]["options"]] == ["checkout", "search"]
    description = inputs[BlockId.DECLARE_DESCRIPTION]
    assert description["element"]["initial_value"] == "Seen in #payments"
    assert description["element"]["multiline"] is True
    private = inputs[BlockId.DECLARE_PRIVATE]
    assert [o["value"] for o in private["element"]["options"]] == ["private"]
    assert private["optional"] is True
    commander = inputs[BlockId.DECLARE_COMMANDER]["element"]
    assert (commander["type"], commander["initial_user"]) == ("users_select", COMMANDER)


def test_without_services_or_source() -> None:
    raw = view_ok(declare_modal(OpsConfig(), commander=COMMANDER), "modal")
    assert BlockId.DECLARE_SERVICE not in _inputs(raw)
    assert raw.get("private_metadata", "") == ""  # slack-sdk omits an empty string
    assert "initial_value" not in _inputs(raw)[BlockId.DECLARE_DESCRIPTION]["element"]


def test_no_sev3_means_no_preselection() -> None:
    from bot.config import Severity

    config = OpsConfig(severities=(Severity(id="SEV1", label="Critical"),))
    raw = view_ok(declare_modal(config, commander=COMMANDER), "modal")
    assert "initial_option" not in _inputs(raw)[BlockId.DECLARE_SEVERITY]["element"]


def test_many_services_are_grouped_within_slacks_limits() -> None:
    services = tuple(Service(name=f"svc-{i:03d}", description=NASTY * 3) for i in range(250))
    raw = view_ok(declare_modal(OpsConfig(services=services), commander=COMMANDER), "modal")
    groups = _inputs(raw)[BlockId.DECLARE_SERVICE]["element"]["option_groups"]
    assert sum(len(g["options"]) for g in groups) == 250


def test_long_description_is_cut_to_the_input_limit() -> None:
    raw = view_ok(declare_modal(OpsConfig(), commander=COMMANDER, description="d" * 5000), "modal")
    assert len(_inputs(raw)[BlockId.DECLARE_DESCRIPTION]["element"]["initial_value"]) == 3000
