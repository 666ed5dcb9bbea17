"""E-challan rules: violations are verified by a traffic officer, then a challan is issued.

Lifecycle of a challan: issued → paid, or issued → disputed (only until
``dispute_until``, 7 days by default) → under_review → upheld | quashed; an
upheld challan is payable again. Every change is audited with its actor and
published as ``traffic.challan.<status>``. A vehicle with ``≥ threshold``
outstanding challans (issued or upheld) is put on the ANPR watchlist
``unpaid_challans``, and taken off (its entry expired) when it drops below.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.anpr import normalise_plate
from safecity.anpr import service as anpr
from safecity.core import audit, events
from safecity.core.auth import Role, User, scope_ids
from safecity.core.db import utcnow
from safecity.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from safecity.core.http import current_request_id
from safecity.core.org import AgencyType, OrgKind, OrgUnit, descendant_ids
from safecity.identity import validate_cnic
from safecity.traffic.config import TrafficSettings, load_fines
from safecity.traffic.models import Challan, ChallanStatus, SmsMessage, Vehicle, Violation, ViolationStatus
from safecity.traffic.notices import gateway_named, sms_text
from safecity.traffic.repository import TrafficRepository

__all__ = [
    "DisputeWindowClosed",
    "InvalidChallanTransition",
    "VehicleNotRegistered",
    "decide",
    "dispute",
    "get_challan",
    "get_vehicle",
    "get_violation",
    "list_challans",
    "list_violations",
    "mark_paid",
    "notice_pdf",
    "reject_violation",
    "sms_outbox",
    "start_review",
    "traffic_scope",
    "verify_violation",
]

UNPAID_LIST = "unpaid_challans"


class VehicleNotRegistered(Conflict):
    pass


class DisputeWindowClosed(Conflict):
    pass


class InvalidChallanTransition(Conflict):
    pass


def traffic_scope(session: Session, user: User) -> set[int]:
    """Units a user may act for; a traffic police section serves its whole district."""
    scope = scope_ids(session, user)
    units = {u.id: u for u in session.scalars(select(OrgUnit))}
    districts: set[int] = set()
    for unit_id in scope:
        unit = units.get(unit_id)
        if unit is None or unit.agency is not AgencyType.TRAFFIC_POLICE:
            continue
        parent = units.get(unit.parent_id) if unit.parent_id is not None else None
        while parent is not None and parent.kind is not OrgKind.DISTRICT:
            parent = units.get(parent.parent_id) if parent.parent_id is not None else None
        if parent is not None:
            districts.add(parent.id)
    return scope | descendant_ids(session, districts) if districts else scope


def _audit(session: Session, actor: User | None, action: str, kind: str, obj: object, **kw: Any) -> None:
    audit.record(
        session,
        actor=actor_of(actor),
        action=action,
        object_type=kind,
        object_id=None if obj is None else str(obj),
        request_id=current_request_id(),
        **kw,
    )


def _temporary_reference() -> str:
    return f"tmp-{uuid.uuid4().hex[:24]}"


# --- violations ---------------------------------------------------------------------------


def get_violation(session: Session, *, violation_id: int, user: User) -> Violation:
    violation = TrafficRepository(session).violation(violation_id)
    if violation is None or violation.org_unit_id not in traffic_scope(session, user):
        raise NotFound(f"no violation {violation_id}", field="violation_id")
    return violation


def list_violations(
    session: Session, *, user: User, status: ViolationStatus | None = None, limit: int = 200
) -> list[Violation]:
    return TrafficRepository(session).violations(traffic_scope(session, user), status, limit)


def _pending(session: Session, violation_id: int, user: User) -> Violation:
    violation = get_violation(session, violation_id=violation_id, user=user)
    if violation.status is not ViolationStatus.PENDING:
        raise Conflict(f"violation {violation.reference} is already {violation.status.value}", field="status")
    if not user.has_role(Role.TRAFFIC_OFFICER):
        raise PermissionDenied("only a traffic officer verifies violations")
    return violation


def reject_violation(session: Session, *, violation_id: int, reason: str, user: User) -> Violation:
    """Evidence that does not hold up (a misread plate, an ambulance on duty) issues nothing."""
    if not reason.strip():
        raise InvalidInput("say why the violation is rejected", field="reason")
    violation = _pending(session, violation_id, user)
    violation.status, violation.rejection_reason = ViolationStatus.REJECTED, reason[:500]
    violation.verified_by, violation.verified_at = user.username, utcnow()
    session.flush()
    _audit(
        session,
        user,
        "traffic.violation.reject",
        "traffic_violation",
        violation.id,
        details={"reason": reason},
    )
    return violation


def verify_violation(
    session: Session, *, violation_id: int, user: User, settings: TrafficSettings | None = None
) -> Challan:
    """Confirm the evidence and issue the e-challan to the registered owner (PDF + SMS)."""
    settings = settings or TrafficSettings()
    violation = _pending(session, violation_id, user)
    vehicle = TrafficRepository(session).vehicle(violation.plate)
    if vehicle is None:
        raise VehicleNotRegistered(f"{violation.plate} is not in the vehicle registry", field="plate")
    now = utcnow()
    violation.status, violation.verified_by, violation.verified_at = (
        ViolationStatus.VERIFIED,
        user.username,
        now,
    )
    excess = (violation.measured_kph or 0.0) - (violation.limit_kph or 0.0)
    challan = Challan(
        reference=_temporary_reference(),
        violation_id=violation.id,
        vehicle_id=vehicle.id,
        plate=vehicle.plate,
        owner_name=vehicle.owner_name,
        kind=violation.kind,
        fine_pkr=load_fines(settings).fine_for(violation.kind.value, excess_kph=excess),
        status=ChallanStatus.ISSUED,
        org_unit_id=violation.org_unit_id,
        issued_by=user.username,
        issued_at=now,
        dispute_until=now + timedelta(days=settings.dispute_days),
    )
    session.add(challan)
    session.flush()
    challan.reference = f"ECH-{now.year}-{challan.id:07d}"
    session.flush()
    if vehicle.owner_phone:
        gateway_named(settings.sms_gateway).send(
            session, to_phone=vehicle.owner_phone, body=sms_text(challan), challan_id=challan.id
        )
    details = {"violation": violation.reference, "plate": vehicle.plate, "fine_pkr": challan.fine_pkr}
    _audit(session, user, "traffic.challan.issue", "traffic_challan", challan.reference, details=details)
    _publish(session, challan)
    _refresh_watchlist(session, vehicle, challan.org_unit_id, user, settings)
    return challan


# --- challans -----------------------------------------------------------------------------


def _publish(session: Session, challan: Challan) -> None:
    payload = {
        "reference": challan.reference,
        "status": challan.status.value,
        "kind": challan.kind.value,
        "fine_pkr": challan.fine_pkr,
        "org_unit_id": challan.org_unit_id,
    }
    events.publish(session, f"traffic.challan.{challan.status.value}", payload, key=challan.reference)


def get_challan(session: Session, *, reference: str, user: User) -> Challan:
    challan = TrafficRepository(session).challan_by_reference(reference)
    if challan is None or (
        not user.has_role(Role.CITIZEN) and challan.org_unit_id not in traffic_scope(session, user)
    ):
        raise NotFound(f"no challan {reference}", field="reference")
    return challan


def list_challans(
    session: Session, *, user: User, statuses: Sequence[ChallanStatus] | None = None, limit: int = 200
) -> list[Challan]:
    return TrafficRepository(session).challans(traffic_scope(session, user), statuses, limit)


def get_vehicle(session: Session, *, plate: str, purpose: str, user: User) -> Vehicle:
    """A registry record (owner's personal data): needs a purpose, audited."""
    if not purpose.strip():
        raise InvalidInput("a purpose is required to look up a vehicle owner", field="purpose")
    canonical = normalise_plate(plate)
    vehicle = TrafficRepository(session).vehicle(canonical)
    _audit(
        session,
        user,
        "traffic.vehicle.read",
        "traffic_vehicle",
        canonical,
        purpose=purpose,
        personal_data=True,
        details={"found": vehicle is not None},
    )
    if vehicle is None:
        raise NotFound(f"{canonical} is not in the vehicle registry", field="plate")
    return vehicle


def _move(
    session: Session,
    challan: Challan,
    allowed: Sequence[ChallanStatus],
    to: ChallanStatus,
    actor: User | None,
    **details: Any,
) -> None:
    if challan.status not in allowed:
        raise InvalidChallanTransition(
            f"challan {challan.reference} is {challan.status.value}; cannot become {to.value}", field="status"
        )
    before, challan.status = challan.status, to
    session.flush()
    details = {"from": before.value, "to": to.value, **details}
    _audit(
        session, actor, f"traffic.challan.{to.value}", "traffic_challan", challan.reference, details=details
    )
    _publish(session, challan)


def dispute(
    session: Session, *, reference: str, cnic: str, reason: str, user: User, now: datetime | None = None
) -> Challan:
    """The owner (proved by CNIC) contests an issued challan, only within the dispute window."""
    challan = get_challan(session, reference=reference, user=user)
    if not reason.strip():
        raise InvalidInput("give the grounds of the dispute", field="reason")
    now = now or utcnow()
    if now > challan.dispute_until:
        raise DisputeWindowClosed(
            f"the dispute window of {challan.reference} closed at {challan.dispute_until.isoformat()}",
            field="issued_at",
            dispute_until=challan.dispute_until.isoformat(),
        )
    vehicle = TrafficRepository(session).vehicle_by_id(challan.vehicle_id)
    if vehicle is None or validate_cnic(cnic) != vehicle.owner_cnic:
        raise PermissionDenied("the CNIC is not the registered owner's", field="cnic")
    challan.disputed_at, challan.dispute_reason = now, reason[:1000]
    _move(session, challan, (ChallanStatus.ISSUED,), ChallanStatus.DISPUTED, user, reason=reason[:200])
    settings = TrafficSettings()
    _refresh_watchlist(session, vehicle, challan.org_unit_id, user, settings)
    return challan


def start_review(session: Session, *, reference: str, user: User) -> Challan:
    """A traffic officer takes a dispute, so two officers do not decide the same one."""
    challan = get_challan(session, reference=reference, user=user)
    if not user.has_role(Role.TRAFFIC_OFFICER):
        raise PermissionDenied("only a traffic officer reviews disputes")
    challan.reviewer = user.username
    _move(session, challan, (ChallanStatus.DISPUTED,), ChallanStatus.UNDER_REVIEW, user)
    return challan


def decide(
    session: Session,
    *,
    reference: str,
    outcome: ChallanStatus,
    note: str,
    user: User,
    settings: TrafficSettings | None = None,
) -> Challan:
    """Uphold (the fine stands and is payable again) or quash (nothing is owed)."""
    if outcome not in (ChallanStatus.UPHELD, ChallanStatus.QUASHED):
        raise InvalidInput("outcome must be upheld or quashed", field="outcome")
    if not note.strip():
        raise InvalidInput("record the reason for the decision", field="note")
    challan = get_challan(session, reference=reference, user=user)
    if challan.reviewer != user.username:
        raise Conflict(
            f"{challan.reference} is under review by {challan.reviewer or 'nobody'}", field="reviewer"
        )
    challan.decided_at, challan.decision_note = utcnow(), note[:1000]
    _move(session, challan, (ChallanStatus.UNDER_REVIEW,), outcome, user, note=note[:200])
    vehicle = TrafficRepository(session).vehicle_by_id(challan.vehicle_id)
    if vehicle is not None:
        _refresh_watchlist(session, vehicle, challan.org_unit_id, user, settings or TrafficSettings())
    return challan


def mark_paid(
    session: Session, *, challan: Challan, paid_at: datetime, payment_ref: str, actor: User | None
) -> None:
    """Called by payment reconciliation; an issued or upheld challan becomes paid."""
    challan.paid_at, challan.payment_ref = paid_at, payment_ref
    _move(
        session,
        challan,
        (ChallanStatus.ISSUED, ChallanStatus.UPHELD),
        ChallanStatus.PAID,
        actor,
        payment_ref=payment_ref,
    )
    vehicle = TrafficRepository(session).vehicle_by_id(challan.vehicle_id)
    if vehicle is not None:
        _refresh_watchlist(session, vehicle, challan.org_unit_id, actor, TrafficSettings())


def _refresh_watchlist(
    session: Session, vehicle: Vehicle, org_unit_id: int, actor: User | None, settings: TrafficSettings
) -> None:
    outstanding = TrafficRepository(session).outstanding_count(vehicle.id)
    listed = outstanding >= settings.unpaid_watchlist_threshold
    if listed or vehicle.on_unpaid_watchlist:
        # Clearing expires the entry now: it leaves every worker's watchlist and keeps the history.
        anpr.add_to_watchlist(
            session,
            list_name=UNPAID_LIST,
            plate=vehicle.plate,
            org_unit_id=org_unit_id,
            reason=f"{'' if listed else 'cleared: '}{outstanding} unpaid e-challans",
            expires_at=None if listed else utcnow(),
            added_by=actor,
        )
    vehicle.on_unpaid_watchlist = listed
    session.flush()


def notice_pdf(session: Session, *, reference: str, user: User) -> bytes:
    """The owner's notice as PDF; it carries the owner's name and address, so the read is audited."""
    from safecity.traffic.notices import render_notice

    challan = get_challan(session, reference=reference, user=user)
    repo = TrafficRepository(session)
    vehicle, violation = repo.vehicle_by_id(challan.vehicle_id), repo.violation(challan.violation_id)
    assert vehicle is not None and violation is not None  # foreign keys with RESTRICT
    _audit(
        session,
        user,
        "traffic.challan.notice",
        "traffic_challan",
        challan.reference,
        purpose="print or resend the e-challan notice",
        personal_data=True,
    )
    return render_notice(challan, vehicle, violation)


def sms_outbox(
    session: Session, *, user: User, status: str | None = None, limit: int = 200
) -> list[SmsMessage]:
    """Messages the default gateway queued (owners' phone numbers: audited)."""
    messages = TrafficRepository(session).sms_outbox(status, limit)
    _audit(
        session,
        user,
        "traffic.sms.read",
        "traffic_sms",
        None,
        purpose="check owner notifications",
        personal_data=True,
        details={"results": len(messages)},
    )
    return messages
