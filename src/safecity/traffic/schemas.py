"""Request/response models of the traffic API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from safecity.traffic.models import ChallanStatus, ViolationKind, ViolationStatus

__all__ = [
    "CameraViolationIn",
    "ChallanOut",
    "DecisionIn",
    "DisputeIn",
    "ImportOut",
    "ManualViolationIn",
    "ReconcileOut",
    "RejectIn",
    "ScanIn",
    "ScanOut",
    "SectionIn",
    "SectionOut",
    "SmsOut",
    "VehicleOut",
    "ViolationOut",
]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class VehicleOut(_Out):
    plate: str
    owner_name: str
    owner_cnic: str
    owner_address: str
    owner_phone: str | None
    make: str
    colour: str
    on_unpaid_watchlist: bool


class RejectOut(BaseModel):
    row: int
    field: str
    reason: str


class ImportOut(BaseModel):
    accepted: int
    created: int
    updated: int
    unchanged: int
    rejects: list[RejectOut]


class CameraViolationIn(BaseModel):
    kind: Literal[ViolationKind.RED_LIGHT, ViolationKind.WRONG_WAY]
    camera_id: int
    plate: str = Field(min_length=1, max_length=40)
    at: AwareDatetime
    signal_phase: Literal["red", "amber", "green"] | None = None
    travel_heading: float | None = Field(default=None, ge=0, lt=360)


class ManualViolationIn(BaseModel):
    kind: Literal[ViolationKind.NO_HELMET, ViolationKind.LANE]
    plate: str = Field(min_length=1, max_length=40)
    at: AwareDatetime
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    org_unit: str
    note: str = Field(default="", max_length=500)


class ViolationOut(_Out):
    id: int
    reference: str
    kind: ViolationKind
    status: ViolationStatus
    plate: str
    at: datetime
    lon: float
    lat: float
    camera_id: int | None
    section_id: int | None
    measured_kph: float | None
    limit_kph: float | None
    evidence: dict[str, Any]
    reported_by: str
    verified_by: str | None
    rejection_reason: str | None


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ChallanOut(_Out):
    reference: str
    violation_id: int
    plate: str
    owner_name: str
    kind: ViolationKind
    fine_pkr: int
    status: ChallanStatus
    issued_by: str
    issued_at: datetime
    dispute_until: datetime
    disputed_at: datetime | None
    dispute_reason: str | None
    reviewer: str | None
    decided_at: datetime | None
    decision_note: str | None
    paid_at: datetime | None
    payment_ref: str | None


class DisputeIn(BaseModel):
    cnic: str = Field(min_length=1, max_length=20)
    reason: str = Field(min_length=1, max_length=1000)


class DecisionIn(BaseModel):
    outcome: Literal[ChallanStatus.UPHELD, ChallanStatus.QUASHED]
    note: str = Field(min_length=1, max_length=1000)


class PaymentLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    row: int
    transaction_id: str
    challan: str
    outcome: str
    field: str | None
    reason: str


class ReconcileOut(BaseModel):
    matched: int
    unmatched: int
    duplicate: int
    rejected: int
    lines: list[PaymentLineOut]


class SectionIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    entry_camera_id: int
    exit_camera_id: int
    speed_limit_kph: float = Field(gt=0, le=200)
    distance_m: float | None = Field(default=None, gt=0, le=100_000)
    one_way: bool = False
    org_unit: str


class SectionOut(_Out):
    id: int
    code: str
    name: str
    entry_camera_id: int
    exit_camera_id: int
    distance_m: float
    speed_limit_kph: float
    one_way: bool


class ScanIn(BaseModel):
    since: AwareDatetime
    until: AwareDatetime


class ScanOut(BaseModel):
    trips: int
    new_samples: int
    violations: list[ViolationOut]


class SmsOut(_Out):
    id: int
    to_phone: str
    body: str
    challan_id: int | None
    gateway: str
    status: str
    created_at: datetime
