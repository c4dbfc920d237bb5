"""Config as code: the YAML file that describes severities and services.

Loading never raises a traceback at the user: every problem becomes a ConfigError whose
message names the file, the key path and what is wrong.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    HttpUrl,
    ValidationError,
    model_validator,
)

from bot.domain.alerts.integrations import Integration
from bot.domain.oncall import Schedule
from bot.domain.oncall.models import TimeZoneName
from bot.domain.paging.models import Policy, Team
from bot.durations import Duration
from bot.validators import NAME, UserId, matching

SEVERITY_ID = re.compile(r"^SEV[0-9]$")
EMOJI = re.compile(r"^[a-z0-9_+'-]{1,100}$")
ServiceName = Annotated[
    str, matching(NAME, "a service name (lowercase a-z, 0-9, - and _, at most 80)")
]
SeverityId = Annotated[str, matching(SEVERITY_ID, "a severity id (SEV0 to SEV9)")]


class ConfigError(Exception):
    """A config file that cannot be used; str() is the message shown to the operator."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Severity(_Strict):
    id: SeverityId
    label: str
    war_room: bool = False
    description: str = ""
    update_interval: Duration | None = None
    requires_postmortem: bool = False


ROLE_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class Role(_Strict):
    id: Annotated[str, matching(ROLE_ID, "a role id (lowercase a-z, 0-9 and _)")]
    label: str
    description: str


class Lifecycle(_Strict):
    """Timers of the incident lifecycle."""

    archive_after: Duration = timedelta(hours=24)
    archive_after_postmortem: Duration = timedelta(hours=1)
    digest_interval: Duration = timedelta(hours=1)
    digest_severities: tuple[SeverityId, ...] = ("SEV1", "SEV2")
    snooze: Duration = timedelta(minutes=30)


class Timeline(_Strict):
    """How messages are captured into the timeline."""

    pin_emoji: Annotated[str, matching(EMOJI, "an emoji name without colons")] = "pushpin"
    confirm_emoji: Annotated[str, matching(EMOJI, "an emoji name without colons")] = (
        "white_check_mark"
    )


class DeploySource(_Strict):
    """A CI/CD system allowed to post to `/hooks/deploy` with its own bearer token."""

    name: Annotated[str, matching(NAME, "a name (lowercase a-z, 0-9, - and _)")]
    token: str | None = None
    token_env: str | None = None
    services: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _secret(self) -> DeploySource:
        if not (self.token or self.token_env):
            raise ValueError("a deploy source needs token or token_env")
        return self

    def secret(self) -> str:
        return self.token or os.environ.get(self.token_env or "", "")


class Service(_Strict):
    name: ServiceName
    description: str = ""
    owners: tuple[UserId, ...] = ()
    subscribers: tuple[UserId, ...] = ()
    runbook_url: HttpUrl | None = None
    war_room: bool | None = None
    escalation_policy: str | None = None


DEFAULT_SEVERITIES = (
    Severity(
        id="SEV1",
        label="Critical",
        war_room=True,
        description="Customer-facing outage or data loss",
        update_interval=timedelta(minutes=15),
        requires_postmortem=True,
    ),
    Severity(
        id="SEV2",
        label="Major",
        war_room=True,
        description="Major degradation for many customers",
        update_interval=timedelta(minutes=30),
        requires_postmortem=True,
    ),
    Severity(
        id="SEV3",
        label="Minor",
        description="Minor degradation or an internal impact",
        update_interval=timedelta(minutes=60),
    ),
    Severity(id="SEV4", label="Low", description="Low impact; tracked for follow-up"),
)

DEFAULT_ROLES = (
    Role(
        id="commander",
        label="Incident commander",
        description="Owns the incident: sets priorities, makes the calls, delegates the work "
        "and decides when it is resolved.",
    ),
    Role(
        id="scribe",
        label="Scribe",
        description="Keeps the timeline: pins key messages, records decisions and who does what.",
    ),
    Role(
        id="liaison",
        label="Communications liaison",
        description="Keeps stakeholders and customers informed with regular status updates.",
    ),
    Role(
        id="tech_lead",
        label="Technical lead",
        description="Leads the investigation and the fix; coordinates the responders.",
    ),
)


