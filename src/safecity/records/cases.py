"""Rules for FIRs and what follows them: accused, arrests, court cases, convictions, property.

An FIR number is unique per police station and year; the human reference
is ``FIR-<station code>-<year>-<number, 5 digits>``. An FIR may point at a
command & control incident by its reference only (no import of that domain).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.core import audit, events
from safecity.core.auth import User, scope_ids
from safecity.core.errors import Conflict, InvalidInput, NotFound
from safecity.core.http import current_request_id
from safecity.core.org import OrgKind
from safecity.incidents import service as incidents
from safecity.records.models import (
    Arrest,
    CaseOutcome,
    Conviction,
    CourtCase,
    Fir,
    FirAccused,
    FirStatus,
    PropertyItem,
    PropertyKind,
)
from safecity.records.repository import RecordsRepository
from safecity.records.schemas import ArrestIn, CourtCaseIn, FirIn, FirOut, OutcomeIn, PropertyIn
from safecity.records.service import unit_in_scope

__all__ = [
    "DuplicateFirNumber",
    "add_accused",
    "add_court_case",
    "add_property",
    "fir_ref",
    "get_fir",
    "link_incident",
    "list_firs",
    "record_arrest",
    "record_outcome",
    "register_fir",
    "set_status",
]


class DuplicateFirNumber(Conflict):
    """The station already has an FIR with this number in this year."""


def fir_ref(station_code: str, year: int, number: int) -> str:
    return f"FIR-{station_code}-{year}-{number:05d}"


def _audit(
    session: Session, actor: User, action: str, object_type: str, object_id: int, **details: object
) -> None:
    audit.record(
        session,
        actor=actor_of(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        request_id=current_request_id(),
        details=details,
    )


def _person_in_scope(session: Session, person_id: int, user: User, field: str) -> None:
    if RecordsRepository(session).person_in_scope(person_id, scope_ids(session, user)) is None:
        raise NotFound(f"no person {person_id}", field=field)


def fir_out(session: Session, fir: Fir) -> FirOut:
    repo = RecordsRepository(session)
    return FirOut(
        id=fir.id,
        ref=fir.ref,
        station=repo.unit_codes([fir.station_id])[fir.station_id],
        year=fir.year,
        number=fir.number,
        registered_at=fir.registered_at,
        sections=list(fir.sections or []),
        complainant_name=fir.complainant_name,
        complainant_person_id=fir.complainant_person_id,
        accused_person_ids=repo.accused_of([fir.id]).get(fir.id, []),
        occurred_at=fir.occurred_at,
        place=fir.place,
        lon=fir.lon,
        lat=fir.lat,
        summary=fir.summary,
        registering_officer=fir.registering_officer,
        status=fir.status,
        incident_ref=fir.incident_ref,
    )


def register_fir(session: Session, *, body: FirIn, actor: User) -> FirOut:
    repo = RecordsRepository(session)
    station = unit_in_scope(session, code=body.station, user=actor, field="station")
    if station.kind is not OrgKind.STATION:
        raise InvalidInput("an FIR is registered at a police station", field="station")
    if (body.lon is None) != (body.lat is None):
        raise InvalidInput("give both lon and lat, or neither", field="lon")
    sections = [s.strip() for s in body.sections if s.strip()]
    if not sections:
        raise InvalidInput("at least one PPC or special-law section is required", field="sections")
    year = body.registered_at.year
    number = body.number or repo.next_fir_number(station.id, year)
    if repo.fir_number_taken(station.id, year, number):
        raise DuplicateFirNumber(
            f"{fir_ref(station.code, year, number)} already exists at this station", field="number"
        )
    for i, pid in enumerate([body.complainant_person_id] if body.complainant_person_id else []):
        _person_in_scope(session, pid, actor, f"complainant_person_id.{i}")
    for i, pid in enumerate(body.accused_person_ids):
        _person_in_scope(session, pid, actor, f"accused_person_ids.{i}")
    fir = Fir(
        ref=fir_ref(station.code, year, number),
        station_id=station.id,
        year=year,
        number=number,
        registered_at=body.registered_at,
        sections=sections,
        complainant_name=body.complainant_name,
        complainant_person_id=body.complainant_person_id,
        occurred_at=body.occurred_at,
        place=body.place,
        lon=body.lon,
        lat=body.lat,
        summary=body.summary,
        registering_officer=body.registering_officer or actor.full_name,
        status=FirStatus.UNDER_INVESTIGATION,
        incident_ref=body.incident_ref,
        created_by_id=actor.id,
    )
    session.add(fir)
    session.flush()
    for pid in dict.fromkeys(body.accused_person_ids):
        session.add(FirAccused(fir_id=fir.id, person_id=pid))
    session.flush()
    _audit(session, actor, "fir.register", "fir", fir.id, ref=fir.ref, incident_ref=body.incident_ref)
    return fir_out(session, fir)


def _fir(session: Session, fir_id: int, user: User) -> Fir:
    fir = RecordsRepository(session).fir_in_scope(fir_id, scope_ids(session, user))
    if fir is None:
        raise NotFound(f"no FIR {fir_id}", field="fir_id")
    return fir


def get_fir(session: Session, *, fir_id: int, user: User) -> FirOut:
    return fir_out(session, _fir(session, fir_id, user))


def list_firs(session: Session, *, user: User, limit: int = 50, offset: int = 0) -> list[FirOut]:
    firs = RecordsRepository(session).firs_in_scope(scope_ids(session, user), limit=limit, offset=offset)
    return [fir_out(session, f) for f in firs]


def link_incident(session: Session, *, fir_id: int, incident_id: int, actor: User) -> FirOut:
    """Tie an FIR to the command & control incident it arose from (both in the actor's jurisdiction).

    The incidents service is asked (not its tables), so an incident the actor
    cannot see is "not found" here too.
    """
    fir = _fir(session, fir_id, actor)
    incident = incidents.get(session, incident_id=incident_id, user=actor)
    previous = fir.incident_ref
    fir.incident_ref = incident.reference
    session.flush()
    _audit(session, actor, "fir.incident.link", "fir", fir.id, incident=incident.reference, previous=previous)
    events.publish(
        session,
        "records.fir.incident_linked",
        {
            "fir_id": fir.id,
            "fir_ref": fir.ref,
            "incident_id": incident.id,
            "incident_ref": incident.reference,
        },
        key=f"fir:{fir.id}",
    )
    return fir_out(session, fir)


def set_status(session: Session, *, fir_id: int, status: FirStatus, actor: User) -> FirOut:
    fir = _fir(session, fir_id, actor)
    if fir.status is FirStatus.CANCELLED and status is not FirStatus.CANCELLED:
        raise Conflict(f"{fir.ref} is cancelled; a cancelled FIR is not reopened", field="status")
    previous = fir.status
    fir.status = status
    session.flush()
    _audit(session, actor, "fir.status", "fir", fir.id, previous=previous.value, status=status.value)
    return fir_out(session, fir)


def add_accused(session: Session, *, fir_id: int, person_id: int, actor: User) -> FirOut:
    fir = _fir(session, fir_id, actor)
    _person_in_scope(session, person_id, actor, "person_id")
    if RecordsRepository(session).is_accused(fir.id, person_id):
        raise Conflict(f"person {person_id} is already accused in {fir.ref}", field="person_id")
    session.add(FirAccused(fir_id=fir.id, person_id=person_id))
    session.flush()
    _audit(session, actor, "fir.accused.add", "fir", fir.id, person_id=person_id)
    return fir_out(session, fir)


def record_arrest(session: Session, *, fir_id: int, body: ArrestIn, actor: User) -> Arrest:
    fir = _fir(session, fir_id, actor)
    if not RecordsRepository(session).is_accused(fir.id, body.person_id):
        raise InvalidInput(f"person {body.person_id} is not accused in {fir.ref}", field="person_id")
    arrest = Arrest(fir_id=fir.id, created_by_id=actor.id, **body.model_dump())
    session.add(arrest)
    session.flush()
    _audit(session, actor, "arrest.record", "arrest", arrest.id, fir=fir.ref, person_id=body.person_id)
    return arrest


def add_court_case(session: Session, *, fir_id: int, body: CourtCaseIn, actor: User) -> CourtCase:
    fir = _fir(session, fir_id, actor)
    if fir.status is not FirStatus.CHALLAN_SUBMITTED:
        raise Conflict(f"{fir.ref} goes to court after its challan is submitted", field="status")
    case = CourtCase(fir_id=fir.id, court=body.court, case_number=body.case_number, created_by_id=actor.id)
    session.add(case)
    session.flush()
    _audit(session, actor, "court_case.add", "court_case", case.id, fir=fir.ref)
    return case


def record_outcome(
    session: Session, *, case_id: int, body: OutcomeIn, actor: User
) -> tuple[CourtCase, list[Conviction]]:
    """Decide a case; a conviction names the accused it convicts (and only those)."""
    repo = RecordsRepository(session)
    case = repo.court_case_in_scope(case_id, scope_ids(session, actor))
    if case is None:
        raise NotFound(f"no court case {case_id}", field="case_id")
    if case.outcome is not CaseOutcome.PENDING:
        raise Conflict(f"court case {case_id} is already decided ({case.outcome.value})", field="outcome")
    if body.outcome is CaseOutcome.PENDING:
        raise InvalidInput("an outcome other than pending is required", field="outcome")
    if (body.outcome is CaseOutcome.CONVICTED) != bool(body.convicted_person_ids):
        raise InvalidInput(
            "name the convicted persons exactly when the outcome is convicted", field="convicted_person_ids"
        )
    fir = session.get(Fir, case.fir_id)
    assert fir is not None
    convictions: list[Conviction] = []
    for i, pid in enumerate(dict.fromkeys(body.convicted_person_ids)):
        if not repo.is_accused(fir.id, pid):
            raise InvalidInput(f"person {pid} is not accused in {fir.ref}", field=f"convicted_person_ids.{i}")
        convictions.append(
            Conviction(
                court_case_id=case.id,
                person_id=pid,
                sections=list(fir.sections),
                sentence=body.sentence,
                convicted_on=body.decided_on,
            )
        )
    case.outcome, case.decided_on = body.outcome, body.decided_on
    session.add_all(convictions)
    session.flush()
    _audit(
        session,
        actor,
        "court_case.outcome",
        "court_case",
        case.id,
        outcome=body.outcome.value,
        convicted=list(body.convicted_person_ids),
    )
    return case, convictions


def _canonical_plate(plate: str | None, kind: PropertyKind) -> str | None:
    if plate is None or not plate.strip():
        if kind in (PropertyKind.VEHICLE, PropertyKind.MOTORCYCLE):
            raise InvalidInput("a vehicle needs its registration plate", field="plate")
        return None
    try:
        from safecity.anpr import InvalidPlate, normalise_plate
    except ImportError:  # pragma: no cover - anpr is optional for records
        return plate.strip().upper()
    try:
        return normalise_plate(plate)
    except InvalidPlate as exc:
        raise InvalidInput(f"not a registration plate: {plate!r}", field="plate") from exc


def add_property(session: Session, *, fir_id: int, body: PropertyIn, actor: User) -> PropertyItem:
    fir = _fir(session, fir_id, actor)
    values = body.model_dump()
    values["plate"] = _canonical_plate(body.plate, body.kind)
    item = PropertyItem(fir_id=fir.id, created_by_id=actor.id, **values)
    session.add(item)
    session.flush()
    _audit(
        session,
        actor,
        "property.add",
        "property",
        item.id,
        fir=fir.ref,
        kind=body.kind.value,
        status=body.status.value,
        plate=item.plate,
    )
    return item
