"""Serving a fake on an ephemeral loopback port, the same way for every fake."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
from collections.abc import Callable
from types import TracebackType
from typing import Self

from aiohttp import web


def basic_auth(header: str | None) -> tuple[str, str] | None:
    """(user, password) of an `Authorization: Basic …` header; None for anything else."""
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """Start `app` on 127.0.0.1 at a free port; returns the runner and `http://host:port`."""
    runner = web.AppRunner(app, shutdown_timeout=1.0, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


class LoopbackFake:
    """A fake's life on loopback: start, stop (which cuts short requests sleeping out their
    latency), `async with`, its base URL, and waiting for its call log to change."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._stopping: asyncio.Event | None = None
        self._changed: asyncio.Condition | None = None

    def _app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> None:
        """Serve on ``127.0.0.1`` at an ephemeral port."""
        if self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} already started")
        self._stopping = asyncio.Event()
        self._changed = asyncio.Condition()
        self._runner, self._base_url = await serve(self._app())

    async def stop(self) -> None:
        if self._runner is None:
            return
        assert self._stopping is not None
        self._stopping.set()  # requests sleeping out their latency are answered now
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (only once started)."""
        if self._base_url is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._base_url

    async def _wait_latency(self, seconds: float) -> None:
        if seconds > 0 and self._stopping is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _notify(self) -> None:
        """Wake whoever waits in `_wait_until`: the call log changed."""
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    async def _wait_until(
        self, done: Callable[[], bool], seconds: float, describe: Callable[[], str]
    ) -> None:
        """Return once ``done()`` holds (checked on every change), or raise TimeoutError
        saying what was awaited (``describe()``)."""
        if self._changed is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        condition = self._changed
        try:
            async with condition:
                await asyncio.wait_for(condition.wait_for(done), seconds)
        except TimeoutError:
            raise TimeoutError(f"waited {seconds}s for {describe()}") from None
