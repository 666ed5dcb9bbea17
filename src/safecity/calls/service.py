"""Call intake: where the caller is, what happened, and whether we already know about it.

A call near an open incident of the same type (see `DuplicatePolicy`) is kept
without an incident and offered to the call-taker with its possible
duplicates; they link it or open a new incident. Any other call opens its
incident at once. Caller numbers are personal data: shown masked, and in
full only with a stated purpose, which is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.calls.models import Call, CallLanguage
from safecity.calls.places import KnownPlace, match_place
from safecity.calls.policy import DuplicatePolicy
from safecity.calls.repository import CallRepository
from safecity.core import audit
from safecity.core.auth import User, scope_ids
from safecity.core.db import utcnow
from safecity.core.errors import Conflict, InvalidInput, NotFound
from safecity.core.http import current_request_id
from safecity.incidents import service as incidents

__all__ = [
    "AlreadyLinked",
    "CallOutcome",
    "calls_of_incident",
    "get",
    "link",
    "list_calls",
    "mask_number",
    "open_incident_for",
    "reveal_number",
    "take_call",
]


class AlreadyLinked(Conflict):
    """The call already belongs to an incident."""


@dataclass(slots=True)
class CallOutcome:
    call: Call
    incident: incidents.Incident | None
    place: KnownPlace | None = None
    duplicates: list[tuple[incidents.Incident, float]] = field(default_factory=list)


def mask_number(number: str) -> str:
    if len(number) <= 6:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 6) + number[-2:]


def _position(
    session: Session, lon: float | None, lat: float | None, landmark: str | None
) -> tuple[float, float, KnownPlace | None]:
    if (lon is None) != (lat is None):
        raise InvalidInput("give both lon and lat, or a landmark", field="location")
    if lon is not None and lat is not None:
        return lon, lat, None
    if not landmark or not landmark.strip():
        raise InvalidInput("a call needs a location: lon/lat or a landmark", field="location")
    place = match_place(session, landmark)
    if place is None:
        raise InvalidInput(f"no known place matches {landmark!r}; give coordinates", field="landmark")
    return place.lon, place.lat, place


def take_call(
    session: Session,
    *,
    caller_number: str,
    language: CallLanguage,
    type_code: str,
    actor: User,
    bbox: tuple[float, float, float, float],
    lon: float | None = None,
    lat: float | None = None,
    landmark: str | None = None,
    description: str = "",
    suspicious: bool = False,
    received_at: datetime | None = None,
    policy: DuplicatePolicy | None = None,
) -> CallOutcome:
    policy = policy or DuplicatePolicy()
    lon, lat, place = _position(session, lon, lat, landmark)
    incidents.check_jurisdiction(lon, lat, bbox, field="location")
    kind = incidents.get_type(session, type_code, field="type")
    where = incidents.locate(session, lon, lat)
    received_at = received_at or utcnow()
    call = Call(
        received_at=received_at,
        caller_number=caller_number,
        language=language,
        lon=lon,
        lat=lat,
        landmark=landmark,
        type_code=kind.code,
        description=description,
        suspicious=suspicious,
        station_id=where.station.id,
        taken_by=actor.id,
    )
    session.add(call)
    session.flush()
    call.reference = f"CALL-{received_at.year}-{call.id:06d}"
    duplicates = incidents.open_near(
        session,
        user=actor,
        type_code=kind.code,
        lon=lon,
        lat=lat,
        radius_m=policy.duplicate_radius_m,
        window=policy.window,
        now=received_at,
    )
    incident = None
    if not duplicates:
        incident = _open_for(session, call, actor)
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="call.create",
        object_type="call",
        object_id=str(call.id),
        request_id=current_request_id(),
        details={
            "reference": call.reference,
            "type": kind.code,
            "incident": incident.reference if incident else None,
            "possible_duplicates": [i.reference for i, _ in duplicates],
        },
    )
    return CallOutcome(call=call, incident=incident, place=place, duplicates=duplicates)


def _open_for(session: Session, call: Call, actor: User) -> incidents.Incident:
    incident = incidents.open_incident(
        session,
        type_code=call.type_code,
        lon=call.lon,
        lat=call.lat,
        actor=actor,
        description=call.description,
        address=call.landmark,
        call_received_at=call.received_at,
        suspicious=call.suspicious,
    )
    call.incident_id = incident.id
    return incident


def get(session: Session, *, call_id: int, user: User) -> Call:
    found = CallRepository(session).in_scope(call_id, scope_ids(session, user))
    if found is None:
        raise NotFound(f"no call {call_id}", field="call_id")
    return found


def list_calls(session: Session, *, user: User, pending_only: bool = False, limit: int = 100) -> list[Call]:
    return CallRepository(session).listing(scope_ids(session, user), pending_only=pending_only, limit=limit)


def calls_of_incident(session: Session, *, incident: incidents.Incident) -> list[Call]:
    return CallRepository(session).for_incident(incident.id)


def link(session: Session, *, call: Call, incident: incidents.Incident, actor: User) -> Call:
    """Attach a call to an incident already open for the same event (instead of a new incident)."""
    if call.incident_id is not None:
        raise AlreadyLinked(f"call {call.reference} already belongs to incident {call.incident_id}")
    if incident.status not in incidents.OPEN_STATUSES:
        raise Conflict(f"incident {incident.reference} is {incident.status.value}", field="incident_id")
    call.incident_id = incident.id
    if call.suspicious and not incident.suspicious:
        incident.suspicious = True
    session.flush()
    incidents.add_note(session, incident=incident, text=f"call {call.reference} linked", actor=actor)
    audit.record(
        session,
        actor=actor_of(actor),
        action="call.link",
        object_type="call",
        object_id=str(call.id),
        request_id=current_request_id(),
        details={"incident": incident.reference},
    )
    return call


def open_incident_for(session: Session, *, call: Call, actor: User) -> incidents.Incident:
    """The call-taker judged the possible duplicates to be different events."""
    if call.incident_id is not None:
        raise AlreadyLinked(f"call {call.reference} already belongs to incident {call.incident_id}")
    return _open_for(session, call, actor)


def reveal_number(session: Session, *, call: Call, actor: User, purpose: str) -> str:
    """The caller's full number, for a stated and audited purpose (e.g. a call-back)."""
    audit.record(
        session,
        actor=actor_of(actor),
        action="call.read_caller_number",
        object_type="call",
        object_id=str(call.id),
        purpose=purpose,
        personal_data=True,
        request_id=current_request_id(),
    )
    return call.caller_number
