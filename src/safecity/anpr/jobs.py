"""The ANPR jobs the app runs beside its workers: the MQTT read feed and the daily purge.

Both start when camera feeds are connected (``SAFECITY_MQTT_URL`` is set).
Without them there are no new reads to store or expire, and ``safecity anpr
purge`` can be run from cron instead.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session, sessionmaker

from safecity.anpr.mqtt import consume_reads
from safecity.anpr.retention import run_daily_purge
from safecity.anpr.schemas import AnprSettings
from safecity.core.jobs import Job, until_stopped

__all__ = ["anpr_jobs"]


def anpr_jobs(
    mqtt_url: str | None, sessions: sessionmaker[Session], *, settings: AnprSettings | None = None
) -> list[Job]:
    """The read consumer and the retention purge, or nothing without an MQTT broker."""
    if not mqtt_url:
        return []
    url = mqtt_url
    settings = settings or AnprSettings()

    async def reads(stop: asyncio.Event) -> None:
        await until_stopped(consume_reads(sessions, url=url, shared_group=settings.mqtt_group), stop)

    async def purge(stop: asyncio.Event) -> None:
        await until_stopped(run_daily_purge(sessions, settings=settings), stop)

    return [reads, purge]
