"""`opsguard feeds` prints every feed's secret URL, as an operator runs it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.domain.oncall.ical import feed_token
from tests.conftest import OPSGUARD_ENV, REPO

CONFIG = """
schedules:
  - name: primary
    timezone: Europe/Berlin
    layers:
      - users: [U0AAAAAAA, U0BBBBBBB]
        rotation: weekly
        handoff: "09:00"
        start: 2026-01-05
    overrides:
      - user: U0CCCCCCC
        start: 2026-03-29T00:00:00+01:00
        end: 2026-03-30T12:00:00+02:00
"""
SECRET = "cli-feed-secret-0123456789"


async def feeds(env: dict[str, str]) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in OPSGUARD_ENV}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "feeds",
        env={**clean, "PYTHONPATH": str(REPO), **env},
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_feeds_prints_a_url_per_schedule_and_user(tmp_path: Path) -> None:
    config = tmp_path / "opsguard.yml"
    config.write_text(CONFIG, encoding="utf-8")
    base = "https://opsguard.example.com"
    code, out, err = await feeds(
        {"FEED_SECRET": SECRET, "OPSGUARD_CONFIG": str(config), "BASE_URL": base}
    )
    assert code == 0, err
    expected = [
        ("schedule primary", "/ical/schedules/primary.ics"),
        ("user U0AAAAAAA", "/ical/users/U0AAAAAAA.ics"),
        ("user U0BBBBBBB", "/ical/users/U0BBBBBBB.ics"),
        ("user U0CCCCCCC", "/ical/users/U0CCCCCCC.ics"),
    ]
    assert out.splitlines() == [
        f"{label}: {base}{path}?token={feed_token(SECRET, path)}" for label, path in expected
    ]


async def test_feeds_says_they_are_off_without_the_secret() -> None:
    code, out, err = await feeds({})
    assert code == 2 and out == ""
    assert err.strip() == "opsguard: calendar feeds are off: set FEED_SECRET to turn them on"
