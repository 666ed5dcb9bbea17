"""Deleting plate reads past their retention limit.

A read older than ``retention_days`` goes unless a hit or a case still needs
it (a hit row refers to it, or it carries a ``case_ref``). The purge is
audited with its cut-off and count; a dry run only counts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from safecity.accounts import service as accounts
from safecity.anpr.repository import AnprRepository
from safecity.anpr.schemas import AnprSettings
from safecity.core import audit
from safecity.core.auth import User
from safecity.core.db import session_scope, utcnow

__all__ = ["PurgeReport", "purge_reads", "run_daily_purge"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    cutoff: datetime
    deleted: int
    kept_linked: int
    dry_run: bool


def purge_reads(
    session: Session,
    *,
    now: datetime | None = None,
    retention_days: int | None = None,
    dry_run: bool = False,
    actor: User | None = None,
) -> PurgeReport:
    """Delete (or with ``dry_run`` count) the reads past retention that nothing links to."""
    days = retention_days if retention_days is not None else AnprSettings().retention_days
    cutoff = (now or utcnow()) - timedelta(days=days)
    repo = AnprRepository(session)
    kept = repo.count_kept_linked(cutoff)
    deleted = repo.count_purgeable(cutoff) if dry_run else repo.delete_purgeable(cutoff)
    report = PurgeReport(cutoff=cutoff, deleted=deleted, kept_linked=kept, dry_run=dry_run)
    if not dry_run:
        audit.record(
            session,
            actor=accounts.actor_of(actor),
            action="anpr.reads.purge",
            object_type="anpr_read",
            details={"cutoff": cutoff.isoformat(), "deleted": deleted, "kept_linked": kept, "days": days},
        )
    return report


def _purge_once(sessions: sessionmaker[Session]) -> PurgeReport:
    with session_scope(sessions) as session:
        return purge_reads(session)


async def run_daily_purge(sessions: sessionmaker[Session], *, settings: AnprSettings | None = None) -> None:
    """Run until cancelled: purge now, then every ``purge_every_s`` (a day by default)."""
    every = (settings or AnprSettings()).purge_every_s
    while True:
        try:
            report = await asyncio.to_thread(_purge_once, sessions)
            _log.info("ANPR retention: deleted %d reads older than %s", report.deleted, report.cutoff)
        except Exception:
            _log.exception("ANPR retention purge failed")
        await asyncio.sleep(every)
