"""The periodic offline check the app runs beside its workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from safecity.cameras import service
from safecity.cameras.config import CameraSettings
from safecity.core.db import session_scope, utcnow

__all__ = ["run_offline_checks", "sweep_once"]

_log = logging.getLogger(__name__)


def sweep_once(sessions: sessionmaker[Session], *, now: datetime | None = None) -> int:
    """One check in its own transaction; returns how many cameras went offline."""
    with session_scope(sessions) as session:
        return len(service.check_offline(session, now=now))


async def run_offline_checks(
    sessions: sessionmaker[Session],
    *,
    settings: CameraSettings | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Run until cancelled, checking every ``check_every_s``; a failed check is logged and retried."""
    every = (settings or CameraSettings()).check_every_s
    while True:
        try:
            went = await asyncio.to_thread(sweep_once, sessions, now=clock())
            if went:
                _log.info("%d camera(s) went offline", went)
        except Exception:
            _log.exception("camera offline check failed")
        await asyncio.sleep(every)
