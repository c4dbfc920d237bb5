"""Prometheus metrics, on a registry per app instance so tests can run several apps."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.listener_requests = Counter(
            "opsguard_listener_requests",
            "Slack requests handled, per listener and outcome",
            ["listener", "outcome"],
            registry=self.registry,
        )
        self.listener_seconds = Histogram(
            "opsguard_listener_seconds",
            "Time spent in each Slack listener",
            ["listener"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.http_requests = Counter(
            "opsguard_http_requests",
            "HTTP requests served, per route and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "opsguard_http_seconds",
            "HTTP request latency per route",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
