"""HTTP API for police verification (character certificates); the public check is in `pages`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from safecity.core.auth import Role, User
from safecity.core.http import DbSession, get_settings, require
from safecity.records import verification
from safecity.records.models import VerificationStatus
from safecity.records.schemas import DecisionIn, RevokeIn, VerificationIn, VerificationOut

router = APIRouter(tags=["police verification"])

# Citizens ask for themselves; call-takers and the records office file on a citizen's behalf.
Requester = Annotated[
    User,
    Depends(require(Role.CITIZEN, Role.OPERATOR, Role.RECORDS_OFFICER, Role.SUPERVISOR, Role.ADMIN)),
]
Officer = Annotated[User, Depends(require(*verification.STAFF))]


@router.post("/verifications", status_code=201)
def request_verification(body: VerificationIn, user: Requester, session: DbSession) -> VerificationOut:
    return verification.request_verification(session, body=body, actor=user)


@router.get("/verifications")
def list_verifications(
    user: Requester,
    session: DbSession,
    status: VerificationStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[VerificationOut]:
    return verification.list_verifications(session, user=user, status=status, limit=limit)


@router.get("/verifications/{verification_id}")
def get_verification(verification_id: int, user: Requester, session: DbSession) -> VerificationOut:
    return verification.get_verification(session, verification_id=verification_id, user=user)


@router.post("/verifications/{verification_id}/check")
def check_against_records(verification_id: int, user: Officer, session: DbSession) -> VerificationOut:
    return verification.check_against_records(session, verification_id=verification_id, user=user)


@router.post("/verifications/{verification_id}/decision")
def decide(verification_id: int, body: DecisionIn, user: Officer, session: DbSession) -> VerificationOut:
    return verification.decide(
        session, verification_id=verification_id, approve=body.approve, reason=body.reason, actor=user
    )


@router.post("/verifications/{verification_id}/revoke")
def revoke(verification_id: int, body: RevokeIn, user: Officer, session: DbSession) -> VerificationOut:
    return verification.revoke(session, verification_id=verification_id, reason=body.reason, actor=user)


@router.get("/verifications/{verification_id}/certificate.pdf")
def certificate(verification_id: int, request: Request, user: Requester, session: DbSession) -> Response:
    name, pdf = verification.certificate_pdf(
        session,
        verification_id=verification_id,
        user=user,
        base_url=str(request.base_url),
        demo=get_settings(request).demo_mode,
    )
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
