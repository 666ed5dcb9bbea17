"""Police verification (character certificate): request, check against records, decide, revoke.

A citizen asks for themselves (or an operator asks on a citizen's behalf);
a records officer of the district checks the request against the criminal
records (a purpose-bound, audited person search) and approves or refuses
with a reason. Approval issues an unguessable public code; anyone holding it
can see whether the certificate is valid or revoked, and the holder's name
and issue date, nothing more.
"""

from __future__ import annotations

import secrets
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.core import audit, events
from safecity.core.audit_append import Actor
from safecity.core.auth import Role, User, scope_ids
from safecity.core.db import utcnow
from safecity.core.errors import Conflict, InvalidInput, NotFound
from safecity.core.http import current_request_id
from safecity.core.org import OrgKind
from safecity.identity import validate_cnic
from safecity.records.certificate import CertificateText, render_certificate
from safecity.records.models import Relation, VerificationRequest, VerificationStatus
from safecity.records.normalise import normalise_name, normalise_phone
from safecity.records.repository import RecordsRepository
from safecity.records.schemas import (
    Finding,
    PublicVerification,
    VerificationIn,
    VerificationOut,
)
from safecity.records.search import search_persons

__all__ = [
    "STAFF",
    "certificate_pdf",
    "check_against_records",
    "decide",
    "get_verification",
    "list_verifications",
    "public_status",
    "request_verification",
    "revoke",
    "verification_out",
]

PKT = ZoneInfo("Asia/Karachi")
STAFF = (Role.RECORDS_OFFICER, Role.SUPERVISOR, Role.ADMIN)
_MIN_SCORE = 0.5  # search hits below this are not findings: too weak to ask the officer about
_PUBLIC = Actor(id=None, username="public", role="public")


def _is_staff(user: User) -> bool:
    return user.has_role(*STAFF)


def _audit(
    session: Session,
    actor: User | Actor | None,
    action: str,
    request: VerificationRequest,
    *,
    purpose: str | None = None,
    **details: object,
) -> None:
    audit.record(
        session,
        actor=actor if isinstance(actor, Actor) else actor_of(actor),
        action=action,
        object_type="verification",
        object_id=str(request.id),
        personal_data=purpose is not None,
        purpose=purpose,
        request_id=current_request_id(),
        details={"ref": request.ref, **details},
    )


def _identity(body: VerificationIn) -> tuple[str | None, str | None]:
    cnic = validate_cnic(body.cnic) if body.cnic and body.cnic.strip() else None
    number = body.document_number.strip().upper() if body.document_number else None
    if (body.document_type is None) != (number is None):
        raise InvalidInput("give both the document type and its number, or neither", field="document_number")
    if cnic is None and number is None:
        raise InvalidInput("a CNIC, or a NICOP or passport number, is required", field="cnic")
    return cnic, number


def request_verification(session: Session, *, body: VerificationIn, actor: User) -> VerificationOut:
    """File a request; a citizen files for themselves, staff on a citizen's behalf (scoped)."""
    repo = RecordsRepository(session)
    unit = repo.unit_by_code(body.unit)
    staff_scope = None if actor.has_role(Role.CITIZEN) else scope_ids(session, actor)
    if unit is None or (staff_scope is not None and unit.id not in staff_scope):
        raise NotFound(f"no district {body.unit!r} to send the request to", field="unit")
    if unit.kind is not OrgKind.DISTRICT:
        raise InvalidInput("a verification is requested from a district's records office", field="unit")
    name = normalise_name(body.full_name)
    if not name.isascii() or not any(ch.isalpha() for ch in name):
        raise InvalidInput("the name is needed in Roman letters, as on the CNIC", field="full_name")
    if body.relative_name and body.relation is None:
        raise InvalidInput("say how the relative is related (s/o, d/o or w/o)", field="relation")
    cnic, number = _identity(body)
    phone = normalise_phone(body.phone, field="phone") if body.phone and body.phone.strip() else None
    request = VerificationRequest(
        ref=f"PV-pending-{secrets.token_hex(8)}",
        org_unit_id=unit.id,
        applicant_id=actor.id if actor.has_role(Role.CITIZEN) else None,
        requested_by_id=actor.id,
        full_name=name,
        relation=body.relation,
        relative_name=normalise_name(body.relative_name) if body.relative_name else None,
        cnic=cnic,
        document_type=body.document_type if number else None,
        document_number=number,
        date_of_birth=body.date_of_birth,
        phone=phone,
        address=body.address.strip(),
        purpose=body.purpose.strip(),
        status=VerificationStatus.REQUESTED,
    )
    session.add(request)
    session.flush()
    request.ref = f"PV-{unit.code}-{utcnow().astimezone(PKT).year}-{request.id:06d}"
    session.flush()
    _audit(session, actor, "verification.request", request, purpose="police verification request")
    return verification_out(session, request)


