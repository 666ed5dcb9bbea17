"""HTTP API for call intake: take a call, link it to an incident, or open a new one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from safecity.calls import schemas, service
from safecity.core.auth import User
from safecity.core.http import DbSession, get_settings, require
from safecity.incidents import service as incidents
from safecity.incidents.roles import CALL_TAKERS
from safecity.incidents.schemas import IncidentOut

router = APIRouter(prefix="/api/calls", tags=["calls"])

CallTaker = Annotated[User, Depends(require(*CALL_TAKERS))]


def _outcome(outcome: service.CallOutcome) -> schemas.CallOutcomeOut:
    place = outcome.place
    return schemas.CallOutcomeOut(
        call=schemas.CallOut.of(outcome.call),
        incident=IncidentOut.of(outcome.incident) if outcome.incident else None,
        matched_place=schemas.MatchedPlace(name=place.name, lon=place.lon, lat=place.lat, score=place.score)
        if place
        else None,
        possible_duplicates=[
            schemas.PossibleDuplicate(incident=IncidentOut.of(i), distance_m=round(d, 1))
            for i, d in outcome.duplicates
        ],
    )


@router.post("", status_code=201)
def take_call(
    body: schemas.CallIn, request: Request, user: CallTaker, session: DbSession
) -> schemas.CallOutcomeOut:
    outcome = service.take_call(
        session,
        caller_number=body.caller_number,
        language=body.language,
        type_code=body.type,
        actor=user,
        bbox=get_settings(request).jurisdiction_bbox,
        lon=body.location.lon if body.location else None,
        lat=body.location.lat if body.location else None,
        landmark=body.landmark,
        description=body.description,
        suspicious=body.suspicious,
        received_at=body.received_at,
    )
    return _outcome(outcome)


@router.get("")
def list_calls(
    user: CallTaker,
    session: DbSession,
    pending: bool = Query(default=False, description="only calls waiting for a duplicate decision"),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[schemas.CallOut]:
    return [
        schemas.CallOut.of(c)
        for c in service.list_calls(session, user=user, pending_only=pending, limit=limit)
    ]


@router.get("/{call_id}")
def get_call(
    call_id: int,
    user: CallTaker,
    session: DbSession,
    purpose: str | None = Query(default=None, max_length=500, description="give one to see the full number"),
) -> schemas.CallOut:
    call = service.get(session, call_id=call_id, user=user)
    number = service.reveal_number(session, call=call, actor=user, purpose=purpose) if purpose else None
    return schemas.CallOut.of(call, number=number)


@router.post("/{call_id}/link")
def link_call(call_id: int, body: schemas.LinkIn, user: CallTaker, session: DbSession) -> schemas.CallOut:
    call = service.get(session, call_id=call_id, user=user)
    incident = incidents.get(session, incident_id=body.incident_id, user=user)
    return schemas.CallOut.of(service.link(session, call=call, incident=incident, actor=user))


@router.post("/{call_id}/incident", status_code=201)
def open_incident(call_id: int, user: CallTaker, session: DbSession) -> IncidentOut:
    call = service.get(session, call_id=call_id, user=user)
    return IncidentOut.of(service.open_incident_for(session, call=call, actor=user))
