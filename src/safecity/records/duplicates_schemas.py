"""Request and response documents of the duplicate review queue."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from safecity.records.duplicates_models import DuplicateStatus

__all__ = ["CandidateOut", "Decision", "DecisionIn", "EvidenceOut", "ScanIn", "ScanOut", "UnmergeIn"]


class Decision(enum.StrEnum):
    MERGE = "merge"
    NOT_SAME = "not_same"


class EvidenceOut(BaseModel):
    field: str
    agreement: str
    weight: float


class PersonBrief(BaseModel):
    id: int
    name_roman: str | None
    name_urdu: str | None
    relative_name_roman: str | None
    cnic: str | None
    merged_into_id: int | None


class CandidateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    person_a: PersonBrief
    person_b: PersonBrief
    probability: float
    match_weight: float
    evidence: list[EvidenceOut]
    status: DuplicateStatus
    survivor_id: int | None
    reason: str | None
    decided_at: datetime | None


class ScanIn(BaseModel):
    review_threshold: float = Field(0.5, ge=0.0, le=1.0, description="lowest probability that is queued")
    auto_merge_threshold: float | None = Field(
        None, ge=0.9, le=1.0, description="merge without review at or above this; none = never"
    )


class ScanOut(BaseModel):
    persons: int
    proposed: int
    auto_merged: int


class DecisionIn(BaseModel):
    decision: Decision
    reason: str = Field(min_length=3, max_length=500)
    survivor_id: int | None = Field(None, description="the record to keep; default the older one")


class UnmergeIn(BaseModel):
    reason: str = Field(min_length=3, max_length=500)
