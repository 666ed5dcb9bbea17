"""Incidents, their types, their status history and their notes.

Incidents carry the station and district that own them (the nearest police
station to the scene): every query is scoped on those columns. Milestone
times (first call, first dispatch, first arrival) are kept on the row so
response-time figures need no join over the transition log.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safecity.core.db import Base, enum_type, utcnow
from safecity.incidents.catalogue import Priority

__all__ = ["Incident", "IncidentNote", "IncidentStatus", "IncidentTransition", "IncidentType"]


class IncidentStatus(enum.StrEnum):
    NEW = "new"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    CLEARED = "cleared"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class IncidentType(Base):
    __tablename__ = "incident_types"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ur: Mapped[str | None] = mapped_column(String(120))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority, 2))
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_open_by_type", "type_code", "status", "created_at"),
        Index("ix_incidents_station_status", "station_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)
    type_code: Mapped[str] = mapped_column(String(40))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority, 2))
    status: Mapped[IncidentStatus] = mapped_column(enum_type(IncidentStatus, 16), default=IncidentStatus.NEW)
    suspicious: Mapped[bool] = mapped_column(Boolean, default=False)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    station_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    call_received_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]
    on_scene_at: Mapped[datetime | None]
    cleared_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    status_since: Mapped[datetime] = mapped_column(default=utcnow)


class IncidentTransition(Base):
    __tablename__ = "incident_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[IncidentStatus | None] = mapped_column(enum_type(IncidentStatus, 16))
    to_status: Mapped[IncidentStatus] = mapped_column(enum_type(IncidentStatus, 16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(String(500))


class IncidentNote(Base):
    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
