"""Serving a fake on an ephemeral loopback port, the same way for every fake."""

from __future__ import annotations

from aiohttp import web


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """Start `app` on 127.0.0.1 at a free port; returns the runner and `http://host:port`."""
    runner = web.AppRunner(app, shutdown_timeout=1.0, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"
