"""Request/response models for persons, FIRs and their follow-ups."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from safecity.records.models import (
    CaseOutcome,
    DocumentType,
    FirStatus,
    Gender,
    PropertyKind,
    PropertyStatus,
    Relation,
    VerificationStatus,
)


class IdentityDocumentIn(BaseModel):
    doc_type: DocumentType
    number: str = Field(min_length=3, max_length=40)
    country: str = Field(min_length=3, max_length=3, description="ISO 3166-1 alpha-3, e.g. PAK, GBR")


class IdentityDocumentOut(IdentityDocumentIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class AliasIn(BaseModel):
    name_roman: str | None = Field(default=None, max_length=200)
    name_urdu: str | None = Field(default=None, max_length=200)


class PersonIn(BaseModel):
    unit: str = Field(description="code of the district or station that records the person")
    name_roman: str | None = Field(default=None, max_length=200)
    name_urdu: str | None = Field(default=None, max_length=200)
    relation: Relation | None = None
    relative_name_roman: str | None = Field(default=None, max_length=200)
    relative_name_urdu: str | None = Field(default=None, max_length=200)
    cnic: str | None = None
    date_of_birth: date | None = None
    approximate_age: int | None = Field(default=None, ge=0, le=120)
    gender: Gender | None = None
    addresses: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    photo_ref: str | None = Field(default=None, max_length=300)
    aliases: list[AliasIn] = Field(default_factory=list)
    documents: list[IdentityDocumentIn] = Field(default_factory=list)


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    unit: str
    name_roman: str | None
    name_urdu: str | None
    relation: Relation | None
    relative_name_roman: str | None
    relative_name_urdu: str | None
    cnic: str | None
    date_of_birth: date | None
    approximate_age: int | None
    gender: Gender | None
    addresses: list[str]
    phones: list[str]
    photo_ref: str | None
    aliases: list[AliasIn]
    documents: list[IdentityDocumentOut]
    created_at: datetime


class FieldScore(BaseModel):
    """Why a search result ranks where it does: one line per field asked about."""

    field: str
    query: str
    value: str | None
    score: float
    weight: float
    method: str


class PersonHit(BaseModel):
    person_id: int
    name_roman: str | None
    name_urdu: str | None
    relation: Relation | None
    relative_name_roman: str | None
    cnic: str | None
    unit: str
    score: float
    explanation: list[FieldScore]


class SearchOut(BaseModel):
    results: list[PersonHit]
    index_size: int
    name_matcher: str


class FirIn(BaseModel):
    station: str = Field(description="code of the police station")
    registered_at: datetime
    number: int | None = Field(default=None, ge=1, description="next free number of the year if omitted")
    sections: list[str] = Field(min_length=1, description="e.g. ['PPC 392', 'PPC 34', 'AA 13-e']")
    complainant_name: str | None = Field(default=None, max_length=200)
    complainant_person_id: int | None = None
    accused_person_ids: list[int] = Field(default_factory=list)
    occurred_at: datetime | None = None
    place: str | None = Field(default=None, max_length=300)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    summary: str = ""
    registering_officer: str | None = Field(default=None, max_length=200)
    incident_ref: str | None = Field(default=None, max_length=64, description="command & control incident")


class FirOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ref: str
    station: str
    year: int
    number: int
    registered_at: datetime
    sections: list[str]
    complainant_name: str | None
    complainant_person_id: int | None
    accused_person_ids: list[int]
    occurred_at: datetime | None
    place: str | None
    lon: float | None
    lat: float | None
    summary: str
    registering_officer: str | None
    status: FirStatus
    incident_ref: str | None


class IncidentLinkIn(BaseModel):
    incident_id: int = Field(description="the command & control incident this FIR arose from")


class FirStatusIn(BaseModel):
    status: FirStatus


class AccusedIn(BaseModel):
    person_id: int


class ArrestIn(BaseModel):
    person_id: int
    arrested_at: datetime
    place: str | None = Field(default=None, max_length=300)
    arresting_officer: str | None = Field(default=None, max_length=200)


class ArrestOut(ArrestIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    fir_id: int


class CourtCaseIn(BaseModel):
    court: str = Field(min_length=1, max_length=200)
    case_number: str = Field(min_length=1, max_length=80)


class CourtCaseOut(CourtCaseIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    fir_id: int
    outcome: CaseOutcome
    decided_on: date | None


class OutcomeIn(BaseModel):
    outcome: CaseOutcome
    decided_on: date
    convicted_person_ids: list[int] = Field(default_factory=list)
    sentence: str = Field(default="", max_length=300)


class ConvictionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    court_case_id: int
    person_id: int
    sections: list[str]
    sentence: str
    convicted_on: date


class PropertyIn(BaseModel):
    kind: PropertyKind
    status: PropertyStatus
    description: str = Field(min_length=1, max_length=300)
    plate: str | None = Field(default=None, max_length=20)
    chassis_number: str | None = Field(default=None, max_length=40)
    engine_number: str | None = Field(default=None, max_length=40)
    value_pkr: int | None = Field(default=None, ge=0)
    recovered_at: datetime | None = None


class PropertyOut(PropertyIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    fir_id: int


class VerificationIn(BaseModel):
    """A police verification (character certificate) request, by the citizen or an operator for them."""

    unit: str = Field(description="code of the district whose records office is asked")
    full_name: str = Field(min_length=2, max_length=200, description="as on the CNIC, in Roman letters")
    relation: Relation | None = None
    relative_name: str | None = Field(default=None, max_length=200)
    cnic: str | None = None
    document_type: DocumentType | None = Field(default=None, description="NICOP or passport, if no CNIC")
    document_number: str | None = Field(default=None, max_length=40)
    date_of_birth: date | None = None
    phone: str | None = Field(default=None, max_length=20)
    address: str = Field(default="", max_length=300)
    purpose: str = Field(min_length=3, max_length=200, description="e.g. employment abroad, visa")


class Finding(BaseModel):
    """One record the check found: who, how well they match, and what they are on record for."""

    person_id: int
    name: str | None
    relative_name: str | None
    cnic: str | None
    unit: str
    score: float
    explanation: list[FieldScore]
    firs_accused: list[str]
    convictions: int


class VerificationOut(BaseModel):
    id: int
    ref: str
    status: VerificationStatus
    unit: str
    full_name: str
    relation: Relation | None
    relative_name: str | None
    cnic: str | None
    document_type: DocumentType | None
    document_number: str | None
    date_of_birth: date | None
    phone: str | None
    address: str
    purpose: str
    findings: list[Finding] | None
    checked_at: datetime | None
    decided_at: datetime | None
    decision_reason: str | None
    revoked_at: datetime | None
    revoke_reason: str | None
    verify_path: str | None = Field(description="public verification page, once approved")
    created_at: datetime


class DecisionIn(BaseModel):
    approve: bool
    reason: str | None = Field(
        default=None,
        max_length=500,
        description="required to refuse, and to approve when the check found records",
    )


class RevokeIn(BaseModel):
    reason: str = Field(min_length=5, max_length=500)


class PublicVerification(BaseModel):
    """What anyone holding the code may see: no personal data beyond the name and issue date."""

    ref: str
    name: str
    issued_on: date
    valid: bool
    revoked_on: date | None