def _visible(session: Session, verification_id: int, user: User) -> VerificationRequest:
    request = RecordsRepository(session).verification(verification_id)
    if request is not None:
        if _is_staff(user) and request.org_unit_id in scope_ids(session, user):
            return request
        if request.applicant_id == user.id or request.requested_by_id == user.id:
            return request
    raise NotFound(f"no verification request {verification_id}", field="verification_id")


def _for_officer(session: Session, verification_id: int, user: User) -> VerificationRequest:
    request = RecordsRepository(session).verification(verification_id)
    if request is None or not _is_staff(user) or request.org_unit_id not in scope_ids(session, user):
        raise NotFound(f"no verification request {verification_id}", field="verification_id")
    return request


def get_verification(session: Session, *, verification_id: int, user: User) -> VerificationOut:
    request = _visible(session, verification_id, user)
    _audit(session, user, "verification.read", request, purpose="police verification")
    return verification_out(session, request)


def list_verifications(
    session: Session, *, user: User, status: VerificationStatus | None = None, limit: int = 100
) -> list[VerificationOut]:
    """Staff see their districts' queue; anyone else sees the requests they filed."""
    repo = RecordsRepository(session)
    if _is_staff(user):
        found = repo.verifications(
            scope=scope_ids(session, user), applicant_id=None, status=status, limit=limit
        )
    else:
        found = repo.verifications(scope=None, applicant_id=user.id, status=status, limit=limit)
        found += [
            r
            for r in repo.verifications(
                scope=scope_ids(session, user), applicant_id=None, status=status, limit=limit
            )
            if r.requested_by_id == user.id and r not in found
        ]
    return [verification_out(session, r) for r in found]


def check_against_records(session: Session, *, verification_id: int, user: User) -> VerificationOut:
    """Search the records for the applicant; keep what was found as the decision's evidence."""
    request = _for_officer(session, verification_id, user)
    if request.status is not VerificationStatus.REQUESTED:
        raise Conflict(f"{request.ref} is already {request.status.value}", field="status")
    unit_code = RecordsRepository(session).unit_codes([request.org_unit_id])[request.org_unit_id]
    hits = search_persons(
        session,
        user=user,
        purpose=f"police verification {request.ref}",
        name=request.full_name,
        father_name=request.relative_name,
        cnic=request.cnic,
        district=unit_code,
        limit=20,
    ).results
    exact = {h.person_id for h in hits if request.cnic and h.cnic == request.cnic}
    kept = [h for h in hits if h.score >= _MIN_SCORE or h.person_id in exact]
    repo = RecordsRepository(session)
    firs = repo.fir_refs_accusing([h.person_id for h in kept])
    convictions = repo.conviction_counts([h.person_id for h in kept])
    findings = [
        Finding(
            person_id=h.person_id,
            name=h.name_roman or h.name_urdu,
            relative_name=h.relative_name_roman,
            cnic=h.cnic,
            unit=h.unit,
            score=h.score,
            explanation=h.explanation,
            firs_accused=firs.get(h.person_id, []),
            convictions=convictions.get(h.person_id, 0),
        )
        for h in kept
    ]
    request.findings = [f.model_dump(mode="json") for f in findings]
    request.checked_by_id, request.checked_at = user.id, utcnow()
    session.flush()
    _audit(session, user, "verification.check", request, findings=len(findings))
    return verification_out(session, request)


def decide(
    session: Session, *, verification_id: int, approve: bool, reason: str | None, actor: User
) -> VerificationOut:
    """Approve (issuing the public code) or refuse; a reason is needed whenever records were found."""
    request = _for_officer(session, verification_id, actor)
    if request.status is not VerificationStatus.REQUESTED:
        raise Conflict(f"{request.ref} is already {request.status.value}", field="status")
    if request.checked_at is None:
        raise Conflict(f"check {request.ref} against the records before deciding", field="status")
    why = reason.strip() if reason and reason.strip() else None
    if why is None and not approve:
        raise InvalidInput("a refusal needs a reason", field="reason")
    if why is None and request.findings:
        raise InvalidInput(
            "the check found records: say why they do not stand in the way of approval", field="reason"
        )
    request.status = VerificationStatus.APPROVED if approve else VerificationStatus.REFUSED
    request.decided_by_id, request.decided_at, request.decision_reason = actor.id, utcnow(), why
    if approve:
        request.code = secrets.token_urlsafe(15)
    session.flush()
    _audit(session, actor, "verification.decide", request, status=request.status.value, reason=why)
    events.publish(
        session,
        "records.verification.decided",
        {"verification_id": request.id, "ref": request.ref, "status": request.status.value},
        key=f"verification:{request.id}",
    )
    return verification_out(session, request)


