"""Request and response shapes of the camera registry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safecity.cameras.models import AlertKind, CameraKind, CameraStatus

__all__ = [
    "AlertOut",
    "CameraIn",
    "CameraKeyOut",
    "CameraOut",
    "CameraPatch",
    "CameraRef",
    "HeartbeatIn",
]


@dataclass(frozen=True, slots=True)
class CameraRef:
    """What other domains (ANPR, traffic) need to know about a camera, without its model."""

    id: int
    code: str
    kind: CameraKind
    org_unit_id: int
    lon: float
    lat: float


class CameraIn(BaseModel):
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$")
    name: str = Field(min_length=1, max_length=200)
    kind: CameraKind
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    heading: float | None = Field(default=None, ge=0, lt=360)
    zone: str | None = Field(default=None, max_length=80)
    org_unit: str = Field(min_length=1, max_length=40, description="owning unit or agency code")
    heartbeat_interval_s: int | None = Field(default=None, ge=5, le=86_400)
    missed_heartbeats: int | None = Field(default=None, ge=1, le=100)


class CameraPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    status: CameraStatus | None = None
    heading: float | None = Field(default=None, ge=0, lt=360)
    zone: str | None = Field(default=None, max_length=80)
    heartbeat_interval_s: int | None = Field(default=None, ge=5, le=86_400)
    missed_heartbeats: int | None = Field(default=None, ge=1, le=100)


class HeartbeatIn(BaseModel):
    at: AwareDatetime | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class CameraOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: CameraKind
    lon: float
    lat: float
    heading: float | None
    zone: str | None
    org_unit_id: int
    status: CameraStatus
    heartbeat_interval_s: int
    missed_heartbeats: int
    last_heartbeat_at: datetime | None
    open_alerts: int = 0


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    camera_id: int
    org_unit_id: int
    kind: AlertKind
    raised_at: datetime
    resolved_at: datetime | None
    details: dict[str, Any]


class CameraKeyOut(BaseModel):
    camera_id: int
    username: str
    key: str = Field(description="shown once; send it as the X-API-Key header")
