"""Assignments of units to incidents, supervisors' response plans, corridor requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from safecity.core.db import Base, enum_type, utcnow
from safecity.core.org import AgencyType

__all__ = ["Assignment", "CorridorRequest", "ResponsePlan"]


class Assignment(Base):
    """One unit sent to one incident, for one agency; ``released_at`` ends it."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index(
            "ix_assignments_active_unit",
            "unit_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    agency: Mapped[AgencyType] = mapped_column(enum_type(AgencyType, 30))
    # Copied from the incident so response-time figures and scoping need no cross-domain join.
    station_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    call_received_at: Mapped[datetime]
    dispatched_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    en_route_at: Mapped[datetime | None]
    on_scene_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    eta_s: Mapped[float | None] = mapped_column(Float)
    eta_method: Mapped[str | None] = mapped_column(String(16))


class ResponsePlan(Base):
    """A supervisor's plan for an incident type; absent types use the built-in default."""

    __tablename__ = "response_plans"

    type_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CorridorRequest(Base):
    """Junctions traffic police should hold open for one dispatched unit's route."""

    __tablename__ = "corridor_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    station_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"))
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    junctions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    route_seconds: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))
