"""The camera jobs the app runs beside its workers: MQTT heartbeats and the offline check.

Both start only when cameras are connected (``SAFECITY_MQTT_URL`` is set): an
installation without camera feeds has no heartbeats to miss, and raising
"offline" alerts for every registered camera would only be noise.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session, sessionmaker

from safecity.cameras.config import CameraSettings
from safecity.cameras.monitor import run_offline_checks
from safecity.cameras.mqtt import consume_heartbeats
from safecity.core.jobs import Job, until_stopped

__all__ = ["camera_jobs"]


def camera_jobs(
    mqtt_url: str | None, sessions: sessionmaker[Session], *, settings: CameraSettings | None = None
) -> list[Job]:
    """The heartbeat consumer and the offline check, or nothing without an MQTT broker."""
    if not mqtt_url:
        return []
    url = mqtt_url
    settings = settings or CameraSettings()

    async def heartbeats(stop: asyncio.Event) -> None:
        await until_stopped(consume_heartbeats(sessions, url=url, shared_group=settings.mqtt_group), stop)

    async def offline_checks(stop: asyncio.Event) -> None:
        await until_stopped(run_offline_checks(sessions, settings=settings), stop)

    return [heartbeats, offline_checks]
