"""HTTP API of traffic enforcement: registry, violations, e-challans, payments, sections, congestion.

The emergency-corridor queue traffic officers work from is dispatch's
(``GET /api/corridors``, ``POST /api/corridors/{id}/acknowledge``); the
``/traffic`` page shows it beside the challan work.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, UploadFile
from fastapi.responses import Response

from safecity.core.auth import Role, User
from safecity.core.errors import InvalidInput
from safecity.core.http import DbSession, require
from safecity.traffic import pages, payments, registry, schemas, sections, service, violations
from safecity.traffic.models import ChallanStatus, ViolationStatus

__all__ = ["router"]

api = APIRouter(prefix="/api/traffic", tags=["traffic"])

Officer = Annotated[User, Depends(require(Role.TRAFFIC_OFFICER))]
Staff = Annotated[User, Depends(require(Role.TRAFFIC_OFFICER, Role.ADMIN, Role.SUPERVISOR))]
Registrar = Annotated[User, Depends(require(Role.TRAFFIC_OFFICER, Role.ADMIN))]
RoadOfficer = Annotated[User, Depends(require(Role.TRAFFIC_OFFICER, Role.OFFICER))]
Reporter = Annotated[User, Depends(require(Role.CAMERA, Role.TRAFFIC_OFFICER))]
Lookup = Annotated[User, Depends(require(Role.TRAFFIC_OFFICER, Role.OFFICER, Role.ADMIN, Role.SUPERVISOR))]
Disputer = Annotated[User, Depends(require(Role.CITIZEN, Role.TRAFFIC_OFFICER))]
MapViewer = Annotated[
    User,
    Depends(
        require(
            Role.TRAFFIC_OFFICER, Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER, Role.OPERATOR, Role.ANALYST
        )
    ),
]

_MAX_UPLOAD = 20 * 1024 * 1024


async def _text(file: UploadFile) -> str:
    data = await file.read(_MAX_UPLOAD + 1)
    if len(data) > _MAX_UPLOAD:
        raise InvalidInput("the file is larger than 20 MiB", field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8 text", field="file") from exc


# --- vehicle registry -----------------------------------------------------------------------


@api.post("/vehicles/import")
async def import_vehicles(file: UploadFile, user: Registrar, session: DbSession) -> schemas.ImportOut:
    report = registry.import_vehicles(session, text=await _text(file), actor=user, source=file.filename or "")
    return schemas.ImportOut(
        accepted=report.accepted,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejects=[schemas.RejectOut(row=r.row, field=r.field, reason=r.reason) for r in report.rejects],
    )


@api.get("/vehicles/{plate}")
def get_vehicle(plate: str, user: Lookup, session: DbSession, purpose: str = "") -> schemas.VehicleOut:
    return schemas.VehicleOut.model_validate(
        service.get_vehicle(session, plate=plate, purpose=purpose, user=user)
    )


# --- violations -----------------------------------------------------------------------------


@api.post("/violations/camera", status_code=201)
def camera_violation(
    body: schemas.CameraViolationIn, user: Reporter, session: DbSession
) -> schemas.ViolationOut:
    found = violations.record_camera_violation(session, **body.model_dump(), actor=user)
    return schemas.ViolationOut.model_validate(found)


@api.post("/violations/manual", status_code=201)
def manual_violation(
    body: schemas.ManualViolationIn, user: RoadOfficer, session: DbSession
) -> schemas.ViolationOut:
    found = violations.record_manual_violation(session, **body.model_dump(), actor=user)
    return schemas.ViolationOut.model_validate(found)


@api.get("/violations")
def list_violations(
    user: Staff, session: DbSession, status: ViolationStatus | None = None, limit: int = Query(200, le=1000)
) -> list[schemas.ViolationOut]:
    found = service.list_violations(session, user=user, status=status, limit=limit)
    return [schemas.ViolationOut.model_validate(v) for v in found]


@api.post("/violations/{violation_id}/verify", status_code=201)
def verify(violation_id: int, user: Officer, session: DbSession) -> schemas.ChallanOut:
    return schemas.ChallanOut.model_validate(
        service.verify_violation(session, violation_id=violation_id, user=user)
    )


@api.post("/violations/{violation_id}/reject")
def reject(
    violation_id: int, body: schemas.RejectIn, user: Officer, session: DbSession
) -> schemas.ViolationOut:
    found = service.reject_violation(session, violation_id=violation_id, reason=body.reason, user=user)
    return schemas.ViolationOut.model_validate(found)


# --- challans -------------------------------------------------------------------------------


@api.get("/challans")
def list_challans(
    user: Staff,
    session: DbSession,
    status: list[ChallanStatus] = Query(default=[]),
    limit: int = Query(200, le=1000),
) -> list[schemas.ChallanOut]:
    found = service.list_challans(session, user=user, statuses=status or None, limit=limit)
    return [schemas.ChallanOut.model_validate(c) for c in found]


@api.get("/challans/{reference}")
def get_challan(reference: str, user: Staff, session: DbSession) -> schemas.ChallanOut:
    return schemas.ChallanOut.model_validate(service.get_challan(session, reference=reference, user=user))


@api.get("/challans/{reference}/notice.pdf")
def notice(reference: str, user: Staff, session: DbSession) -> Response:
    pdf = service.notice_pdf(session, reference=reference, user=user)
    headers = {"Content-Disposition": f'inline; filename="{reference}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@api.post("/challans/{reference}/dispute")
def dispute(
    reference: str, body: schemas.DisputeIn, user: Disputer, session: DbSession
) -> schemas.ChallanOut:
    found = service.dispute(session, reference=reference, cnic=body.cnic, reason=body.reason, user=user)
    return schemas.ChallanOut.model_validate(found)


@api.post("/challans/{reference}/review")
def review(reference: str, user: Officer, session: DbSession) -> schemas.ChallanOut:
    return schemas.ChallanOut.model_validate(service.start_review(session, reference=reference, user=user))


@api.post("/challans/{reference}/decision")
def decision(
    reference: str, body: schemas.DecisionIn, user: Officer, session: DbSession
) -> schemas.ChallanOut:
    found = service.decide(session, reference=reference, outcome=body.outcome, note=body.note, user=user)
    return schemas.ChallanOut.model_validate(found)


@api.post("/payments/reconcile")
async def reconcile(file: UploadFile, user: Staff, session: DbSession) -> schemas.ReconcileOut:
    report = payments.reconcile(session, text=await _text(file), actor=user)
    return schemas.ReconcileOut(
        matched=report.count("matched"),
        unmatched=report.count("unmatched"),
        duplicate=report.count("duplicate"),
        rejected=report.count("rejected"),
        lines=[schemas.PaymentLineOut.model_validate(line) for line in report.lines],
    )


@api.get("/sms-outbox")
def sms_outbox(user: Registrar, session: DbSession, status: str | None = None) -> list[schemas.SmsOut]:
    return [schemas.SmsOut.model_validate(m) for m in service.sms_outbox(session, user=user, status=status)]


# --- sections and congestion ----------------------------------------------------------------


@api.post("/sections", status_code=201)
def create_section(body: schemas.SectionIn, user: Staff, session: DbSession) -> schemas.SectionOut:
    return schemas.SectionOut.model_validate(
        sections.create_section(session, **body.model_dump(), actor=user)
    )


@api.post("/sections/{section_id}/scan")
def scan(section_id: int, body: schemas.ScanIn, user: Officer, session: DbSession) -> schemas.ScanOut:
    result = sections.scan_section(
        session, section_id=section_id, since=body.since, until=body.until, user=user
    )
    return schemas.ScanOut(
        trips=result.trips,
        new_samples=result.new_samples,
        violations=[schemas.ViolationOut.model_validate(v) for v in result.violations],
    )


@api.get("/congestion")
def congestion(
    user: MapViewer, session: DbSession, window_minutes: int = Query(15, ge=1, le=24 * 60)
) -> dict[str, Any]:
    """Mean speed per section over the window, as GeoJSON for the map."""
    return sections.congestion(session, user=user, window_minutes=window_minutes)


router = APIRouter()
router.include_router(api)
router.include_router(pages.router)
