"""Request/response models for call intake."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safecity.calls.models import Call, CallLanguage
from safecity.calls.service import mask_number
from safecity.incidents.schemas import IncidentOut, Location


class CallIn(BaseModel):
    caller_number: str = Field(pattern=r"^(\+?[0-9][0-9 -]{2,30}|withheld)$")
    language: CallLanguage = CallLanguage.URDU
    location: Location | None = Field(default=None, description="lon/lat (a map click or the caller's GPS)")
    landmark: str | None = Field(
        default=None, max_length=200, description="what the caller said, if no lon/lat"
    )
    type: str
    description: str = Field(default="", max_length=4000)
    suspicious: bool = False
    received_at: AwareDatetime | None = None


class CallOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str | None
    received_at: datetime
    caller_number: str = Field(description="masked unless read with a purpose")
    language: CallLanguage
    lon: float
    lat: float
    landmark: str | None
    type: str
    description: str
    suspicious: bool
    incident_id: int | None
    station_id: int

    @classmethod
    def of(cls, call: Call, *, number: str | None = None) -> CallOut:
        return cls(
            id=call.id,
            reference=call.reference,
            received_at=call.received_at,
            caller_number=number if number is not None else mask_number(call.caller_number),
            language=call.language,
            lon=call.lon,
            lat=call.lat,
            landmark=call.landmark,
            type=call.type_code,
            description=call.description,
            suspicious=call.suspicious,
            incident_id=call.incident_id,
            station_id=call.station_id,
        )


class MatchedPlace(BaseModel):
    name: str
    lon: float
    lat: float
    score: float


class PossibleDuplicate(BaseModel):
    incident: IncidentOut
    distance_m: float


class CallOutcomeOut(BaseModel):
    call: CallOut
    incident: IncidentOut | None = Field(
        description="the new incident; null while duplicates await a decision"
    )
    matched_place: MatchedPlace | None = None
    possible_duplicates: list[PossibleDuplicate]


class LinkIn(BaseModel):
    incident_id: int
