"""Schedule config: the documented YAML shape loads; each mistake names its key plainly."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.domain.oncall import CustomRotation, Schedule

EXAMPLE = """
schedules:
  - name: primary
    timezone: Europe/Berlin
    layers:
      - name: weekly
        users: [U0AAAAAAA, U0BBBBBBB, U0CCCCCCC]
        rotation: weekly        # or: daily, or {hours: 12}
        handoff: "09:00"
        start: 2026-01-05
      - name: business-hours-cover
        users: [U0DDDDDDD]
        rotation: daily
        handoff: "09:00"
        start: 2026-01-05
        restrictions:
          - days: [mon, tue, wed, thu, fri]
            start: "09:00"
            end: "17:00"
      - users: [U0FFFFFFF]
        rotation: {hours: 12}
        handoff: "21:00"
        start: 2026-01-05
        restrictions:
          - days: [Friday, sat]
            start: "22:00"
            end: "06:00"
    overrides:
      - user: U0EEEEEEE
        start: 2026-03-29T00:00:00+01:00
        end: 2026-03-30T12:00:00+02:00
"""


class _Config(BaseModel):
    """Stands in for OpsConfig until `schedules:` is wired into bot.config."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    schedules: tuple[Schedule, ...] = ()


def _problems(raw: Any) -> list[str]:
    """`key.path: message` lines, the way bot.config reports them."""
    with pytest.raises(ValidationError) as info:
        _Config.model_validate(raw)
    lines = []
    for error in info.value.errors():
        key = ""
        for part in error["loc"]:
            key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{key}: {message}")
    return lines


def test_example_yaml_loads_with_yaml_native_types() -> None:
    config = _Config.model_validate(yaml.safe_load(EXAMPLE))
    (primary,) = config.schedules
    weekly, cover, nights = primary.layers
    assert primary.zone.key == "Europe/Berlin"
    assert weekly.rotation == "weekly" and weekly.shift_length == timedelta(days=7)
    assert cover.rotation == "daily" and cover.shift_length == timedelta(days=1)
    assert nights.rotation == CustomRotation(hours=12)
    assert nights.shift_length == timedelta(hours=12)
    assert nights.name is None
    assert weekly.handoff == time(9, 0) and weekly.start == date(2026, 1, 5)
    assert cover.restrictions[0].days == ("mon", "tue", "wed", "thu", "fri")
    assert cover.restrictions[0].crosses_midnight is False
    assert nights.restrictions[0].days == ("fri", "sat")
    assert nights.restrictions[0].crosses_midnight is True
    override = primary.overrides[0]
    assert override.end - override.start == timedelta(hours=35)


def test_dump_round_trips_times_as_hh_mm() -> None:
    config = _Config.model_validate(yaml.safe_load(EXAMPLE))
    dumped = config.model_dump(mode="json")
    assert dumped["schedules"][0]["layers"][1]["restrictions"][0]["end"] == "17:00"
    assert _Config.model_validate(dumped) == config


def _base(**changes: Any) -> dict[str, Any]:
    """One valid schedule, with `changes` applied to it (layer keys go under `layer`)."""
    layer: dict[str, Any] = {
        "users": ["U0AAAAAAA"],
        "rotation": "daily",
        "handoff": "09:00",
        "start": date(2026, 1, 5),
    }
    layer.update(changes.pop("layer", {}))
    schedule: dict[str, Any] = {"name": "primary", "timezone": "Europe/Berlin", "layers": [layer]}
    schedule.update(changes)
    return {"schedules": [schedule]}


OVERRIDE = {"user": "U0EEEEEEE", "start": "2026-03-29T10:00:00+02:00"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            _base(timezone="Europe/Berln"),
            "schedules[0].timezone: 'Europe/Berln' is not an IANA time zone",
        ),
        (_base(timezone="/etc/passwd"), "schedules[0].timezone: '/etc/passwd' is not an IANA"),
        (_base(name="Primary Rota"), "schedules[0].name: 'Primary Rota' is not a schedule name"),
        (_base(layers=[]), "schedules[0].layers: a schedule needs at least one layer"),
        (_base(layer={"users": []}), "layers[0].users: list at least one Slack user ID"),
        (_base(layer={"users": ["bob"]}), "layers[0].users[0]: 'bob' is not a Slack user ID"),
        (_base(layer={"rotation": "monthly"}), "layers[0].rotation: 'monthly' is not a rotation"),
        (_base(layer={"rotation": {"hours": 0}}), "layers[0].rotation: {'hours': 0} is not a"),
        (_base(layer={"rotation": {"hours": 1.5}}), "layers[0].rotation: {'hours': 1.5} is not"),
        (_base(layer={"rotation": {"days": 2}}), "layers[0].rotation: {'days': 2} is not a"),
        (_base(layer={"handoff": "9am"}), "layers[0].handoff: '9am' is not a time of day"),
        (_base(layer={"handoff": "24:00"}), "layers[0].handoff: '24:00' is not a time of day"),
        (_base(layer={"handof": "09:00"}), "layers[0].handof: unknown key"),
        (_base(layer={"start": "soon"}), "layers[0].start: Input should be a valid date"),
        (
            _base(layer={"restrictions": [{"days": [], "start": "09:00", "end": "17:00"}]}),
            "restrictions[0].days: list at least one day",
        ),
        (
            _base(layer={"restrictions": [{"days": ["funday"], "start": "09:00", "end": "17:00"}]}),
            "restrictions[0].days[0]: 'funday' is not a day of the week",
        ),
        (
            _base(layers=[{**_base()["schedules"][0]["layers"][0], "name": "x"}] * 2),
            "schedules[0]: layers[1]: duplicate layer name 'x'",
        ),
        (
            _base(overrides=[{**OVERRIDE, "end": "2026-03-29T09:00:00+02:00"}]),
            "overrides[0].end: end (2026-03-29T09:00:00+02:00) must be after start",
        ),
        (
            _base(overrides=[{**OVERRIDE, "end": "2026-03-29T11:00:00"}]),
            "overrides[0].end: 2026-03-29T11:00:00 has no UTC offset",
        ),
        (_base(overrides=[{**OVERRIDE, "user": "eve"}]), "overrides[0].user: 'eve' is not a"),
    ],
)
def test_mistakes_name_the_key_in_plain_words(raw: dict[str, Any], expected: str) -> None:
    problems = _problems(raw)
    assert any(expected in line for line in problems), problems


def test_unquoted_yaml_time_gets_a_hint_not_a_wrong_time() -> None:
    # YAML 1.1 reads an unquoted 17:00 as the integer 1020; it must not become 00:17.
    raw = yaml.safe_load(EXAMPLE.replace('end: "17:00"', "end: 17:00"))
    (problem,) = _problems(raw)
    assert problem.startswith("schedules[0].layers[1].restrictions[0].end: write times in quotes")


def test_rotation_error_is_one_line() -> None:
    assert len(_problems(_base(layer={"rotation": "fortnightly"}))) == 1
