"""Alert intake throughput: Alertmanager webhooks per second into OpsGuard's
`/hooks/alertmanager`, against a bare aiohttp endpoint, on SQLite and on PostgreSQL.

The deliveries are Alertmanager v4 webhook bodies (one alert each), a realistic mix: 90%
repeats of a group already sent (same group key, same alert), 10% new groups. OpsGuard
deduplicates the repeats into their open group and declares an incident for each new group.

- OpsGuard: the real app (`OpsGuard.start`, migrations, system clock) with one
  `alertmanager` integration whose rate limit is out of reach (10,000,000/min) and whose
  storm threshold is too (so every new group declares its own incident rather than attaching
  to a storm incident). New groups map to SEV4 on a service without an escalation policy:
  no war room and nobody paged, so the run measures intake, not Slack set-up. Slack is the
  fake Slack, served from the load generator's process; the calls it saw are reported.
- Bare: an aiohttp endpoint that reads the body, `json.loads` it and inserts one row (the
  group key, status and body) in its own transaction, through the same storage layer
  (`storage.db.Database.begin()`: the same driver and pool and, on SQLite, the same pragmas,
  `BEGIN IMMEDIATE` and in-process turns for writers). It commits every delivery by itself,
  where OpsGuard counts plain repeats that arrive together in one transaction.

Each server runs in its own process on a fresh database (a new SQLite file; a throwaway
PostgreSQL database created and dropped around the run); this process only generates load,
over keep-alive connections with requests encoded up front, so that it takes little of the
CPU it shares with the server (its CPU per event is printed too).
The machine's 1-minute load average at the end of each measured phase is printed with it.
Targets: OpsGuard >= 60% of the bare endpoint's rate on each backend, and >= 1,000 events/s
on SQLite.

    .venv/bin/python -m bench.intake [--events 10000] [--concurrency 20] [--pg URL]
        [--backends sqlite,postgresql] [--repeats 0.9] [--profile DIR]

`--repeats 1` (every measured delivery a repeat) and `--repeats 0` (every one a new group)
measure the two paths apart; the targets are for the default mix.

PostgreSQL runs when `--pg URL` or OPSGUARD_TEST_DATABASE_URL is given (any database on the
server; the throwaway databases are created beside it). `--profile DIR` records the OpsGuard
server with py-spy during each measured phase (DIR/opsguard-<backend>.txt, collapsed stacks).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench.pg import throwaway_postgres

TOKEN = "bench-alertmanager-token-0123456789"
REPEAT_SHARE = 0.9
WARMUP = 500
SEED = 20261123
RATIO_TARGET = 0.6
SQLITE_RATE_TARGET = 1000.0
REPO = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- the deliveries


def delivery(group: int) -> bytes:
    """What Alertmanager 0.25 posts for group `group`: one firing alert, every v4 field."""
    labels = {
        "alertname": f"HighErrorRate{group}",
        "instance": f"web-{group % 7}:9100",
        "job": "web",
        "service": "checkout",
        "severity": "info",
    }
    body = {
        "receiver": "opsguard",
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {
                    "summary": f"Error rate above 5% on web group {group}",
                    "description": "5xx responses over the last 5 minutes",
                },
                "startsAt": "2026-11-23T08:58:00.000Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example:9090/graph?g0.expr=errors&g0.tab=1",
                "fingerprint": f"{group:016x}",
            }
        ],
        "groupLabels": {"alertname": labels["alertname"]},
        "commonLabels": labels,
        "commonAnnotations": {"summary": f"Error rate above 5% on web group {group}"},
        "externalURL": "http://alertmanager.example:9093",
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{labels["alertname"]}"}}',
        "truncatedAlerts": 0,
    }
    return json.dumps(body).encode()


@dataclass(frozen=True)
class Mix:
    events: int
    concurrency: int
    repeats: float  # the share of deliveries that repeat a group already sent


def plan(total: int, known: int, rng: random.Random, repeats: float) -> list[int]:
    """Group numbers to send after groups 0..known-1 were sent: a repeat of a known one at
    random `repeats` of the time, otherwise (and first of all, when none is known) a new one."""
    groups = []
    for _ in range(total):
        if known == 0 or rng.random() >= repeats:
            groups.append(known)
            known += 1
        else:
            groups.append(rng.randrange(known))
    return groups


# ---------------------------------------------------------------- the servers


async def _serve_bare(database_url: str) -> int:
    from aiohttp import web
    from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table

    from storage.db import Database

    db = Database(database_url)
    metadata = MetaData()
    table = Table(
        "bare_event",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False),
        Column("group_key", String(255), nullable=False),
        Column("status", String(16), nullable=False),
        Column("body", JSON, nullable=False),
    )
    async with db.begin() as conn:
        await conn.run_sync(metadata.create_all)

    async def receive(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        async with db.begin() as conn:
            await conn.execute(
                table.insert().values(
                    received_at=datetime.now(UTC),
                    group_key=body["groupKey"],
                    status=body["status"],
                    body=body,
                )
            )
        return web.json_response({"status": "ok"}, status=202)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post("/hooks/alertmanager", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port: int = runner.addresses[0][1]
    return port


async def _serve_opsguard(database_url: str, slack_url: str) -> int:
    from bot.config import OpsConfig
    from bot.runtime import OpsGuard
    from bot.settings import Settings

    config = OpsConfig.model_validate(
        {
            "services": [{"name": "checkout"}],
            "integrations": [
                {
                    "name": "prometheus",
                    "type": "alertmanager",
                    "token": TOKEN,
                    "service": "checkout",
                    "rate_limit": 10_000_000,
                    "storm_threshold": 10_000_000,
                }
            ],
        }
    )
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        slack_bot_token="xoxb-test",
        slack_signing_secret="bench-signing-secret",
        slack_api_url=slack_url,
        database_url=database_url,
        log_level="WARNING",
    )
    guard = OpsGuard(settings, config)
    await guard.start(host="127.0.0.1", port=0)
    return guard.port


async def _serve(kind: str, database_url: str, slack_url: str) -> None:
    if kind == "bare":
        port = await _serve_bare(database_url)
    else:
        port = await _serve_opsguard(database_url, slack_url)
    print(f"http://127.0.0.1:{port}/hooks/alertmanager", flush=True)
    await asyncio.Event().wait()


@dataclass
class Server:
    proc: subprocess.Popen[str]
    url: str


def _spawn(kind: str, database_url: str, slack_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.intake", "--serve", kind, database_url, slack_url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


@asynccontextmanager
async def server(kind: str, database_url: str, slack_url: str) -> AsyncIterator[Server]:
    proc = _spawn(kind, database_url, slack_url)
    assert proc.stdout is not None
    line = await asyncio.to_thread(proc.stdout.readline)
    if not line.startswith("http://"):
        proc.kill()
        raise RuntimeError(f"{kind} server did not start: {line!r}")
    try:
        yield Server(proc, line.strip())
    finally:
        proc.terminate()
        await asyncio.to_thread(proc.wait, 10)


# ---------------------------------------------------------------- load and measurement


async def load(url: str, groups: list[int], concurrency: int) -> tuple[float, Counter[int]]:
    """Send every delivery in `groups` over `concurrency` keep-alive connections; the time it
    took. Requests are encoded up front and answers read with asyncio streams, so the load
    generator spends a fraction of what an HTTP client library would of the CPU the server
    shares with it."""
    target = urlsplit(url)
    head = (
        f"POST {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\n"
        f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
    ).encode()
    requests = [
        head + b"Content-Length: %d\r\n\r\n" % len(body) + body
        for body in (delivery(g) for g in groups)
    ]
    statuses: Counter[int] = Counter()
    cursor = iter(requests)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(target.hostname, target.port)
        try:
            for request in cursor:
                writer.write(request)
                statuses[int((await reader.readline()).split()[1])] += 1
                length = 0
                while (line := await reader.readline()) != b"\r\n":
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return time.perf_counter() - started, statuses


@dataclass
class Result:
    backend: str
    kind: str
    events: int
    seconds: float
    statuses: Counter[int]
    cpu: float  # the server process's CPU seconds (user + system) over the measured phase
    client_cpu: float  # the load generator's CPU seconds over the measured phase
    load: float  # the machine's 1-minute load average at the end of the measured phase
    slack_calls: int = 0

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _profile(pid: int, out: Path) -> subprocess.Popen[bytes] | None:
    """py-spy recording `pid` until it gets SIGINT: collapsed stacks into `out`, sampling only
    the thread holding the GIL (Python CPU, not threads waiting in SQLite or sockets)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("py-spy not found; no profile", file=sys.stderr)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            *(spy, "record", "--pid", str(pid), "--rate", "200"),
            *("--gil", "--format", "raw", "--output", str(out), "--nonblocking"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def measure(
    backend: str, kind: str, database_url: str, mix: Mix, profile: Path | None
) -> Result:
    from fakes.slack import FakeSlack

    rng = random.Random(SEED)
    warmup = plan(WARMUP, 0, rng, REPEAT_SHARE)
    measured = plan(mix.events, max(warmup) + 1, rng, mix.repeats)
    concurrency = mix.concurrency
    async with FakeSlack() as slack, server(kind, database_url, slack.api_url) as srv:
        await load(srv.url, warmup, concurrency)
        calls_before = len(slack.calls)
        spy = None
        if profile is not None and kind == "opsguard":
            spy = _profile(srv.proc.pid, profile / f"opsguard-{backend}.txt")
            await asyncio.sleep(1)  # py-spy attaches
        cpu_before = cpu_seconds(srv.proc.pid)
        client_before = time.process_time()
        seconds, statuses = await load(srv.url, measured, concurrency)
        cpu = cpu_seconds(srv.proc.pid) - cpu_before
        client_cpu = time.process_time() - client_before
        load_average = os.getloadavg()[0]
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes the profile on SIGINT
            await asyncio.to_thread(spy.wait, 60)
        await asyncio.sleep(0.5)  # let follow-ups of the last new groups reach the fake Slack
        calls = len(slack.calls) - calls_before
        result = Result(
            backend, kind, mix.events, seconds, statuses, cpu, client_cpu, load_average, calls
        )
    if set(result.statuses) - {202}:
        raise RuntimeError(f"{kind} on {backend} answered {dict(result.statuses)}")
    if kind == "opsguard":
        await check_dedup(database_url, len(set(warmup + measured)), len(warmup + measured))
    return result


async def check_dedup(database_url: str, groups: int, deliveries: int) -> None:
    """OpsGuard kept one open group and one incident per group key, and counted every delivery."""
    from sqlmodel import func, select

    from storage.db import Database
    from storage.models import AlertGroup, Incident

    db = Database(database_url)
    try:
        async with db.session() as session:
            found = (
                await session.exec(
                    select(func.count(), func.sum(AlertGroup.count)).select_from(AlertGroup)
                )
            ).one()
            incidents = (await session.exec(select(func.count()).select_from(Incident))).one()
    finally:
        await db.dispose()
    if (found[0], found[1], incidents) != (groups, deliveries, groups):
        raise RuntimeError(
            f"expected {groups} groups, {deliveries} deliveries and {groups} incidents; "
            f"found {found[0]} groups, {found[1]} deliveries and {incidents} incidents"
        )


@asynccontextmanager
async def fresh_database(backend: str, pg_url: str | None) -> AsyncIterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite+aiosqlite:///{tmp}/bench.db"
    else:
        assert pg_url is not None
        async with throwaway_postgres(pg_url, "og_bench_intake") as url:
            yield url


async def run_backend(
    backend: str, pg_url: str | None, mix: Mix, profile: Path | None
) -> tuple[Result, Result]:
    results = {}
    for kind in ("bare", "opsguard"):
        async with fresh_database(backend, pg_url) as url:
            results[kind] = await measure(backend, kind, url, mix, profile)
    return results["bare"], results["opsguard"]


def report(bare: Result, ours: Result) -> bool:
    ratio = ours.rate / bare.rate
    ok = ratio >= RATIO_TARGET
    target = f"ratio >= {RATIO_TARGET:.0%}"
    if bare.backend == "sqlite":
        ok = ok and ours.rate >= SQLITE_RATE_TARGET
        target += f" and >= {SQLITE_RATE_TARGET:,.0f} events/s"
    for r in (bare, ours):
        print(
            f"{r.backend:<10} {r.kind:<8} {r.events} events in {r.seconds:.2f} s = "
            f"{r.rate:,.0f} events/s, server CPU {r.cpu / r.events * 1000:.2f} ms/event, "
            f"load generator CPU {r.client_cpu / r.events * 1000:.2f} ms/event, "
            f"load {r.load:.2f}"
            + (f", Slack calls: {r.slack_calls}" if r.kind == "opsguard" else "")
        )
    print(f"{bare.backend:<10} ratio {ratio:.2f} ({target}): {'PASS' if ok else 'MISS'}")
    return ok


async def _main(args: argparse.Namespace) -> int:
    pg_url = args.pg or os.environ.get("OPSGUARD_TEST_DATABASE_URL")
    backends = [b for b in args.backends.split(",") if b]
    mix = Mix(args.events, args.concurrency, args.repeats)
    ok = True
    for backend in backends:
        if backend == "postgresql" and not pg_url:
            print("postgresql skipped: give --pg URL or set OPSGUARD_TEST_DATABASE_URL")
            continue
        bare, ours = await run_backend(backend, pg_url, mix, args.profile)
        ok = report(bare, ours) and ok
    print("PASS" if ok else "MISS")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--repeats",
        type=float,
        default=REPEAT_SHARE,
        help="share of measured deliveries that repeat a known group (1 and 0 isolate the paths)",
    )
    parser.add_argument(
        "--pg", help="postgresql+asyncpg:// URL of a server to make throwaway DBs on"
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--profile", type=Path, help="py-spy the OpsGuard server into this folder")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        kind, database_url, slack_url = args.serve
        asyncio.run(_serve(kind, database_url, slack_url))
        return 0
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
