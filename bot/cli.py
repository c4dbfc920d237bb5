"""The `opsguard` command: run, db upgrade, check, demo, feeds."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.config import ConfigError, OpsConfig, load_config
from bot.settings import Settings

EXIT_CONFIG = 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        return _fail(_settings_problem(exc))
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return int(args.func(args, settings) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsguard", description="Slack-native incident response.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="serve Slack (Socket Mode if SLACK_APP_TOKEN is set)")
    run.add_argument("--no-migrate", action="store_true", help="skip `db upgrade` at start")
    run.set_defaults(func=_run)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations up to the latest").set_defaults(
        func=_db_upgrade
    )

    check = commands.add_parser("check", help="validate config, manifest, database and token")
    check.add_argument("--manifest", type=Path, default=Path("app_manifest.yml"))
    check.add_argument(
        "--schema", type=Path, default=None, help="Slack's manifest JSON schema to validate against"
    )
    check.set_defaults(func=_check)

    demo = commands.add_parser("demo", help="run against the built-in fake Slack and narrate")
    demo.set_defaults(func=_demo)

    feeds = commands.add_parser("feeds", help="print the secret on-call calendar feed URLs")
    feeds.set_defaults(func=_feeds)
    return parser


def _load(settings: Settings) -> OpsConfig:
    return load_config(settings.opsguard_config)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime import OpsGuard, StartupError

    try:
        config = _load(settings)
    except ConfigError as exc:
        return _fail(str(exc))

    async def serve() -> None:
        guard = OpsGuard(settings, config)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await guard.start(migrate=not args.no_migrate)
            await stop.wait()
        finally:
            await guard.stop()

    try:
        asyncio.run(serve())
    except StartupError as exc:
        return _fail(f"cannot start: {exc}")
    return 0


def _db_upgrade(_: argparse.Namespace, settings: Settings) -> int:
    from storage.db import Database
    from storage.migrate import current_revision, upgrade

    async def go() -> str | None:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            return await current_revision(db)
        finally:
            await db.dispose()

    try:
        revision = asyncio.run(go())
    except Exception as exc:
        return _fail(f"database upgrade failed: {getattr(exc, 'orig', None) or exc}")
    print(f"database is at revision {revision} (latest)")
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.checks import render, run_checks

    results = asyncio.run(run_checks(settings, args.manifest, args.schema))
    print(render(results))
    return 0 if all(r.ok for r in results) else 1


def _demo(_: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(sys.stdout))


def _feeds(_: argparse.Namespace, settings: Settings) -> int:
    from bot.domain.oncall.ical import feed_urls

    if not settings.feed_secret:
        return _fail("calendar feeds are off: set FEED_SECRET to turn them on")
    try:
        config = _load(settings)
    except ConfigError as exc:
        return _fail(str(exc))
    for label, url in feed_urls(settings, config.schedules):
        print(f"{label}: {url}")
    return 0


def _settings_problem(exc: ValidationError) -> str:
    lines = ["invalid environment:"]
    for error in exc.errors():
        name = str(error["loc"][0]).upper() if error["loc"] else "?"
        lines.append(f"  {name}: {error['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)


def _fail(message: str) -> int:
    print(f"opsguard: {message}", file=sys.stderr)
    return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
