"""Request/response models for response plans, recommendations, assignments and corridors."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from safecity.core.org import AgencyType
from safecity.incidents.catalogue import PlanItemSpec
from safecity.units.models import UnitKind


class PlanItem(BaseModel):
    """``count`` units of one of ``unit_kinds`` from ``agency`` that hold every skill in ``skills``."""

    agency: AgencyType
    unit_kinds: list[UnitKind] = Field(min_length=1)
    count: int = Field(ge=1, le=20)
    skills: list[str] = Field(default_factory=list)
    only_if_suspicious: bool = False

    @classmethod
    def from_spec(cls, spec: PlanItemSpec) -> PlanItem:
        return cls(
            agency=spec.agency,
            unit_kinds=[UnitKind(k) for k in spec.unit_kinds],
            count=spec.count,
            skills=list(spec.skills),
            only_if_suspicious=spec.only_if_suspicious,
        )


class PlanIn(BaseModel):
    items: list[PlanItem] = Field(min_length=1, max_length=20)


class PlanOut(BaseModel):
    type: str
    source: Literal["custom", "default"]
    items: list[PlanItem]
    updated_at: datetime | None = None


class RecommendedUnit(BaseModel):
    unit_id: int
    call_sign: str
    kind: UnitKind
    agency: AgencyType
    home_station_id: int
    skills: list[str]
    eta_s: float
    distance_m: float = Field(description="straight-line distance from the unit's last position")
    lon: float
    lat: float
    reason: str


class PlanFill(BaseModel):
    item: PlanItem
    already_assigned: list[int]
    needed: int
    units: list[RecommendedUnit]
    shortfall: int


class RecommendationOut(BaseModel):
    incident_id: int
    reference: str | None
    type: str
    plan_source: Literal["custom", "default"]
    eta_method: Literal["road", "straight_line"]
    eta_note: str
    items: list[PlanFill]
    unit_ids: list[int] = Field(description="every recommended unit: POST them to /assignments to confirm")


class AssignmentIn(BaseModel):
    unit_ids: list[int] = Field(min_length=1, max_length=30)


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    incident_id: int
    unit_id: int
    agency: AgencyType
    dispatched_at: datetime
    en_route_at: datetime | None
    on_scene_at: datetime | None
    released_at: datetime | None
    eta_s: float | None
    eta_method: str | None


class AgencyResponseTimes(BaseModel):
    agency: AgencyType
    incidents: int
    median_call_to_dispatch_s: float | None
    median_dispatch_to_scene_s: float | None
    median_call_to_scene_s: float | None
    target_s: int
    within_target: int
    meets_target: bool | None


class CorridorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    incident_id: int
    unit_id: int
    district_id: int | None
    junctions: list[dict[str, Any]]
    route_seconds: float
    created_at: datetime
    acknowledged_by: str | None
    nearest_junction_m: float | None = None
