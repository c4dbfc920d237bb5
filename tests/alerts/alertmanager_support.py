"""A real OpsGuard taking alerts over HTTP, and the real Alertmanager binary to send them.

`running_opsguard` starts OpsGuard on the fake Slack (scheduler off, a `FakeClock` started at
the real time, since Alertmanager stamps its alerts with the real time) with two alert
integrations on the `checkout` service, whose policy pages Bob at step 0:

- `prometheus`: an `alertmanager` integration with a bearer token (`AM_TOKEN`);
- `pd`: a `pagerduty` integration with a routing key (`ROUTING_KEY`).

`alertmanager_binary` finds Debian's `prometheus-alertmanager` (`$ALERTMANAGER_BIN`, or where
`.ci/run` extracts it: `/opt/alertmanager`), and `running_alertmanager` runs it on a free
loopback port with a given config, without clustering.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from sqlmodel import col, select

from bot.config import OpsConfig
from bot.runtime import OpsGuard
from fakes.clock import FakeClock
from fakes.slack import FakeSlack
from storage.models import AlertGroup, Incident, Page
from tests.conftest import SIGNING_SECRET, make_settings

T = TypeVar("T")

AM_TOKEN = "am-bearer-token-0123456789abcdef"
ROUTING_KEY = "R0123456789ABCDEFGHIJKLMNOPQRSTU"  # 32 characters, like PagerDuty's
SERVICE = "checkout"

ALERTMANAGER_ENV = "ALERTMANAGER_BIN"
EXTRACTED_ROOT = Path("/opt/alertmanager")  # where .ci/run puts `dpkg-deb -x`
BINARY_IN_ROOT = Path("usr/bin/prometheus-alertmanager")
# Debian's build reads its notification templates from this fixed path, whatever the config.
TEMPLATE_DIR = Path("/usr/share/prometheus/alertmanager")
TEMPLATES = ("default.tmpl", "email.tmpl")


@dataclass
class AlertWorld:
    slack: FakeSlack
    guard: OpsGuard
    clock: FakeClock
    bob: str

    @property
    def url(self) -> str:
        return self.guard.url

    async def incidents(self) -> list[Incident]:
        async with self.guard.deps.db.session() as session:
            return list((await session.exec(select(Incident).order_by(col(Incident.id)))).all())

    async def groups(self) -> list[AlertGroup]:
        async with self.guard.deps.db.session() as session:
            return list((await session.exec(select(AlertGroup).order_by(col(AlertGroup.id)))).all())

    async def pages(self, incident_id: int) -> list[Page]:
        async with self.guard.deps.db.session() as session:
            return list(
                (
                    await session.exec(
                        select(Page).where(Page.incident_id == incident_id).order_by(col(Page.id))
                    )
                ).all()
            )

    def page_dms(self) -> list[str]:
        """Recipients of every page DM that Slack accepted, in order."""
        return [
            c.args["channel"]
            for c in self.slack.calls_to("chat.postMessage")
            if c.ok and "You are paged" in c.args.get("text", "")
        ]


def alert_config(bob: str) -> OpsConfig:
    return OpsConfig.model_validate(
        {
            "services": [{"name": SERVICE, "escalation_policy": SERVICE}],
            "escalation_policies": [
                {"name": SERVICE, "steps": [{"delay": "5m", "targets": [{"user": bob}]}]}
            ],
            "integrations": [
                {
                    "name": "prometheus",
                    "type": "alertmanager",
                    "token": AM_TOKEN,
                    "service_label": "service",
                    "service": SERVICE,
                },
                {"name": "pd", "type": "pagerduty", "routing_key": ROUTING_KEY, "service": SERVICE},
            ],
        }
    )


@asynccontextmanager
async def running_opsguard(database_url: str) -> AsyncIterator[AlertWorld]:
    async with FakeSlack() as slack:
        bob = slack.add_user("bob").id
        settings = make_settings(
            slack_bot_token=slack.bot_token,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack.api_url,
            database_url=database_url,
        )
        clock = FakeClock(datetime.now(UTC))
        guard = OpsGuard(settings, alert_config(bob), clock=clock)
        await guard.start(host="127.0.0.1", port=0, scheduler=False)
        try:
            yield AlertWorld(slack, guard, clock, bob)
        finally:
            # OpsGuard.stop() does not wait for the Slack follow-ups of the last deliveries
            # (war room, refreshes); stopping under them leaves half-done work behind.
            await slack_quiet(slack)
            await guard.stop()


async def slack_quiet(slack: FakeSlack, *, quiet: float = 0.3, within: float = 5.0) -> None:
    """Wait until the fake Slack has seen no call for `quiet` s (at most `within` s)."""
    deadline = time.monotonic() + within
    seen, since = len(slack.calls), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        if len(slack.calls) != seen:
            seen, since = len(slack.calls), time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


async def wait_for(
    check: Callable[[], Awaitable[T | None]],
    what: str,
    *,
    within: float = 15.0,
    context: Callable[[], str] | None = None,
) -> T:
    """Poll `check` until it returns something other than None (or fail after `within` s,
    adding what `context` says then, e.g. the tail of a log)."""
    deadline = time.monotonic() + within
    while True:
        found = await check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            extra = f"\n{context()}" if context is not None else ""
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}{extra}")
        await asyncio.sleep(0.05)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def find_alertmanager() -> tuple[Path | None, str]:
    """The binary, ready to run, or None and why not."""
    named = os.environ.get(ALERTMANAGER_ENV)
    binary = Path(named) if named else EXTRACTED_ROOT / BINARY_IN_ROOT
    if not binary.is_file() or not os.access(binary, os.X_OK):
        source = f"${ALERTMANAGER_ENV}" if named else "the default extraction dir"
        return None, (
            f"no Alertmanager binary at {binary} ({source}); .ci/run installs it with "
            "`apt-get download prometheus-alertmanager` + `dpkg-deb -x` into /opt/alertmanager"
        )
    missing = [name for name in TEMPLATES if not (TEMPLATE_DIR / name).is_file()]
    if missing:
        # The package tree beside the binary (…/usr/bin/x → …/usr/share/prometheus/…) has them.
        shipped = binary.resolve().parents[2] / "usr/share/prometheus/alertmanager"
        try:
            TEMPLATE_DIR.mkdir(parents=True, exist_ok=True)
            for name in missing:
                shutil.copyfile(shipped / name, TEMPLATE_DIR / name)
        except OSError as exc:
            return None, (
                f"Alertmanager needs {', '.join(missing)} in {TEMPLATE_DIR} and they could not "
                f"be copied from {shipped}: {exc}"
            )
    return binary, ""


@dataclass
class RunningAlertmanager:
    url: str
    log: Path

    async def post_alerts(self, alerts: list[dict[str, Any]]) -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{self.url}/api/v2/alerts", json=alerts) as response,
        ):
            body = await response.text()
            assert response.status == 200, f"Alertmanager answered {response.status}: {body}"

    def log_tail(self, lines: int = 30) -> str:
        tail = self.log.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join([f"Alertmanager log, last {lines} lines:", *tail])


@asynccontextmanager
async def running_alertmanager(
    binary: Path, workdir: Path, config: dict[str, Any]
) -> AsyncIterator[RunningAlertmanager]:
    """Alertmanager with `config` on a free loopback port, clustering off, state in `workdir`."""
    proc, running = _spawn(binary, workdir, config)
    try:
        await _wait_ready(proc, running)
        yield running
    finally:
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 10)
        except subprocess.TimeoutExpired:
            proc.kill()
            await asyncio.to_thread(proc.wait, 10)


def _spawn(
    binary: Path, workdir: Path, config: dict[str, Any]
) -> tuple[subprocess.Popen[bytes], RunningAlertmanager]:
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = workdir / "alertmanager.yml"
    config_file.write_text(json.dumps(config, indent=2))  # JSON is YAML
    port = free_port()
    log = workdir / "alertmanager.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(binary),
                f"--config.file={config_file}",
                f"--storage.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
                "--log.level=debug",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return proc, RunningAlertmanager(f"http://127.0.0.1:{port}", log)


async def _wait_ready(proc: subprocess.Popen[bytes], am: RunningAlertmanager) -> None:
    deadline = time.monotonic() + 10
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(
                    f"Alertmanager exited with {proc.returncode}:\n{am.log_tail()}"
                )
            try:
                async with session.get(f"{am.url}/-/ready") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"Alertmanager was not ready within 10 s:\n{am.log_tail()}")
