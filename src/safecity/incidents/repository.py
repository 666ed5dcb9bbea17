"""Queries over incidents, their types, history and notes (the only SQL of the domain)."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.core.org import OrgKind, OrgUnit
from safecity.incidents.models import Incident, IncidentNote, IncidentStatus, IncidentTransition, IncidentType

__all__ = ["IncidentRepository"]


class IncidentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def types(self) -> list[IncidentType]:
        return list(self.session.scalars(select(IncidentType).order_by(IncidentType.code)))

    def type(self, code: str) -> IncidentType | None:
        return self.session.get(IncidentType, code)

    def stations_with_position(self) -> list[OrgUnit]:
        stmt = select(OrgUnit).where(
            OrgUnit.kind == OrgKind.STATION, OrgUnit.lon.is_not(None), OrgUnit.lat.is_not(None)
        )
        return list(self.session.scalars(stmt))

    def org_unit(self, unit_id: int) -> OrgUnit | None:
        return self.session.get(OrgUnit, unit_id)

    def in_scope(self, incident_id: int, scope: Collection[int]) -> Incident | None:
        stmt = select(Incident).where(Incident.id == incident_id, Incident.station_id.in_(scope))
        return self.session.scalar(stmt)

    def by_reference(self, reference: str, scope: Collection[int]) -> Incident | None:
        stmt = select(Incident).where(Incident.reference == reference, Incident.station_id.in_(scope))
        return self.session.scalar(stmt)

    def listing(
        self,
        scope: Collection[int],
        *,
        statuses: Sequence[IncidentStatus] | None,
        type_code: str | None,
        since: datetime | None,
        limit: int,
    ) -> list[Incident]:
        stmt = select(Incident).where(Incident.station_id.in_(scope))
        if statuses:
            stmt = stmt.where(Incident.status.in_(list(statuses)))
        if type_code:
            stmt = stmt.where(Incident.type_code == type_code)
        if since is not None:
            stmt = stmt.where(Incident.created_at >= since)
        stmt = stmt.order_by(Incident.priority, Incident.created_at.desc()).limit(limit)
        return list(self.session.scalars(stmt))

    def open_near(
        self,
        scope: Collection[int],
        *,
        type_code: str,
        lon: float,
        lat: float,
        radius_m: float,
        since: datetime,
        statuses: Collection[IncidentStatus],
    ) -> list[Incident]:
        """Candidates inside a lon/lat box around the point; the caller measures exact distance."""
        dlat = radius_m / 111_320.0
        dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
        stmt = select(Incident).where(
            Incident.station_id.in_(scope),
            Incident.type_code == type_code,
            Incident.status.in_(list(statuses)),
            Incident.call_received_at >= since,  # the window runs on call times, like the new call
            Incident.lon.between(lon - dlon, lon + dlon),
            Incident.lat.between(lat - dlat, lat + dlat),
        )
        return list(self.session.scalars(stmt))

    def history(self, incident_id: int) -> list[IncidentTransition]:
        stmt = (
            select(IncidentTransition)
            .where(IncidentTransition.incident_id == incident_id)
            .order_by(IncidentTransition.id)
        )
        return list(self.session.scalars(stmt))

    def notes(self, incident_id: int) -> list[IncidentNote]:
        stmt = select(IncidentNote).where(IncidentNote.incident_id == incident_id).order_by(IncidentNote.id)
        return list(self.session.scalars(stmt))
