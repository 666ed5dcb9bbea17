"""Queries over calls (the only SQL of the domain)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.calls.models import Call

__all__ = ["CallRepository"]


class CallRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def in_scope(self, call_id: int, scope: Collection[int]) -> Call | None:
        return self.session.scalar(select(Call).where(Call.id == call_id, Call.station_id.in_(scope)))

    def listing(self, scope: Collection[int], *, pending_only: bool, limit: int) -> list[Call]:
        stmt = select(Call).where(Call.station_id.in_(scope))
        if pending_only:
            stmt = stmt.where(Call.incident_id.is_(None))
        return list(self.session.scalars(stmt.order_by(Call.received_at.desc()).limit(limit)))

    def for_incident(self, incident_id: int) -> list[Call]:
        stmt = select(Call).where(Call.incident_id == incident_id).order_by(Call.received_at)
        return list(self.session.scalars(stmt))
