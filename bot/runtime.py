"""One running OpsGuard: storage, Slack connection, HTTP server and (optionally) Socket Mode."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.app import build_app
from bot.clock import Clock, SystemClock
from bot.config import OpsConfig
from bot.deps import Deps
from bot.domain import due
from bot.domain.oncall.ical import IcalRefresher
from bot.domain.postmortem.render import TemplateError, load_template
from bot.domain.services import sync_services
from bot.metrics import Metrics
from bot.registry import ListenerRegistry
from bot.settings import Settings
from bot.slack_ops.context import SlackOps
from bot.slack_ops.usergroups import refresh_usergroups
from handlers.alert_hooks import add_alert_routes
from handlers.deploy_hook import add_deploy_routes
from handlers.http_routes import add_routes, metrics_middleware
from handlers.postmortem_routes import add_postmortem_routes
from scheduler.hints import Scheduler
from scheduler.sweeper import sweep
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger("opsguard")
MAX_BODY_BYTES = 1024 * 1024
FOLLOW_UP_GRACE_S = 10


class StartupError(Exception):
    """Start-up cannot go on; str() is the operator-facing reason."""


@dataclass(frozen=True)
class SlackIdentity:
    team: str
    user: str
    user_id: str


class OpsGuard:
    def __init__(self, settings: Settings, config: OpsConfig, *, clock: Clock | None = None):
        if not settings.slack_bot_token:
            raise StartupError("SLACK_BOT_TOKEN is not set")
        try:  # a broken template fails here, at start-up, never when a postmortem is rendered
            template = load_template(settings.postmortem_template)
        except TemplateError as exc:
            raise StartupError(f"POSTMORTEM_TEMPLATE: {exc}") from None
        self.deps = Deps(
            settings=settings,
            config=config,
            db=Database(settings.database_url),
            clock=clock or SystemClock(),
            metrics=Metrics(),
            postmortem_template=template,
        )
        self.bolt: AsyncApp
        self.registry: ListenerRegistry
        self.ops: SlackOps
        self.bolt, self.registry, self.ops = build_app(self.deps)
        self.scheduler = Scheduler(self.ops)
        self.ical = IcalRefresher(config.schedules)  # layers with an ical: URL
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._follow_ups: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(
        self,
        *,
        migrate: bool = True,
        host: str = "0.0.0.0",
        port: int | None = None,
        scheduler: bool = True,
    ) -> SlackIdentity:
        """`scheduler=False` lets tests drive time themselves by calling the sweep."""
        settings = self.deps.settings
        if not settings.socket_mode and not settings.slack_signing_secret:
            raise StartupError("SLACK_SIGNING_SECRET is required in HTTP mode")
        if migrate:
            await upgrade(self.deps.db)
        await sync_services(self.deps.db, self.deps.config)
        await due.ensure_jobs(self.deps.db, self.deps.clock, self.deps.config)
        identity = await self._verify_token()
        self.ops.bot_user_id = identity.user_id
        await refresh_usergroups(self.ops)  # before any incident can be paged
        web_app = web.Application(
            client_max_size=MAX_BODY_BYTES, middlewares=[metrics_middleware(self.deps)]
        )
        await self.ical.start()  # a failed fetch is logged; the layer stays empty until it loads
        add_routes(
            web_app,
            self.deps,
            None if settings.socket_mode else self.bolt,
            sweep=partial(sweep, self.ops),
        )
        self._follow_ups = add_alert_routes(web_app, self.ops)
        add_deploy_routes(web_app, self.ops)
        add_postmortem_routes(web_app, self.deps)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, settings.port if port is None else port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        if settings.socket_mode:
            self._socket = AsyncSocketModeHandler(self.bolt, settings.slack_app_token)
            await self._socket.connect_async()
        if scheduler:
            await self.scheduler.start()
        log.info(
            "OpsGuard is up as @%s in %s (%s mode, port %d)",
            identity.user,
            identity.team,
            "Socket" if settings.socket_mode else "HTTP",
            self.port,
        )
        return identity

    async def stop(self) -> None:
        await self.scheduler.stop()
        if self._follow_ups:  # Slack work started by alert deliveries
            await asyncio.wait(self._follow_ups, timeout=FOLLOW_UP_GRACE_S)
        await self.ical.stop()
        if self._socket is not None:
            await self._socket.close_async()
        if self._runner is not None:
            await self._runner.cleanup()
        await self.deps.db.dispose()

    async def _verify_token(self) -> SlackIdentity:
        try:
            auth = await self.bolt.client.auth_test()
        except SlackApiError as exc:
            raise StartupError(
                f"Slack rejected SLACK_BOT_TOKEN: {exc.response.get('error')}"
            ) from None
        except Exception as exc:
            raise StartupError(
                f"cannot reach Slack at {self.deps.settings.slack_api_url}: {exc}"
            ) from None
        return SlackIdentity(team=auth["team"], user=auth["user"], user_id=auth["user_id"])
