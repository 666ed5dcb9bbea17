"""Cameras and the health alerts they raise."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from safecity.core.db import Base, enum_type, utcnow

__all__ = ["AlertKind", "Camera", "CameraAlert", "CameraKind", "CameraStatus"]


class CameraKind(enum.StrEnum):
    FIXED = "fixed"
    PTZ = "ptz"
    ANPR = "anpr"
    RED_LIGHT = "red_light"


class CameraStatus(enum.StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    # Switched off on purpose: silence is expected and raises no alert.
    MAINTENANCE = "maintenance"


class AlertKind(enum.StrEnum):
    OFFLINE = "offline"


class Camera(Base):
    __tablename__ = "cameras"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CameraKind] = mapped_column(enum_type(CameraKind, 16))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    heading: Mapped[float | None] = mapped_column(Float)
    zone: Mapped[str | None] = mapped_column(String(80))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    status: Mapped[CameraStatus] = mapped_column(enum_type(CameraStatus, 16), default=CameraStatus.ONLINE)
    heartbeat_interval_s: Mapped[int] = mapped_column(Integer, default=60)
    missed_heartbeats: Mapped[int] = mapped_column(Integer, default=3)
    last_heartbeat_at: Mapped[datetime | None]
    account_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CameraAlert(Base):
    """One period of trouble: opened when detected, resolved when the camera is heard again."""

    __tablename__ = "camera_alerts"
    __table_args__ = (
        Index(
            "ix_camera_alerts_open",
            "camera_id",
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[AlertKind] = mapped_column(enum_type(AlertKind, 16))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
