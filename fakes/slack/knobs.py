"""Failure injection, latency and the call log of the fake Web API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from fakes.slack.state import JSON, Call


@dataclass
class Failure:
    """One queued failure; see :meth:`Knobs.fail_next`."""

    method: str | None
    error: str | None
    status: int | None
    retry_after: int | None
    times: int

    def answer(self) -> tuple[int, JSON, dict[str, str]]:
        """HTTP status, JSON body and extra headers of this failure."""
        status = self.status
        if status is None:
            status = 429 if self.retry_after is not None else 200
        headers: dict[str, str] = {}
        if status == 429:
            headers["Retry-After"] = str(self.retry_after if self.retry_after is not None else 1)
            error = self.error or "ratelimited"
        elif status >= 500:
            error = self.error or ("service_unavailable" if status == 503 else "internal_error")
        else:
            error = self.error or "fatal_error"
        return status, {"ok": False, "error": error}, headers


class Knobs:
    """Latency, queued failures and the log of every call, with waiting on it."""

    def __init__(self) -> None:
        self.latency: float = 0.0
        self.system_messages: bool = True
        self.chat_write_public: bool = True
        self.internal_errors: list[str] = []
        self.failures: list[Failure] = []
        self.calls: list[Call] = []
        self._changed: asyncio.Condition | None = None

    def fail_next(
        self,
        method: str | None = None,
        *,
        error: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        self.failures.append(Failure(method, error, status, retry_after, times))

    def take_failure(self, method: str) -> Failure | None:
        """The first queued failure for ``method`` (or any method), consuming one use."""
        for failure in self.failures:
            if failure.method is None or failure.method == method:
                failure.times -= 1
                if failure.times == 0:
                    self.failures.remove(failure)
                return failure
        return None

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def notify(self) -> None:
        """Wake every waiter: something they may wait for has happened."""
        condition = self._condition()
        async with condition:
            condition.notify_all()

    async def record(self, call: Call) -> None:
        self.calls.append(call)
        await self.notify()

    async def wait_until(
        self,
        done: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109
        describe: Callable[[], str],
    ) -> None:
        """Return once ``done()`` holds (checked on every notify), or raise TimeoutError."""
        condition = self._condition()
        try:
            async with condition:
                await asyncio.wait_for(condition.wait_for(done), timeout)
        except TimeoutError:
            raise TimeoutError(f"waited {timeout}s for {describe()}") from None

    def matching(self, method: str, predicate: Callable[[Call], bool] | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (predicate is None or predicate(c))]

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (public API)
        predicate: Callable[[Call], bool] | None = None,
    ) -> Call:
        """The ``count``-th call to ``method`` (matching ``predicate``), waiting for it."""

        def describe() -> str:
            seen = [c.method for c in self.calls]
            return (
                f"{count} call(s) to {method}; saw {len(self.matching(method, predicate))} "
                f"matching; all calls: {seen}"
            )

        await self.wait_until(
            lambda: len(self.matching(method, predicate)) >= count, timeout, describe
        )
        return self.matching(method, predicate)[count - 1]
