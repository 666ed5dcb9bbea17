"""Long-running jobs the app runs beside its request workers (device feeds, purges, the demo city).

A job is ``async def job(stop: asyncio.Event)``; the app's lifespan sets ``stop`` on
shutdown. Most feeds are written as run-until-cancelled coroutines, so
``until_stopped`` adapts one to that contract.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

__all__ = ["Job", "every", "until_stopped"]

Job = Callable[[asyncio.Event], Awaitable[None]]
_log = logging.getLogger(__name__)


async def every(interval_s: float, step: Callable[[], object], stop: asyncio.Event, *, what: str) -> None:
    """Call the blocking ``step`` in a thread every ``interval_s`` until ``stop`` is set.

    A failing step is logged and tried again next time: one bad tick must not end the job.
    """
    while not stop.is_set():
        try:
            await asyncio.to_thread(step)
        except Exception:
            _log.exception("%s failed; trying again", what)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)


async def until_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> None:
    """Run a run-until-cancelled coroutine until ``stop`` is set, then cancel it.

    Should the work fail first, its exception propagates to the caller.
    """
    task = asyncio.create_task(work)
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, waiter):
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending
