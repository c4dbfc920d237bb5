"""Ack latency of signed `/incident help` over HTTP: OpsGuard against a bare Bolt app.

Each server runs in its own process; this process only generates load (50 concurrent
clients), so the ratio compares the two apps rather than the load generator.

    .venv/bin/python -m bench.ack_latency [--requests 3000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

SECRET = "bench-signing-secret"
WARMUP = 200


def _command_body(i: int) -> bytes:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T0001",
            "team_domain": "bench",
            "channel_id": "C0001",
            "channel_name": "general",
            "user_id": "U0001",
            "user_name": "alice",
            "command": "/incident",
            "text": "help",
            "api_app_id": "A0001",
            "is_enterprise_install": "false",
            "response_url": "http://127.0.0.1:9/response/1",
            "trigger_id": f"1.{i}.abc",
        }
    ).encode()


def _signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body),
        "Content-Type": "application/x-www-form-urlencoded",
    }


async def _load(url: str, total: int, concurrency: int) -> list[float]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                body = _command_body(i)
                started = time.perf_counter()
                async with session.post(url, data=body, headers=_signed(body)) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{url} answered {response.status}")
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def _start(kind: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.ack_latency", "--serve", kind],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("http://"):
        proc.kill()
        raise RuntimeError(f"{kind} server did not start: {line!r}")
    return proc, line


async def _measure(kind: str, total: int, concurrency: int) -> list[float]:
    proc, url = _start(kind)
    try:
        await _load(url, WARMUP, concurrency)
        return await _load(url, total, concurrency)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def _serve(kind: str) -> None:
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from fakes.slack import FakeSlack

    fake = FakeSlack()
    await fake.start()
    if kind == "bare":
        bare = AsyncApp(
            client=AsyncWebClient(token=fake.bot_token, base_url=fake.api_url),
            signing_secret=SECRET,
        )

        @bare.command("/incident")
        async def _ack(ack):  # type: ignore[no-untyped-def]
            await ack()

        async def events(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await bare.async_dispatch(await to_bolt_request(request))
            )

        app = web.Application()
        app.router.add_post("/slack/events", events)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
    else:
        from bot.config import OpsConfig
        from bot.runtime import OpsGuard
        from bot.settings import Settings

        tmp = tempfile.mkdtemp()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            slack_bot_token=fake.bot_token,
            slack_signing_secret=SECRET,
            slack_api_url=fake.api_url,
            database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
            log_level="WARNING",
        )
        guard = OpsGuard(settings, OpsConfig())
        await guard.start(host="127.0.0.1", port=0)
        port = guard.port
    print(f"http://127.0.0.1:{port}/slack/events", flush=True)
    await asyncio.Event().wait()


def _report(name: str, values: list[float]) -> str:
    return (
        f"{name:<9} n={len(values)} p50={statistics.median(values) * 1000:.2f} ms "
        f"p99={_percentile(values, 99) * 1000:.2f} ms max={max(values) * 1000:.2f} ms"
    )


async def _main(total: int, concurrency: int) -> int:
    bare = await _measure("bare", total, concurrency)
    ours = await _measure("opsguard", total, concurrency)
    print(_report("bare Bolt", bare))
    print(_report("OpsGuard", ours))
    ratio_p50 = statistics.median(ours) / statistics.median(bare)
    ratio_p99 = _percentile(ours, 99) / _percentile(bare, 99)
    print(f"ratio p50={ratio_p50:.2f} p99={ratio_p99:.2f} (target p99 <= 1.3, max < 3 s)")
    ok = ratio_p99 <= 1.3 and max(ours) < 3.0
    print("PASS" if ok else "MISS")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--serve", choices=["bare", "opsguard"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve))
        return 0
    return asyncio.run(_main(args.requests, args.concurrency))


if __name__ == "__main__":
    sys.exit(main())
