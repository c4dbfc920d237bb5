"""Config as code: the example loads; every kind of mistake names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_SEVERITIES, ConfigError, load_config
from tests.conftest import REPO


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "opsguard.yml"
    path.write_text(text)
    return path


def test_example_config_loads() -> None:
    config = load_config(REPO / "opsguard.example.yml")
    assert [s.id for s in config.severities] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    checkout = config.service("checkout")
    assert checkout is not None and checkout.owners == ("U012ABCDEF",)
    assert config.severity("sev1") is not None and config.severity("sev1").war_room


def test_no_file_means_default_severities() -> None:
    config = load_config(None)
    assert config.severities == DEFAULT_SEVERITIES
    assert [s.war_room for s in config.severities] == [True, True, False, False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("services:\n  - name: checkout\n    ownerz: [U1AB]\n", "services[0].ownerz: unknown key"),
        ("services:\n  - name: Check Out\n", "services[0].name: 'Check Out' is not a service"),
        (
            "services:\n  - name: a\n    owners: [bob]\n",
            "services[0].owners[0]: 'bob' is not a Slack",
        ),
        ("severities:\n  - id: SEV1\n    war_room: maybe\n", "severities[0].war_room:"),
        ("severities:\n  - id: SEV1\n", "severities[0].label: Field required"),
        ("services: [{name: a}, {name: a}]\n", "services[1]: duplicate name 'a'"),
        ("services:\n  - name: a\n    runbook_url: not a url\n", "services[0].runbook_url:"),
        ("- just\n- a list\n", "the top level must be a mapping"),
        ("services: [\n", "line 2, column 1: not valid YAML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "Traceback" not in message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_config(tmp_path / "absent.yml")
