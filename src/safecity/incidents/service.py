"""Incident rules: opening, scoping, the life cycle, notes and response figures.

Functions flush, never commit. ``actor`` is ``None`` for the system (e.g. an
incident opened by an ANPR hit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.core import audit, events
from safecity.core.auth import User, scope_ids
from safecity.core.db import utcnow
from safecity.core.errors import InvalidInput, NotFound
from safecity.core.http import current_request_id
from safecity.core.org import OrgKind, OrgUnit
from safecity.incidents.catalogue import DEFAULT_PLANS, DEFAULT_TYPES, PlanItemSpec, Priority
from safecity.incidents.models import Incident, IncidentNote, IncidentStatus, IncidentTransition, IncidentType
from safecity.incidents.repository import IncidentRepository
from safecity.incidents.response_times import Figures, figures
from safecity.incidents.state import OPEN_STATUSES, check_transition, is_progress

__all__ = [
    "OPEN_STATUSES",
    "Incident",
    "IncidentStatus",
    "Located",
    "NoStation",
    "add_note",
    "by_id",
    "check_jurisdiction",
    "check_transition",
    "default_plan",
    "distance_m",
    "figures_of",
    "get",
    "get_type",
    "history",
    "list_incidents",
    "list_types",
    "locate",
    "notes",
    "open_incident",
    "open_near",
    "report_progress",
    "seed_incident_types",
    "transition",
]

_EARTH_M = 6_371_008.8


class NoStation(InvalidInput):
    """No police station with a position exists, so the incident would have no owner."""


@dataclass(frozen=True, slots=True)
class Located:
    station: OrgUnit
    district_id: int | None


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(a)))


def check_jurisdiction(
    lon: float, lat: float, bbox: tuple[float, float, float, float], *, field: str = "location"
) -> None:
    min_lon, min_lat, max_lon, max_lat = bbox
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        raise InvalidInput(
            f"({lon}, {lat}) is outside this installation's jurisdiction {list(bbox)}", field=field
        )


# -- types -------------------------------------------------------------------
def seed_incident_types(session: Session) -> int:
    """Copy the built-in catalogue into the table (missing codes only); returns how many were added."""
    repo = IncidentRepository(session)
    added = 0
    for spec in DEFAULT_TYPES:
        if repo.type(spec.code) is None:
            session.add(
                IncidentType(
                    code=spec.code,
                    name=spec.name,
                    name_ur=spec.name_ur,
                    priority=spec.priority,
                    agencies=[a.value for a in spec.agencies],
                    active=True,
                )
            )
            added += 1
    session.flush()
    return added


def _from_spec(code: str) -> IncidentType | None:
    for spec in DEFAULT_TYPES:
        if spec.code == code:
            agencies = [a.value for a in spec.agencies]
            return IncidentType(
                code=code, name=spec.name, name_ur=spec.name_ur, priority=spec.priority, agencies=agencies
            )
    return None


def list_types(session: Session) -> list[IncidentType]:
    """Types from the table, plus built-in ones the table does not (yet) hold."""
    stored = {t.code: t for t in IncidentRepository(session).types()}
    for spec in DEFAULT_TYPES:
        if spec.code not in stored:
            found = _from_spec(spec.code)
            assert found is not None
            stored[spec.code] = found
    return sorted((t for t in stored.values() if t.active is not False), key=lambda t: t.code)


def get_type(session: Session, code: str, *, field: str = "type") -> IncidentType:
    found = IncidentRepository(session).type(code) or _from_spec(code)
    if found is None or found.active is False:
        raise InvalidInput(f"unknown incident type {code!r}", field=field)
    return found


def default_plan(type_code: str) -> tuple[PlanItemSpec, ...]:
    return DEFAULT_PLANS.get(type_code, ())


# -- opening and reading -----------------------------------------------------------
def locate(session: Session, lon: float, lat: float) -> Located:
    """The nearest police station owns the scene; its district is found up the tree."""
    repo = IncidentRepository(session)
    stations = repo.stations_with_position()
    if not stations:
        raise NoStation("no police station with a position is configured", field="location")
    station = min(stations, key=lambda s: distance_m(lon, lat, s.lon or 0.0, s.lat or 0.0))
    parent_id, district_id = station.parent_id, None
    while parent_id is not None:
        parent = repo.org_unit(parent_id)
        if parent is None:
            break
        if parent.kind is OrgKind.DISTRICT:
            district_id = parent.id
            break
        parent_id = parent.parent_id
    return Located(station=station, district_id=district_id)


def _record_transition(
    session: Session,
    incident: Incident,
    before: IncidentStatus | None,
    actor: User | None,
    at: datetime,
    note: str | None,
) -> None:
    session.add(
        IncidentTransition(
            incident_id=incident.id,
            from_status=before,
            to_status=incident.status,
            at=at,
            actor_id=actor.id if actor else None,
            actor=actor.username if actor else "system",
            note=note,
        )
    )


def _payload(incident: Incident) -> dict[str, object]:
    return {
        "incident_id": incident.id,
        "reference": incident.reference,
        "type": incident.type_code,
        "priority": incident.priority.value,
        "status": incident.status.value,
        "lon": incident.lon,
        "lat": incident.lat,
        "station_id": incident.station_id,
        "district_id": incident.district_id,
    }


def open_incident(
    session: Session,
    *,
    type_code: str,
    lon: float,
    lat: float,
    actor: User | None,
    description: str = "",
    address: str | None = None,
    call_received_at: datetime | None = None,
    suspicious: bool = False,
    priority: Priority | None = None,
) -> Incident:
    kind = get_type(session, type_code)
    where = locate(session, lon, lat)
    now = utcnow()
    incident = Incident(
        type_code=kind.code,
        priority=priority or kind.priority,
        status=IncidentStatus.NEW,
        suspicious=suspicious,
        lon=lon,
        lat=lat,
        address=address,
        description=description,
        station_id=where.station.id,
        district_id=where.district_id,
        created_at=now,
        created_by=actor.id if actor else None,
        call_received_at=call_received_at or now,
        status_since=now,
    )
    session.add(incident)
    session.flush()
    incident.reference = f"INC-{now.year}-{incident.id:06d}"
    _record_transition(session, incident, None, actor, now, None)
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="incident.create",
        object_type="incident",
        object_id=str(incident.id),
        request_id=current_request_id(),
        details={"reference": incident.reference, "type": kind.code, "station": where.station.code},
    )
    events.publish(session, "incident.created", _payload(incident), key=f"incident:{incident.id}")
    return incident


def get(session: Session, *, incident_id: int, user: User) -> Incident:
    """The incident if the user's jurisdiction covers it; otherwise it does not exist for them."""
    found = IncidentRepository(session).in_scope(incident_id, scope_ids(session, user))
    if found is None:
        raise NotFound(f"no incident {incident_id}", field="incident_id")
    return found


