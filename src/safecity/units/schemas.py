"""Request/response models for units and AVL positions."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safecity.core.org import AgencyType
from safecity.units.models import Unit, UnitKind, UnitStatus


class PositionIn(BaseModel):
    """One AVL fix, as sent over REST or MQTT (``safecity/avl/<unit_id>``)."""

    model_config = ConfigDict(extra="forbid")

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    speed_kph: float | None = Field(default=None, ge=0, le=400)
    heading: float | None = Field(default=None, ge=0, le=360)
    at: AwareDatetime


class PositionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    lon: float
    lat: float
    speed_kph: float | None
    heading: float | None
    at: datetime


class PositionsAccepted(BaseModel):
    unit_id: int
    accepted: int
    latest_at: datetime | None


class UnitIn(BaseModel):
    call_sign: str = Field(min_length=2, max_length=40)
    kind: UnitKind
    agency: AgencyType
    home_station: str = Field(description="code of the organisation unit the unit is based at")
    crew: list[str] = Field(default_factory=list, max_length=12)
    skills: list[str] = Field(default_factory=list, max_length=30)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)


class UnitStatusIn(BaseModel):
    status: UnitStatus
    note: str | None = Field(default=None, max_length=500)


class UnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    call_sign: str
    kind: UnitKind
    agency: AgencyType
    home_station_id: int
    crew: list[str]
    skills: list[str]
    status: UnitStatus
    status_since: datetime
    status_seconds: float = Field(default=0.0, description="seconds in the current status (the status timer)")
    lon: float | None
    lat: float | None
    speed_kph: float | None
    heading: float | None
    position_at: datetime | None

    @classmethod
    def of(cls, unit: Unit, *, now: datetime) -> UnitOut:
        out = cls.model_validate(unit)
        out.status_seconds = round((now - unit.status_since).total_seconds(), 1)
        return out
