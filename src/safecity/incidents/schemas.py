"""Request/response models for incidents and their types."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from safecity.incidents.catalogue import Priority
from safecity.incidents.models import Incident, IncidentStatus
from safecity.incidents.response_times import figures


class Location(BaseModel):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class IncidentTypeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    name_ur: str | None
    priority: Priority
    agencies: list[str]


class FiguresOut(BaseModel):
    call_to_dispatch_s: float | None
    dispatch_to_scene_s: float | None
    call_to_scene_s: float | None


class IncidentIn(BaseModel):
    """An incident opened without a call (an officer's own observation, a camera operator)."""

    type: str
    location: Location
    description: str = Field(default="", max_length=4000)
    address: str | None = Field(default=None, max_length=300)
    suspicious: bool = False
    priority: Priority | None = None


class IncidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: int
    reference: str | None
    type: str = Field(validation_alias="type_code")
    priority: Priority
    status: IncidentStatus
    suspicious: bool
    lon: float
    lat: float
    address: str | None
    description: str
    station_id: int
    district_id: int | None
    created_at: datetime
    call_received_at: datetime
    dispatched_at: datetime | None
    on_scene_at: datetime | None
    cleared_at: datetime | None
    closed_at: datetime | None
    status_since: datetime
    response_times: FiguresOut

    @classmethod
    def of(cls, incident: Incident) -> IncidentOut:
        f = figures(incident.call_received_at, incident.dispatched_at, incident.on_scene_at)
        times = FiguresOut(
            call_to_dispatch_s=f.call_to_dispatch_s,
            dispatch_to_scene_s=f.dispatch_to_scene_s,
            call_to_scene_s=f.call_to_scene_s,
        )
        data = {name: getattr(incident, name) for name in cls.model_fields if hasattr(incident, name)}
        return cls.model_validate(data | {"type_code": incident.type_code, "response_times": times})


class TransitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: IncidentStatus | None
    to_status: IncidentStatus
    at: datetime
    actor: str
    note: str | None


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    author: str
    text: str


class IncidentDetail(IncidentOut):
    history: list[TransitionOut]
    notes: list[NoteOut]
    calls: list[str] = Field(default_factory=list, description="references of the calls about it")


class IncidentStatusIn(BaseModel):
    status: IncidentStatus
    note: str | None = Field(default=None, max_length=500)
    release_units: bool = Field(
        default=False, description="when clearing: send every assigned unit to 'returning' at once"
    )
