"""The `opsguard` command as an operator runs it: real subprocesses, real environment."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from pathlib import Path

import aiohttp

from fakes.driver import SlackDriver
from fakes.slack import FakeSlack
from storage.migrate import head_revision
from tests.conftest import OPSGUARD_ENV, REPO, SHARED_SLACK, SIGNING_SECRET

OPSGUARD = [sys.executable, "-m", "bot.cli"]


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OPSGUARD_ENV}
    env["PYTHONPATH"] = str(REPO)
    env.update(values)
    return env


async def _opsguard(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *OPSGUARD,
        *args,
        env=env,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_help_lists_commands() -> None:
    code, out, _ = await _opsguard("--help", env=_env())
    assert code == 0
    for command in ("run", "db", "check", "demo"):
        assert command in out


async def test_run_serves_signed_help_within_3s_using_only_the_fake(database_url: str) -> None:
    async with FakeSlack() as slack:
        port = _free_port()
        env = _env(
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=database_url,
            PORT=str(port),
        )
        proc = await asyncio.create_subprocess_exec(
            *OPSGUARD,
            "run",
            env=env,
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            await _wait_healthy(port, proc)
            assert len(slack.calls_to("auth.test")) == 1
            alice = slack.add_user("alice")
            general = slack.add_channel("general", members=[alice.id])
            async with SlackDriver(
                slack,
                app_url=f"http://127.0.0.1:{port}/slack/events",
                signing_secret=SIGNING_SECRET,
            ) as driver:
                started = time.perf_counter()
                response = await driver.command(
                    "/incident", "help", user=alice.id, channel=general.id
                )
                assert time.perf_counter() - started < 3
            assert response.status == 200
            assert "/incident help" in response.body
        finally:
            proc.terminate()
            output, _ = await asyncio.wait_for(proc.communicate(), timeout=15)
        assert proc.returncode == 0, output.decode()
        assert "slack.com" not in output.decode()


async def _wait_healthy(port: int, proc: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise AssertionError("opsguard run exited early")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise AssertionError("opsguard run did not become healthy")


async def test_run_with_a_bad_token_exits_with_a_reason(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        env = _env(
            SLACK_BOT_TOKEN="xoxb-wrong",
            SLACK_SIGNING_SECRET="s",
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db",
            PORT=str(_free_port()),
        )
        code, _, err = await _opsguard("run", env=env)
    assert code == 2
    assert "Slack rejected SLACK_BOT_TOKEN: invalid_auth" in err
    assert "Traceback" not in err


async def test_bad_config_exits_non_zero_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "opsguard.yml"
    config.write_text("services:\n  - name: checkout\n    owners: [not-a-user]\n")
    code, _, err = await _opsguard("run", env=_env(OPSGUARD_CONFIG=str(config)))
    assert code == 2
    assert str(config) in err and "services[0].owners[0]" in err
    assert "Traceback" not in err


async def test_bad_environment_names_the_variable() -> None:
    code, _, err = await _opsguard("check", env=_env(PORT="eighty"))
    assert code == 2 and "PORT" in err and "Traceback" not in err


async def test_db_upgrade(database_url: str) -> None:
    code, out, err = await _opsguard("db", "upgrade", env=_env(DATABASE_URL=database_url))
    assert code == 0, err
    assert f"database is at revision {head_revision()} (latest)" in out


async def test_check_reports_every_part(database_url: str) -> None:
    schema = SHARED_SLACK / "manifest.schema.1.0.0.json"
    extra = ["--schema", str(schema)] if schema.exists() else []
    async with FakeSlack() as slack:
        env = _env(
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=database_url,
            OPSGUARD_CONFIG=str(REPO / "opsguard.example.yml"),
        )
        code, out, _ = await _opsguard("db", "upgrade", env=env)
        assert code == 0
        code, out, _ = await _opsguard("check", *extra, env=env)
    assert code == 0, out
    assert "ok    config" in out and "4 severities, 2 services" in out
    assert "ok    manifest" in out and "ok    database" in out
    assert "ok    slack     token ok" in out
    assert out.strip().endswith("all checks passed")


async def test_check_fails_on_an_unmigrated_database_and_missing_token(tmp_path: Path) -> None:
    env = _env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/new.db")
    code, out, _ = await _opsguard("check", env=env)
    assert code == 1
    assert (
        f"FAIL  database  at revision none, code expects {head_revision()}: "
        "run `opsguard db upgrade`"
    ) in out
    assert "FAIL  slack     SLACK_BOT_TOKEN is not set" in out


async def test_demo_prints_a_transcript() -> None:
    code, out, err = await _opsguard("demo", env=_env())
    assert code == 0, err
    assert "/incident help" in out
    assert "auth.test" in out
