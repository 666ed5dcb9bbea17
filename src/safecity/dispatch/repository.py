"""Queries over assignments, response plans and corridor requests (the only SQL of dispatch)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from safecity.core.org import AgencyType, OrgUnit
from safecity.dispatch.models import Assignment, CorridorRequest, ResponsePlan

__all__ = ["DispatchRepository"]


class DispatchRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- assignments -------------------------------------------------------------
    def active_of_unit(self, unit_id: int) -> Assignment | None:
        stmt = select(Assignment).where(Assignment.unit_id == unit_id, Assignment.released_at.is_(None))
        return self.session.scalar(stmt)

    def of_incident(self, incident_id: int, *, active_only: bool = False) -> list[Assignment]:
        stmt = select(Assignment).where(Assignment.incident_id == incident_id)
        if active_only:
            stmt = stmt.where(Assignment.released_at.is_(None))
        return list(self.session.scalars(stmt.order_by(Assignment.id)))

    def agency_times(
        self, scope: Collection[int], *, since: datetime | None, until: datetime | None
    ) -> list[Row[int, AgencyType, datetime, datetime, datetime | None]]:
        """Per assignment: incident, agency, the incident's first call, the unit's dispatch and arrival."""
        stmt = (
            select(
                Assignment.incident_id,
                Assignment.agency,
                Assignment.call_received_at,
                Assignment.dispatched_at,
                Assignment.on_scene_at,
            )
        ).where(Assignment.station_id.in_(scope))
        if since is not None:
            stmt = stmt.where(Assignment.call_received_at >= since)
        if until is not None:
            stmt = stmt.where(Assignment.call_received_at < until)
        return list(self.session.execute(stmt).all())

    # -- plans ---------------------------------------------------------------------
    def plan(self, type_code: str) -> ResponsePlan | None:
        return self.session.get(ResponsePlan, type_code)

    def plans(self) -> list[ResponsePlan]:
        return list(self.session.scalars(select(ResponsePlan)))

    # -- corridors -------------------------------------------------------------------
    def org_parents(self) -> dict[int, tuple[int | None, str]]:
        rows = self.session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.kind)).all()
        return {uid: (parent, str(kind)) for uid, parent, kind in rows}

    def open_corridors(
        self, district_ids: Collection[int], box: tuple[float, float, float, float] | None
    ) -> list[CorridorRequest]:
        stmt = select(CorridorRequest).where(
            CorridorRequest.closed_at.is_(None), CorridorRequest.district_id.in_(district_ids)
        )
        if box is not None:
            min_lon, min_lat, max_lon, max_lat = box
            stmt = stmt.where(
                CorridorRequest.max_lon >= min_lon,
                CorridorRequest.min_lon <= max_lon,
                CorridorRequest.max_lat >= min_lat,
                CorridorRequest.min_lat <= max_lat,
            )
        return list(self.session.scalars(stmt.order_by(CorridorRequest.created_at.desc())))

    def corridor(self, corridor_id: int) -> CorridorRequest | None:
        return self.session.get(CorridorRequest, corridor_id)

    def open_corridors_of_unit(self, unit_id: int) -> list[CorridorRequest]:
        stmt = select(CorridorRequest).where(
            CorridorRequest.unit_id == unit_id, CorridorRequest.closed_at.is_(None)
        )
        return list(self.session.scalars(stmt))
