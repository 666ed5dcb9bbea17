"""HTTP API for incidents: list, open, read, change status, notes, types."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from safecity.calls import service as calls
from safecity.core.auth import User
from safecity.core.http import CurrentUser, DbSession, get_settings, require
from safecity.dispatch import service as dispatch
from safecity.incidents import schemas, service
from safecity.incidents.models import IncidentStatus
from safecity.incidents.roles import DISPATCHERS, FIELD, READERS

router = APIRouter(prefix="/api", tags=["incidents"])

Reader = Annotated[User, Depends(require(*READERS))]
Dispatcher = Annotated[User, Depends(require(*DISPATCHERS))]
FieldUser = Annotated[User, Depends(require(*FIELD))]


@router.get("/incident-types")
def list_types(user: CurrentUser, session: DbSession) -> list[schemas.IncidentTypeOut]:
    return [schemas.IncidentTypeOut.model_validate(t) for t in service.list_types(session)]


@router.get("/incidents")
def list_incidents(
    user: Reader,
    session: DbSession,
    status: Annotated[list[IncidentStatus] | None, Query()] = None,
    type: str | None = None,
    open: bool = Query(default=False, description="only new, dispatched, en route and on-scene incidents"),
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[schemas.IncidentOut]:
    statuses = list(service.OPEN_STATUSES) if open and not status else status
    found = service.list_incidents(session, user=user, statuses=statuses, type_code=type, limit=limit)
    return [schemas.IncidentOut.of(i) for i in found]


@router.post("/incidents", status_code=201)
def open_incident(
    body: schemas.IncidentIn, request: Request, user: FieldUser, session: DbSession
) -> schemas.IncidentOut:
    loc = body.location
    service.check_jurisdiction(loc.lon, loc.lat, get_settings(request).jurisdiction_bbox, field="location")
    incident = service.open_incident(
        session,
        type_code=body.type,
        lon=loc.lon,
        lat=loc.lat,
        actor=user,
        description=body.description,
        address=body.address,
        suspicious=body.suspicious,
        priority=body.priority,
    )
    return schemas.IncidentOut.of(incident)


@router.get("/incidents/{incident_id}")
def get_incident(incident_id: int, user: Reader, session: DbSession) -> schemas.IncidentDetail:
    incident = service.get(session, incident_id=incident_id, user=user)
    base = schemas.IncidentOut.of(incident)
    return schemas.IncidentDetail(
        **base.model_dump(),
        history=[
            schemas.TransitionOut.model_validate(t) for t in service.history(session, incident=incident)
        ],
        notes=[schemas.NoteOut.model_validate(n) for n in service.notes(session, incident=incident)],
        calls=[c.reference or "" for c in calls.calls_of_incident(session, incident=incident)],
    )


@router.post("/incidents/{incident_id}/status")
def change_status(
    incident_id: int, body: schemas.IncidentStatusIn, user: FieldUser, session: DbSession
) -> schemas.IncidentOut:
    incident = service.get(session, incident_id=incident_id, user=user)
    changed = dispatch.change_incident_status(
        session,
        incident=incident,
        status=body.status,
        actor=user,
        note=body.note,
        release_units=body.release_units,
    )
    return schemas.IncidentOut.of(changed)


@router.post("/incidents/{incident_id}/notes", status_code=201)
def add_note(incident_id: int, body: schemas.NoteIn, user: FieldUser, session: DbSession) -> schemas.NoteOut:
    incident = service.get(session, incident_id=incident_id, user=user)
    return schemas.NoteOut.model_validate(
        service.add_note(session, incident=incident, text=body.text, actor=user)
    )
