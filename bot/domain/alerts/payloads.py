"""The four inbound shapes (Alertmanager v4, Grafana, PagerDuty Events v2, generic), validated
with pydantic and normalised into `AlertEvent`s. Invalid input becomes a list of field errors.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

Action = Literal["trigger", "acknowledge", "resolve"]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class AlertEvent:
    action: Action
    dedup_key: str
    fingerprint: str
    summary: str
    severity: str | None  # the sender's own word (critical, warning…), mapped later
    labels: dict[str, str]
    links: list[dict[str, str]]
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class PayloadError(Exception):
    """The body is not a valid payload; `errors` lists each field's problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _utc(value: datetime) -> datetime:
    """Senders that omit the offset mean UTC (Alertmanager and PagerDuty send it anyway)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _no_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL; nobody means one in an alert."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_no_nul(k): _no_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_nul(v) for v in value]
    return value


Timestamp = Annotated[datetime, AfterValidator(_utc)]


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _AmAlert(_Loose):
    status: Literal["firing", "resolved"]
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: Timestamp | None = None
    endsAt: Timestamp | None = None
    generatorURL: str = ""
    fingerprint: str = ""
    # Grafana's additions.
    silenceURL: str = ""
    dashboardURL: str = ""
    panelURL: str = ""


class _AmPayload(_Loose):
    version: str = "4"
    receiver: str = ""
    status: Literal["firing", "resolved"]
    alerts: list[_AmAlert] = Field(min_length=1)
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str = ""
    groupKey: str = ""
    truncatedAlerts: int = 0
    # Grafana's additions.
    title: str = ""
    message: str = ""


class _PdPayload(_Loose):
    summary: str = Field(min_length=1, max_length=1024)
    source: str = Field(min_length=1)
    severity: Literal["critical", "error", "warning", "info"]
    timestamp: Timestamp | None = None
    component: str | None = None
    group: str | None = None
    class_: str | None = Field(default=None, alias="class")
    custom_details: Any = None


class _PdLink(_Loose):
    href: str
    text: str = ""


class _PdEvent(_Loose):
    routing_key: str = Field(min_length=1)
    event_action: Literal["trigger", "acknowledge", "resolve"]
    dedup_key: str | None = Field(default=None, min_length=1, max_length=255)
    payload: _PdPayload | None = None
    links: list[_PdLink] = Field(default_factory=list)
    images: list[dict[str, Any]] = Field(default_factory=list)
    client: str | None = None
    client_url: str | None = None


class _GenericLink(_Loose):
    href: str
    text: str = ""


class _Generic(_Loose):
    summary: str = Field(min_length=1, max_length=1024)
    severity: str | None = None
    dedup_key: str | None = Field(default=None, min_length=1, max_length=255)
    action: Literal["trigger", "resolve"] = "trigger"
    source: str = ""
    details: Any = None
    links: list[_GenericLink] = Field(default_factory=list)


def _validate(model: type[M], body: Any) -> M:
    try:
        return model.model_validate(_no_nul(body))
    except RecursionError:
        raise PayloadError(["body: nested too deeply"]) from None
    except ValidationError as exc:
        raise PayloadError(
            [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()]
        ) from None


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:40]


def alertmanager(body: Any, *, grafana: bool = False) -> list[AlertEvent]:
    """Alertmanager webhook v4 (Grafana sends the same shape with a few more fields)."""
    payload = _validate(_AmPayload, body)
    group_key = payload.groupKey or _digest(payload.receiver, payload.groupLabels)
    events = []
    for alert in payload.alerts:
        labels = {**payload.commonLabels, **alert.labels}
        annotations = {**payload.commonAnnotations, **alert.annotations}
        summary = (
            annotations.get("summary")
            or (payload.title if grafana else "")
            or annotations.get("description")
            or labels.get("alertname")
            or "Alert"
        )
        links = [
            {"href": url, "text": text}
            for url, text in (
                (alert.generatorURL, "Source"),
                (alert.dashboardURL, "Dashboard"),
                (alert.panelURL, "Panel"),
                (alert.silenceURL, "Silence"),
            )
            if url
        ]
        events.append(
            AlertEvent(
                action="trigger" if alert.status == "firing" else "resolve",
                dedup_key=group_key[:255],
                fingerprint=(alert.fingerprint or _digest(sorted(labels.items())))[:255],
                summary=summary[:1024],
                severity=labels.get("severity"),
                labels=labels,
                links=links,
                starts_at=alert.startsAt,
                ends_at=alert.endsAt if alert.status == "resolved" else None,
            )
        )
    return events


def pagerduty(body: Any) -> tuple[str, AlertEvent]:
    """PagerDuty Events API v2; returns the routing key and the event."""
    event = _validate(_PdEvent, body)
    errors = []
    if event.event_action == "trigger" and event.payload is None:
        errors.append("payload: Field required for a trigger")
    if event.event_action != "trigger" and not event.dedup_key:
        errors.append(f"dedup_key: Field required for {event.event_action}")
    if errors:
        raise PayloadError(errors)
    dedup_key = event.dedup_key or uuid.uuid4().hex
    details = event.payload
    return event.routing_key, AlertEvent(
        action=event.event_action,
        dedup_key=dedup_key,
        fingerprint=dedup_key,
        summary=details.summary if details else "",
        severity=details.severity if details else None,
        labels={
            k: v
            for k, v in {
                "source": details.source if details else None,
                "component": details.component if details else None,
                "group": details.group if details else None,
                "class": details.class_ if details else None,
            }.items()
            if v
        },
        links=[{"href": link.href, "text": link.text or link.href} for link in event.links],
        starts_at=details.timestamp if details else None,
    )


def generic(body: Any) -> AlertEvent:
    alert = _validate(_Generic, body)
    dedup_key = alert.dedup_key or _digest(alert.summary, alert.source)
    return AlertEvent(
        action=alert.action,
        dedup_key=dedup_key,
        fingerprint=dedup_key,
        summary=alert.summary,
        severity=alert.severity,
        labels={"source": alert.source} if alert.source else {},
        links=[{"href": link.href, "text": link.text or link.href} for link in alert.links],
    )