class OpsConfig(_Strict):
    severities: tuple[Severity, ...] = DEFAULT_SEVERITIES
    services: tuple[Service, ...] = ()
    roles: tuple[Role, ...] = DEFAULT_ROLES
    lifecycle: Lifecycle = Lifecycle()
    schedules: tuple[Schedule, ...] = ()
    teams: tuple[Team, ...] = ()
    escalation_policies: tuple[Policy, ...] = ()
    integrations: tuple[Integration, ...] = ()
    timezone: TimeZoneName = "UTC"
    timeline: Timeline = Timeline()
    deploy_sources: tuple[DeploySource, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> OpsConfig:
        if not self.severities:
            raise ValueError("severities: at least one severity is required")
        _require_unique("severities", [s.id for s in self.severities])
        _require_unique("services", [s.name for s in self.services])
        _require_unique("roles", [r.id for r in self.roles])
        _require_unique("schedules", [s.name for s in self.schedules])
        _require_unique("teams", [t.name for t in self.teams])
        _require_unique("escalation_policies", [p.name for p in self.escalation_policies])
        _require_unique("integrations", [i.name for i in self.integrations])
        _require_unique("deploy_sources", [d.name for d in self.deploy_sources])
        self._check_references()
        if not any(r.id == "commander" for r in self.roles):
            raise ValueError("roles: a 'commander' role is required")
        return self

    def _check_references(self) -> None:
        teams = {t.name for t in self.teams}
        schedules = {s.name for s in self.schedules}
        policies = {p.name for p in self.escalation_policies}
        for p, policy in enumerate(self.escalation_policies):
            for s, step in enumerate(policy.steps):
                for t, target in enumerate(step.targets):
                    where = f"escalation_policies[{p}].steps[{s}].targets[{t}]"
                    if target.team and target.team not in teams:
                        raise ValueError(f"{where}: unknown team {target.team!r}")
                    if target.schedule and target.schedule not in schedules:
                        raise ValueError(f"{where}: unknown schedule {target.schedule!r}")
        services = {s.name for s in self.services}
        severities = {s.id for s in self.severities}
        for i, integration in enumerate(self.integrations):
            where = f"integrations[{i}]"
            if integration.service and integration.service not in services:
                raise ValueError(f"{where}.service: unknown service {integration.service!r}")
            for key, sev in integration.severity_map.items():
                if sev not in severities:
                    raise ValueError(f"{where}.severity_map.{key}: unknown severity {sev!r}")
        for i, source in enumerate(self.deploy_sources):
            for name in source.services:
                if name not in services:
                    raise ValueError(f"deploy_sources[{i}].services: unknown service {name!r}")
        for i, service in enumerate(self.services):
            if service.escalation_policy and service.escalation_policy not in policies:
                raise ValueError(
                    f"services[{i}].escalation_policy: unknown policy {service.escalation_policy!r}"
                )

    def integration(self, name: str) -> Integration | None:
        return next((i for i in self.integrations if i.name == name), None)

    def policy(self, name: str) -> Policy | None:
        return next((p for p in self.escalation_policies if p.name == name), None)

    def team(self, name: str) -> Team | None:
        return next((t for t in self.teams if t.name == name), None)

    def schedule(self, name: str) -> Schedule | None:
        return next((s for s in self.schedules if s.name == name), None)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id.lower()), None)

    def opens_war_room(self, severity_id: str, service_name: str | None) -> bool:
        """The service's override wins over the severity's setting."""
        service = self.service(service_name) if service_name else None
        if service is not None and service.war_room is not None:
            return service.war_room
        severity = self.severity(severity_id)
        return bool(severity and severity.war_room)

    def severity(self, severity_id: str) -> Severity | None:
        return next((s for s in self.severities if s.id == severity_id.upper()), None)

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name.lower()), None)


def _require_unique(section: str, names: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{section}[{index}]: duplicate name {name!r}")
        seen.add(name)


def load_config(path: Path | None) -> OpsConfig:
    """Read and validate the YAML file; with no path the built-in defaults apply."""
    if path is None:
        return OpsConfig()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}:{where}: not valid YAML: {problem}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys, not {_kind(raw)}")
    try:
        return OpsConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc)) from None


def _describe(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: {exc.error_count()} problem(s) in the config"]
    for error in exc.errors():
        key = _key_path(error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (check its spelling)"
        elif error["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        lines.append(f"  {key}: {message}" if key else f"  {message}")
    return "\n".join(lines)


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _kind(value: object) -> str:
    return "a list" if isinstance(value, list) else f"a {type(value).__name__}"
