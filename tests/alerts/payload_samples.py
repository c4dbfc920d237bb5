"""Payloads in the documented shapes of Alertmanager, Grafana and PagerDuty."""

from __future__ import annotations

from typing import Any


def alertmanager(
    status: str = "firing",
    *,
    group_key: str = '{}:{alertname="HighErrorRate"}',
    alerts: list[dict[str, Any]] | None = None,
    service: str = "checkout",
) -> dict:
    return {
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "opsguard",
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": {"alertname": "HighErrorRate", "severity": "critical", "service": service},
        "commonAnnotations": {"summary": "Checkout 5xx above 5%"},
        "externalURL": "http://alertmanager.example:9093",
        "alerts": alerts if alerts is not None else [am_alert(status, "a1", "pod-1")],
    }


def am_alert(status: str, fingerprint: str, instance: str) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {
            "alertname": "HighErrorRate",
            "instance": instance,
            "severity": "critical",
            "service": "checkout",
        },
        "annotations": {"summary": "Checkout 5xx above 5%", "description": f"on {instance}"},
        "startsAt": "2026-11-23T08:58:00.000Z",
        "endsAt": "2026-11-23T09:30:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=errors",
        "fingerprint": fingerprint,
    }


def grafana(status: str = "firing") -> dict[str, Any]:
    body = alertmanager(status)
    body |= {
        "orgId": 1,
        "title": "[FIRING:1] HighErrorRate",
        "message": "Checkout errors",
        "state": "alerting",
    }
    for alert in body["alerts"]:
        alert |= {
            "silenceURL": "http://grafana.example/alerting/silence/new",
            "dashboardURL": "http://grafana.example/d/abc",
            "panelURL": "http://grafana.example/d/abc?viewPanel=2",
            "values": {"B": 7.5},
        }
    return body


def pagerduty(
    action: str = "trigger", *, key: str = "rk-checkout", dedup_key: str | None = "disk-full-db1"
) -> dict[str, Any]:
    body: dict[str, Any] = {"routing_key": key, "event_action": action}
    if dedup_key is not None:
        body["dedup_key"] = dedup_key
    if action == "trigger":
        body["payload"] = {
            "summary": "Disk 95% full on db1",
            "source": "db1",
            "severity": "error",
            "component": "postgres",
            "group": "prod-db",
            "class": "disk",
            "custom_details": {"free": "5%"},
            "timestamp": "2026-11-23T08:59:00.000+0000",
        }
        body["links"] = [{"href": "https://grafana.example/d/db", "text": "Dashboard"}]
    return body
