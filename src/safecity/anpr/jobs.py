"""The ANPR jobs the app runs beside its workers: the MQTT read feed and the daily purge.

Both start when camera feeds are connected (``SAFECITY_MQTT_URL`` is set).
Without them there are no new reads to store or expire, and ``safecity anpr
purge`` can be run from cron instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from safecity.anpr.mqtt import consume_reads
from safecity.anpr.retention import run_daily_purge
from safecity.anpr.schemas import AnprSettings

__all__ = ["Job", "anpr_jobs"]

Job = Callable[[asyncio.Event], Awaitable[None]]


async def _until_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> None:
    """Run a run-until-cancelled coroutine until ``stop`` is set (its own failure propagates)."""
    task = asyncio.create_task(work)
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, waiter):
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending


def anpr_jobs(
    mqtt_url: str | None, sessions: sessionmaker[Session], *, settings: AnprSettings | None = None
) -> list[Job]:
    """The read consumer and the retention purge, or nothing without an MQTT broker."""
    if not mqtt_url:
        return []
    url = mqtt_url
    settings = settings or AnprSettings()

    async def reads(stop: asyncio.Event) -> None:
        await _until_stopped(consume_reads(sessions, url=url, shared_group=settings.mqtt_group), stop)

    async def purge(stop: asyncio.Event) -> None:
        await _until_stopped(run_daily_purge(sessions, settings=settings), stop)

    return [reads, purge]
