"""HTTP API for units: the fleet, status reports and AVL position reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from safecity.core.auth import User
from safecity.core.db import utcnow
from safecity.core.http import DbSession, get_settings, require
from safecity.core.org import AgencyType
from safecity.dispatch import service as dispatch
from safecity.incidents.roles import COMMANDERS, FIELD, READERS
from safecity.units import schemas, service
from safecity.units.models import UnitKind, UnitStatus

router = APIRouter(prefix="/api/units", tags=["units"])

Reader = Annotated[User, Depends(require(*READERS))]
Commander = Annotated[User, Depends(require(*COMMANDERS))]
FieldUser = Annotated[User, Depends(require(*FIELD))]


@router.get("")
def list_units(
    user: Reader,
    session: DbSession,
    status: Annotated[list[UnitStatus] | None, Query()] = None,
    agency: Annotated[list[AgencyType] | None, Query()] = None,
    kind: Annotated[list[UnitKind] | None, Query()] = None,
) -> list[schemas.UnitOut]:
    found = service.list_units(session, user=user, statuses=status, agencies=agency, kinds=kind)
    now = utcnow()
    return [schemas.UnitOut.of(u, now=now) for u in found]


@router.post("", status_code=201)
def create_unit(
    body: schemas.UnitIn, request: Request, user: Commander, session: DbSession
) -> schemas.UnitOut:
    unit = service.create_unit(
        session,
        call_sign=body.call_sign,
        kind=body.kind,
        agency=body.agency,
        home_station=body.home_station,
        actor=user,
        crew=body.crew,
        skills=body.skills,
        lon=body.lon,
        lat=body.lat,
        bbox=get_settings(request).jurisdiction_bbox,
    )
    return schemas.UnitOut.of(unit, now=utcnow())


@router.get("/{unit_id}")
def get_unit(unit_id: int, user: Reader, session: DbSession) -> schemas.UnitOut:
    return schemas.UnitOut.of(service.get(session, unit_id=unit_id, user=user), now=utcnow())


@router.post("/{unit_id}/status")
def report_status(
    unit_id: int, body: schemas.UnitStatusIn, user: FieldUser, session: DbSession
) -> schemas.UnitOut:
    unit = service.get(session, unit_id=unit_id, user=user)
    dispatch.report_unit_status(session, unit=unit, status=body.status, actor=user)
    return schemas.UnitOut.of(unit, now=utcnow())


@router.post("/{unit_id}/positions", status_code=202)
def report_positions(
    unit_id: int,
    body: schemas.PositionIn | list[schemas.PositionIn],
    request: Request,
    user: FieldUser,
    session: DbSession,
) -> schemas.PositionsAccepted:
    """One fix or a batch (a device catching up after a tunnel)."""
    unit = service.get(session, unit_id=unit_id, user=user)
    fixes = [
        service.Fix(p.lon, p.lat, p.at, p.speed_kph, p.heading)
        for p in (body if isinstance(body, list) else [body])
    ]
    bbox = get_settings(request).jurisdiction_bbox
    accepted = service.record_positions(session, unit=unit, fixes=fixes, actor=user, bbox=bbox)
    return schemas.PositionsAccepted(unit_id=unit.id, accepted=accepted, latest_at=unit.position_at)


@router.get("/{unit_id}/track")
def get_track(
    unit_id: int,
    user: Reader,
    session: DbSession,
    since: datetime | None = None,
    limit: int = Query(default=500, ge=1, le=10_000),
) -> list[schemas.PositionOut]:
    unit = service.get(session, unit_id=unit_id, user=user)
    return [
        schemas.PositionOut.model_validate(p)
        for p in service.track(session, unit=unit, since=since, limit=limit)
    ]