def by_id(session: Session, incident_id: int) -> Incident:
    """Unscoped lookup for system paths (a unit's own assignment, event handlers)."""
    found = session.get(Incident, incident_id)
    if found is None:
        raise NotFound(f"no incident {incident_id}", field="incident_id")
    return found


def list_incidents(
    session: Session,
    *,
    user: User,
    statuses: Sequence[IncidentStatus] | None = None,
    type_code: str | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> list[Incident]:
    return IncidentRepository(session).listing(
        scope_ids(session, user), statuses=statuses, type_code=type_code, since=since, limit=limit
    )


def open_near(
    session: Session,
    *,
    user: User,
    type_code: str,
    lon: float,
    lat: float,
    radius_m: float,
    window: timedelta,
    now: datetime | None = None,
) -> list[tuple[Incident, float]]:
    """Open incidents of the same type within ``radius_m`` reported in the last ``window``, nearest first."""
    since = (now or utcnow()) - window
    candidates = IncidentRepository(session).open_near(
        scope_ids(session, user),
        type_code=type_code,
        lon=lon,
        lat=lat,
        radius_m=radius_m,
        since=since,
        statuses=OPEN_STATUSES,
    )
    measured = [(i, distance_m(lon, lat, i.lon, i.lat)) for i in candidates]
    return sorted(((i, d) for i, d in measured if d <= radius_m), key=lambda pair: pair[1])


# -- life cycle ------------------------------------------------------------------------
def _set_milestone(incident: Incident, status: IncidentStatus, at: datetime) -> None:
    if status is IncidentStatus.DISPATCHED and incident.dispatched_at is None:
        incident.dispatched_at = at
    elif status is IncidentStatus.ON_SCENE and incident.on_scene_at is None:
        incident.on_scene_at = at
    elif status is IncidentStatus.CLEARED:
        incident.cleared_at = at
    elif status is IncidentStatus.CLOSED:
        incident.closed_at = at


def transition(
    session: Session,
    *,
    incident: Incident,
    to: IncidentStatus,
    actor: User | None,
    note: str | None = None,
    at: datetime | None = None,
) -> Incident:
    """Move the incident to ``to`` if the life cycle allows it (`InvalidTransition`, 409, if not)."""
    check_transition(incident.status, to)
    at = at or utcnow()
    before = incident.status
    incident.status = to
    incident.status_since = at
    _set_milestone(incident, to, at)
    if to is IncidentStatus.ON_SCENE and incident.dispatched_at is None:
        incident.dispatched_at = at
    _record_transition(session, incident, before, actor, at, note)
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="incident.status",
        object_type="incident",
        object_id=str(incident.id),
        request_id=current_request_id(),
        details={"from": before.value, "to": to.value, "note": note},
    )
    payload = _payload(incident) | {"from": before.value, "at": at.isoformat()}
    events.publish(session, "incident.status_changed", payload, key=f"incident:{incident.id}")
    return incident


def report_progress(
    session: Session, *, incident: Incident, reported: IncidentStatus, actor: User | None, at: datetime
) -> bool:
    """Apply a unit's progress (dispatched / en route / on scene) if it moves the incident forward."""
    if not is_progress(incident.status, reported):
        if reported is IncidentStatus.ON_SCENE and incident.on_scene_at is None:
            incident.on_scene_at = at
        return False
    transition(session, incident=incident, to=reported, actor=actor, at=at)
    return True


def add_note(session: Session, *, incident: Incident, text: str, actor: User) -> IncidentNote:
    if not text.strip():
        raise InvalidInput("a note needs text", field="text")
    note = IncidentNote(
        incident_id=incident.id, at=utcnow(), author_id=actor.id, author=actor.username, text=text
    )
    session.add(note)
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="incident.note",
        object_type="incident",
        object_id=str(incident.id),
        request_id=current_request_id(),
        details={"note_id": note.id},
    )
    return note


def history(session: Session, *, incident: Incident) -> list[IncidentTransition]:
    return IncidentRepository(session).history(incident.id)


def notes(session: Session, *, incident: Incident) -> list[IncidentNote]:
    return IncidentRepository(session).notes(incident.id)


def figures_of(incident: Incident) -> Figures:
    return figures(incident.call_received_at, incident.dispatched_at, incident.on_scene_at)
