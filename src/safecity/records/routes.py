"""HTTP API for persons, person search, FIRs and their follow-ups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from safecity.core.auth import Role, User
from safecity.core.http import DbSession, require
from safecity.records import cases, schemas, search, service, verification_routes

router = APIRouter(prefix="/api", tags=["records"])

# Who reads criminal records: the records branch, investigating officers, supervisors, admins.
Reader = Annotated[
    User,
    Depends(require(Role.RECORDS_OFFICER, Role.OFFICER, Role.SUPERVISOR, Role.ADMIN, Role.ANALYST)),
]
# Dispatchers link command & control incidents to FIRs, so they may read FIRs (not persons).
FirReader = Annotated[
    User,
    Depends(
        require(
            Role.RECORDS_OFFICER, Role.OFFICER, Role.SUPERVISOR, Role.ADMIN, Role.ANALYST, Role.DISPATCHER
        )
    ),
]
Writer = Annotated[User, Depends(require(Role.RECORDS_OFFICER, Role.OFFICER, Role.SUPERVISOR, Role.ADMIN))]
# The records branch, investigators and dispatchers tie an FIR to the incident it arose from.
IncidentLinker = Annotated[
    User,
    Depends(require(Role.RECORDS_OFFICER, Role.OFFICER, Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER)),
]
Purpose = Annotated[
    str | None, Query(max_length=500, description="why you need this personal data (audited; required)")
]


@router.post("/persons", status_code=201)
def create_person(body: schemas.PersonIn, user: Writer, session: DbSession) -> schemas.PersonOut:
    return service.create_person(session, body=body, actor=user)


@router.get("/persons/search")
def search_persons(
    user: Reader,
    session: DbSession,
    purpose: Purpose = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
    father_name: Annotated[str | None, Query(max_length=200)] = None,
    cnic: Annotated[str | None, Query(max_length=20, description="whole CNIC or a fragment")] = None,
    phone: Annotated[str | None, Query(max_length=20)] = None,
    district: Annotated[str | None, Query(max_length=40, description="district code")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> schemas.SearchOut:
    return search.search_persons(
        session,
        user=user,
        purpose=purpose,
        name=name,
        father_name=father_name,
        cnic=cnic,
        phone=phone,
        district=district,
        limit=limit,
    )


@router.get("/persons/{person_id}")
def get_person(
    person_id: int, user: Reader, session: DbSession, purpose: Purpose = None
) -> schemas.PersonOut:
    return service.get_person(session, person_id=person_id, user=user, purpose=purpose)


@router.post("/firs", status_code=201)
def register_fir(body: schemas.FirIn, user: Writer, session: DbSession) -> schemas.FirOut:
    return cases.register_fir(session, body=body, actor=user)


@router.get("/firs")
def list_firs(
    user: FirReader,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[schemas.FirOut]:
    return cases.list_firs(session, user=user, limit=limit, offset=offset)


@router.get("/firs/{fir_id}")
def get_fir(fir_id: int, user: FirReader, session: DbSession) -> schemas.FirOut:
    return cases.get_fir(session, fir_id=fir_id, user=user)


@router.post("/firs/{fir_id}/status")
def set_fir_status(
    fir_id: int, body: schemas.FirStatusIn, user: Writer, session: DbSession
) -> schemas.FirOut:
    return cases.set_status(session, fir_id=fir_id, status=body.status, actor=user)


@router.post("/firs/{fir_id}/incident")
def link_incident(
    fir_id: int, body: schemas.IncidentLinkIn, user: IncidentLinker, session: DbSession
) -> schemas.FirOut:
    return cases.link_incident(session, fir_id=fir_id, incident_id=body.incident_id, actor=user)


@router.post("/firs/{fir_id}/accused", status_code=201)
def add_accused(fir_id: int, body: schemas.AccusedIn, user: Writer, session: DbSession) -> schemas.FirOut:
    return cases.add_accused(session, fir_id=fir_id, person_id=body.person_id, actor=user)


@router.post("/firs/{fir_id}/arrests", status_code=201)
def record_arrest(fir_id: int, body: schemas.ArrestIn, user: Writer, session: DbSession) -> schemas.ArrestOut:
    return schemas.ArrestOut.model_validate(
        cases.record_arrest(session, fir_id=fir_id, body=body, actor=user)
    )


@router.post("/firs/{fir_id}/court-cases", status_code=201)
def add_court_case(
    fir_id: int, body: schemas.CourtCaseIn, user: Writer, session: DbSession
) -> schemas.CourtCaseOut:
    case = cases.add_court_case(session, fir_id=fir_id, body=body, actor=user)
    return schemas.CourtCaseOut.model_validate(case)


@router.post("/court-cases/{case_id}/outcome")
def record_outcome(
    case_id: int, body: schemas.OutcomeIn, user: Writer, session: DbSession
) -> list[schemas.ConvictionOut]:
    _case, convictions = cases.record_outcome(session, case_id=case_id, body=body, actor=user)
    return [schemas.ConvictionOut.model_validate(c) for c in convictions]


@router.post("/firs/{fir_id}/property", status_code=201)
def add_property(
    fir_id: int, body: schemas.PropertyIn, user: Writer, session: DbSession
) -> schemas.PropertyOut:
    return schemas.PropertyOut.model_validate(
        cases.add_property(session, fir_id=fir_id, body=body, actor=user)
    )


router.include_router(verification_routes.router)
