"""POSTMORTEM_TEMPLATE: a replacement is what gets published; a broken one stops start-up
(and `opsguard check`) with the file and the line, before any postmortem is rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.checks import run_checks
from bot.config import OpsConfig
from bot.runtime import OpsGuard, StartupError
from storage.models import Postmortem
from tests.conftest import REPO, make_settings
from tests.lifecycle.conftest import World, WorldFactory
from tests.postmortem_slack.test_postmortem_flow import (
    fill_and_submit,
    open_form,
    resolved_incident,
    stored,
)

CUSTOM = """# Retro for INC-{{ report.incident.number }}
{{ report.postmortem.summary | md }}
Timeline entries: {{ report.timeline | length }}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "retro.md.j2"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# Retro\n\n{% for x in report.timeline %}\n{{ x.text }\n", 4),
        ("# Retro\n{{ report.no_such_thing.at_all }}\n", 2),
    ],
)
def test_a_broken_template_stops_start_up(tmp_path: Path, text: str, line: int) -> None:
    path = write(tmp_path, text)
    settings = make_settings(
        slack_bot_token="xoxb-x", database_url="sqlite+aiosqlite://", postmortem_template=path
    )
    with pytest.raises(StartupError) as raised:
        OpsGuard(settings, OpsConfig())
    message = str(raised.value)
    assert "POSTMORTEM_TEMPLATE" in message and str(path.name) in message
    assert f"line {line}" in message
    assert "Traceback" not in message


async def test_opsguard_check_names_the_broken_template(tmp_path: Path) -> None:
    path = write(tmp_path, "{% if %}")
    settings = make_settings(
        slack_bot_token="", database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
        postmortem_template=path,
    )  # fmt: skip
    results = await run_checks(settings, REPO / "app_manifest.yml", None)
    [template] = [r for r in results if r.name == "template"]
    assert not template.ok and path.name in template.detail


async def test_a_replacement_template_is_what_gets_published(
    make_world: WorldFactory, tmp_path: Path
) -> None:
    world: World = await make_world(postmortem_template=write(tmp_path, CUSTOM))
    incident = await resolved_incident(world)
    await fill_and_submit(world, await open_form(world, incident), publish=True)
    pm, _ = await stored(world, incident)
    assert isinstance(pm, Postmortem) and pm.canvas_id
    markdown = world.slack.canvases[pm.canvas_id].markdown
    assert markdown.startswith(f"# Retro for INC-{incident.number}\n")
    assert "A bad deploy of the payment SDK broke checkout for 40 minutes." in markdown