def revoke(session: Session, *, verification_id: int, reason: str, actor: User) -> VerificationOut:
    request = _for_officer(session, verification_id, actor)
    if request.status is not VerificationStatus.APPROVED:
        raise Conflict(
            f"only an approved certificate can be revoked; {request.ref} is {request.status.value}"
        )
    request.status, request.revoked_at, request.revoke_reason = VerificationStatus.REVOKED, utcnow(), reason
    session.flush()
    _audit(session, actor, "verification.revoke", request, reason=reason)
    events.publish(
        session,
        "records.verification.revoked",
        {"verification_id": request.id, "ref": request.ref},
        key=f"verification:{request.id}",
    )
    return verification_out(session, request)


def _issued_on(request: VerificationRequest) -> date:
    assert request.decided_at is not None
    return request.decided_at.astimezone(PKT).date()


def certificate_pdf(
    session: Session, *, verification_id: int, user: User, base_url: str, demo: bool = False
) -> tuple[str, bytes]:
    """(file name, PDF bytes) of an approved certificate; its download is audited."""
    request = _visible(session, verification_id, user)
    if request.status is not VerificationStatus.APPROVED or request.code is None:
        raise Conflict(f"{request.ref} is {request.status.value}: there is no certificate", field="status")
    repo = RecordsRepository(session)
    unit = repo.unit_by_id(request.org_unit_id)
    officer = repo.user_name(request.decided_by_id)
    relation = (
        f"{request.relation.value} {request.relative_name}"
        if request.relation and request.relative_name
        else ""
    )
    kind = request.document_type.value.upper() if request.document_type else ""
    identity = f"CNIC {request.cnic}" if request.cnic else f"{kind} {request.document_number}"
    text = CertificateText(
        ref=request.ref,
        full_name=request.full_name,
        relation_line=relation,
        identity_line=identity,
        district=unit.name if unit else "",
        purpose=request.purpose,
        issued_on=_issued_on(request),
        issued_by=f"{officer}, records office" if officer else "records office",
        verify_url=base_url.rstrip("/") + verify_path(request.code),
        demo=demo,
    )
    _audit(session, user, "verification.certificate", request, purpose="certificate download")
    return f"{request.ref}.pdf", render_certificate(text)


def verify_path(code: str) -> str:
    return f"/verify/{code}"


def public_status(session: Session, *, code: str) -> PublicVerification:
    """What the QR code shows anyone: valid or revoked, name and issue date (the look-up is audited)."""
    request = RecordsRepository(session).verification_by_code(code) if code.isascii() else None
    if request is None or request.status not in (VerificationStatus.APPROVED, VerificationStatus.REVOKED):
        raise NotFound("no certificate with this verification code", field="code")
    _audit(session, _PUBLIC, "verification.public_check", request, purpose="public check of a certificate")
    return PublicVerification(
        ref=request.ref,
        name=request.full_name,
        issued_on=_issued_on(request),
        valid=request.status is VerificationStatus.APPROVED,
        revoked_on=request.revoked_at.astimezone(PKT).date() if request.revoked_at else None,
    )


def verification_out(session: Session, request: VerificationRequest) -> VerificationOut:
    unit = RecordsRepository(session).unit_codes([request.org_unit_id])[request.org_unit_id]
    return VerificationOut(
        id=request.id,
        ref=request.ref,
        status=request.status,
        unit=unit,
        full_name=request.full_name,
        relation=Relation(request.relation) if request.relation else None,
        relative_name=request.relative_name,
        cnic=request.cnic,
        document_type=request.document_type,
        document_number=request.document_number,
        date_of_birth=request.date_of_birth,
        phone=request.phone,
        address=request.address,
        purpose=request.purpose,
        findings=[Finding.model_validate(f) for f in request.findings]
        if request.findings is not None
        else None,
        checked_at=request.checked_at,
        decided_at=request.decided_at,
        decision_reason=request.decision_reason,
        revoked_at=request.revoked_at,
        revoke_reason=request.revoke_reason,
        verify_path=verify_path(request.code) if request.code else None,
        created_at=request.created_at,
    )
