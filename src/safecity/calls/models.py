"""Calls received by the helplines, and the landmarks callers name."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safecity.core.db import Base, enum_type, utcnow

__all__ = ["Call", "CallLanguage", "Place"]


class CallLanguage(enum.StrEnum):
    ENGLISH = "en"
    URDU = "ur"
    PUNJABI = "pa"
    SINDHI = "sd"
    PASHTO = "ps"


class Call(Base):
    """One call; ``incident_id`` stays empty while a possible duplicate awaits the call-taker's choice."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    caller_number: Mapped[str] = mapped_column(String(32))
    language: Mapped[CallLanguage] = mapped_column(enum_type(CallLanguage, 4))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    landmark: Mapped[str | None] = mapped_column(String(200))
    type_code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    suspicious: Mapped[bool] = mapped_column(Boolean, default=False)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    station_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    taken_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Place(Base):
    """A landmark a caller might name (chowrangi, market, hospital) with its position."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_ur: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="landmark")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
