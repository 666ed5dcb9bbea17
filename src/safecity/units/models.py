"""Response units, their status and where they have been (AVL)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from safecity.core.db import Base, enum_type, utcnow
from safecity.core.org import AgencyType

__all__ = ["Unit", "UnitKind", "UnitPosition", "UnitStatus"]


class UnitKind(enum.StrEnum):
    DOLPHIN_PAIR = "dolphin_pair"
    RESPONSE_CAR = "response_car"
    PATROL_VAN = "patrol_van"
    AMBULANCE = "ambulance"
    FIRE_TENDER = "fire_tender"
    TRAFFIC_WARDEN = "traffic_warden"
    BOMB_DISPOSAL_ROBOT = "bomb_disposal_robot"
    DRONE_TEAM = "drone_team"
    RESCUE_TEAM = "rescue_team"
    RESCUE_ROBOT = "rescue_robot"  # civil defence: search in rubble, smoke or fumes before people go in


class UnitStatus(enum.StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    OFF_DUTY = "off_duty"
    OUT_OF_SERVICE = "out_of_service"


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (Index("ix_units_status_agency", "status", "agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[UnitKind] = mapped_column(enum_type(UnitKind, 30))
    agency: Mapped[AgencyType] = mapped_column(enum_type(AgencyType, 30))
    home_station_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    crew: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[UnitStatus] = mapped_column(enum_type(UnitStatus, 20), default=UnitStatus.AVAILABLE)
    status_since: Mapped[datetime] = mapped_column(default=utcnow)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    speed_kph: Mapped[float | None] = mapped_column(Float)
    heading: Mapped[float | None] = mapped_column(Float)
    position_at: Mapped[datetime | None]


class UnitPosition(Base):
    """One AVL fix; the track of a unit is its fixes in time order."""

    __tablename__ = "unit_positions"
    __table_args__ = (Index("ix_unit_positions_unit_at", "unit_id", "at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    speed_kph: Mapped[float | None] = mapped_column(Float)
    heading: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
