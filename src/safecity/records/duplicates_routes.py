"""HTTP API of the duplicate-person review queue (records officers, supervisors, admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from safecity.core.auth import Role, User
from safecity.core.http import DbSession, require
from safecity.records import duplicates
from safecity.records.duplicates_models import DuplicateStatus
from safecity.records.duplicates_schemas import CandidateOut, DecisionIn, ScanIn, ScanOut, UnmergeIn

router = APIRouter(prefix="/api/records/duplicates", tags=["records"])

Reviewer = Annotated[User, Depends(require(Role.RECORDS_OFFICER, Role.SUPERVISOR, Role.ADMIN))]


@router.post("/scan")
def scan(body: ScanIn, user: Reviewer, session: DbSession) -> ScanOut:
    return duplicates.scan(session, body=body, actor=user)


@router.get("")
def list_queue(
    user: Reviewer,
    session: DbSession,
    status: Annotated[
        DuplicateStatus | None, Query(description="default: pending")
    ] = DuplicateStatus.PENDING,
) -> list[CandidateOut]:
    return duplicates.list_queue(session, user=user, status=status)


@router.get("/{candidate_id}")
def get_candidate(candidate_id: int, user: Reviewer, session: DbSession) -> CandidateOut:
    return duplicates.get_candidate(session, candidate_id=candidate_id, user=user)


@router.post("/{candidate_id}/decision")
def decide(candidate_id: int, body: DecisionIn, user: Reviewer, session: DbSession) -> CandidateOut:
    return duplicates.decide(session, candidate_id=candidate_id, body=body, actor=user)


@router.post("/{candidate_id}/unmerge")
def unmerge(candidate_id: int, body: UnmergeIn, user: Reviewer, session: DbSession) -> CandidateOut:
    return duplicates.unmerge(session, candidate_id=candidate_id, body=body, actor=user)
