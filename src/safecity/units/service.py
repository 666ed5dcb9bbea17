"""Unit rules: the fleet, its status with timers, and position reports (AVL).

A unit becomes *dispatched* only through `claim` (the dispatch service calls
it), never through `set_status`, so the race between two dispatchers is
decided in one place. Repeating the current status is a no-op: devices
resend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.core import audit, events
from safecity.core.auth import Role, User, scope_ids
from safecity.core.db import utcnow
from safecity.core.errors import Conflict, InvalidInput, NotFound
from safecity.core.http import current_request_id
from safecity.core.org import AgencyType, get_unit
from safecity.units.models import Unit, UnitKind, UnitPosition, UnitStatus
from safecity.units.repository import UnitHead, UnitRepository

__all__ = [
    "BUSY",
    "Bbox",
    "Fix",
    "InvalidUnitTransition",
    "StoredPositions",
    "Unit",
    "UnitKind",
    "UnitNotAvailable",
    "UnitStatus",
    "check_inside",
    "claim",
    "create_unit",
    "get",
    "ingest_positions",
    "list_units",
    "record_positions",
    "set_status",
    "store_positions",
    "track",
    "units_by_id",
]

Bbox = tuple[float, float, float, float]
S = UnitStatus
BUSY = frozenset({S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE})
_ALLOWED: dict[UnitStatus, frozenset[UnitStatus]] = {
    S.AVAILABLE: frozenset({S.OFF_DUTY, S.OUT_OF_SERVICE}),
    S.DISPATCHED: frozenset({S.EN_ROUTE, S.ON_SCENE, S.RETURNING, S.AVAILABLE}),
    S.EN_ROUTE: frozenset({S.ON_SCENE, S.RETURNING, S.AVAILABLE}),
    S.ON_SCENE: frozenset({S.RETURNING, S.AVAILABLE}),
    S.RETURNING: frozenset({S.AVAILABLE, S.OFF_DUTY, S.OUT_OF_SERVICE}),
    S.OFF_DUTY: frozenset({S.AVAILABLE, S.OUT_OF_SERVICE}),
    S.OUT_OF_SERVICE: frozenset({S.AVAILABLE, S.OFF_DUTY}),
}


class UnitNotAvailable(Conflict):
    """The unit is not available for dispatch (busy, off duty, or just taken by someone else)."""


class InvalidUnitTransition(Conflict):
    """The unit's current status does not allow the requested one."""


class Fix(NamedTuple):
    """One position report (a tuple: the AVL feed makes thousands a second)."""

    lon: float
    lat: float
    at: datetime
    speed_kph: float | None = None
    heading: float | None = None


def check_inside(lon: float, lat: float, bbox: Bbox, *, field_prefix: str = "") -> None:
    """Refuse a position outside the installation's jurisdiction, naming the coordinate that is out."""
    min_lon, min_lat, max_lon, max_lat = bbox
    if not min_lon <= lon <= max_lon:
        raise InvalidInput(
            f"longitude {lon} is outside this installation's jurisdiction ({min_lon}..{max_lon})",
            field=f"{field_prefix}lon",
        )
    if not min_lat <= lat <= max_lat:
        raise InvalidInput(
            f"latitude {lat} is outside this installation's jurisdiction ({min_lat}..{max_lat})",
            field=f"{field_prefix}lat",
        )


def _status_event(session: Session, unit: Unit, before: UnitStatus) -> None:
    payload = {
        "unit_id": unit.id,
        "call_sign": unit.call_sign,
        "agency": unit.agency.value,
        "kind": unit.kind.value,
        "org_unit_id": unit.home_station_id,
        "from": before.value,
        "status": unit.status.value,
        "at": unit.status_since.isoformat(),
    }
    events.publish(session, "unit.status_changed", payload, key=f"unit:{unit.id}")


def create_unit(
    session: Session,
    *,
    call_sign: str,
    kind: UnitKind,
    agency: AgencyType,
    home_station: str,
    actor: User | None,
    crew: Sequence[str] = (),
    skills: Sequence[str] = (),
    lon: float | None = None,
    lat: float | None = None,
    bbox: Bbox | None = None,
) -> Unit:
    """A new available unit at ``lon``/``lat`` (or its base); ``bbox`` is the jurisdiction to keep it in."""
    if (lon is None) != (lat is None):
        raise InvalidInput("give both lon and lat, or neither (the unit waits at its base)", field="lon")
    if bbox is not None and lon is not None and lat is not None:
        check_inside(lon, lat, bbox)
    station = get_unit(session, code=home_station)
    if actor is not None and not actor.has_role(Role.ADMIN) and station.id not in scope_ids(session, actor):
        raise InvalidInput(f"{home_station} is outside your jurisdiction", field="home_station")
    if UnitRepository(session).by_call_sign(call_sign) is not None:
        raise Conflict(f"call sign {call_sign!r} is taken", field="call_sign")
    now = utcnow()
    unit = Unit(
        call_sign=call_sign,
        kind=kind,
        agency=agency,
        home_station_id=station.id,
        crew=list(crew),
        skills=sorted(set(skills)),
        status=S.AVAILABLE,
        status_since=now,
        lon=lon if lon is not None else station.lon,
        lat=lat if lat is not None else station.lat,
        position_at=None,  # the base, not a fix: any AVL report replaces it
    )
    session.add(unit)
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="unit.create",
        object_type="unit",
        object_id=str(unit.id),
        request_id=current_request_id(),
        details={"call_sign": call_sign, "kind": kind.value, "station": home_station},
    )
    return unit


def get(session: Session, *, unit_id: int, user: User) -> Unit:
    found = UnitRepository(session).in_scope(unit_id, scope_ids(session, user))
    if found is None:
        raise NotFound(f"no unit {unit_id}", field="unit_id")
    return found


def units_by_id(session: Session, unit_ids: Sequence[int]) -> dict[int, Unit]:
    """Unscoped lookup for system paths (AVL ingest, event handlers)."""
    return {u.id: u for u in UnitRepository(session).by_ids(unit_ids)}


def list_units(
    session: Session,
    *,
    user: User,
    statuses: Sequence[UnitStatus] | None = None,
    agencies: Sequence[AgencyType] | None = None,
    kinds: Sequence[UnitKind] | None = None,
) -> list[Unit]:
    return UnitRepository(session).listing(
        scope_ids(session, user), statuses=statuses, agencies=agencies, kinds=kinds
    )


def claim(session: Session, *, unit: Unit, at: datetime | None = None) -> Unit:
    """Make an available unit *dispatched*, or raise `UnitNotAvailable` (exactly one claimant wins)."""
    at = at or utcnow()
    won = UnitRepository(session).claim(unit.id, to=S.DISPATCHED, at=at)
    session.refresh(unit, ["status", "status_since"])
    if not won:
        raise UnitNotAvailable(
            f"unit {unit.call_sign} is {unit.status.value}, not available",
            field="unit_ids",
            unit_id=unit.id,
            status=unit.status.value,
        )
    _status_event(session, unit, S.AVAILABLE)
    return unit


def set_status(
    session: Session, *, unit: Unit, status: UnitStatus, actor: User | None, at: datetime | None = None
) -> UnitStatus:
    """Change status (not to *dispatched*: that is `claim`); returns the status before."""
    before = unit.status
    if status is before:
        return before
    if status not in _ALLOWED[before]:
        allowed = ", ".join(sorted(s.value for s in _ALLOWED[before]))
        raise InvalidUnitTransition(
            f"unit {unit.call_sign} is {before.value} and cannot become {status.value}; allowed: {allowed}",
            field="status",
        )
    unit.status = status
    unit.status_since = at or utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="unit.status",
        object_type="unit",
        object_id=str(unit.id),
        request_id=current_request_id(),
        details={"from": before.value, "to": status.value},
    )
    _status_event(session, unit, before)
    return before


@dataclass(frozen=True, slots=True)
class StoredPositions:
    """What `store_positions` did: fixes stored, and the ``unit.position`` events it owes the map."""

    accepted: int
    moved: list[events.EventSpec]
    unknown: list[int] = field(default_factory=list)  # with ``skip_unknown``: units that do not exist


def ingest_positions(session: Session, fixes: Mapping[int, Sequence[Fix]]) -> int:
    """Store fixes by unit id (units must exist); one outbox event per moved unit, same transaction."""
    stored = store_positions(session, fixes)
    events.publish_many(session, stored.moved)
    return stored.accepted


def store_positions(
    session: Session, fixes: Mapping[int, Sequence[Fix]], *, skip_unknown: bool = False
) -> StoredPositions:
    """Store fixes by unit id and say which ``unit.position`` events are due.

    A unit that does not exist is `NotFound`, or with ``skip_unknown`` (a
    device feed, which dead-letters them) its fixes are left out and its id
    reported in `StoredPositions.unknown`.

    This is the AVL hot path, so a batch costs a fixed handful of statements
    whatever its size: one SELECT of the units, one executemany INSERT of the
    fixes and one executemany UPDATE of the units that moved. Only each unit's
    newest fix becomes an event (the map shows where a unit *is*; the track
    keeps every fix), and a fix older than the unit's stored one extends the
    track without moving it back. The caller publishes the events: through the
    outbox (`ingest_positions`) or, for the MQTT feed, straight to the bus
    after commit (`safecity.units.avl`).
    """
    repo = UnitRepository(session)
    heads = {head.id: head for head in repo.heads(list(fixes))}
    missing = sorted(set(fixes) - set(heads))
    if missing and not skip_unknown:
        raise NotFound(f"no unit {missing[0]}", field="unit_id")
    now = utcnow()
    rows: list[dict[str, object]] = []
    moves: list[dict[str, object]] = []
    moved: list[events.EventSpec] = []
    moved_ids: set[int] = set()
    for unit_id, batch in fixes.items():
        head = heads.get(unit_id)
        if head is None:
            continue
        rows.extend(_position_row(unit_id, f, now) for f in batch)
        latest = max(batch, key=lambda f: f.at, default=None)
        if latest is None or (head.position_at is not None and latest.at <= head.position_at):
            continue  # late fixes extend the track but do not move the unit back
        moves.append(
            {
                "uid": unit_id,
                "lon": latest.lon,
                "lat": latest.lat,
                "speed_kph": latest.speed_kph,
                "heading": latest.heading,
                "at": latest.at,
            }
        )
        moved.append(("unit.position", _position_payload(head, latest), f"unit:{unit_id}"))
        moved_ids.add(unit_id)
    repo.add_positions(rows)
    repo.move(moves)
    _expire_moved(session, moved_ids)
    return StoredPositions(accepted=len(rows), moved=moved, unknown=missing)


def _position_row(unit_id: int, fix: Fix, received_at: datetime) -> dict[str, object]:
    return {
        "unit_id": unit_id,
        "lon": fix.lon,
        "lat": fix.lat,
        "speed_kph": fix.speed_kph,
        "heading": fix.heading,
        "at": fix.at,
        "received_at": received_at,
    }


def _position_payload(head: UnitHead, fix: Fix) -> dict[str, object]:
    """``org_unit_id`` (the home station) is what the live map scopes on: a district sees its own."""
    return {
        "unit_id": head.id,
        "call_sign": head.call_sign,
        "status": head.status.value,
        "org_unit_id": head.home_station_id,
        "lon": fix.lon,
        "lat": fix.lat,
        "speed_kph": fix.speed_kph,
        "heading": fix.heading,
        "at": fix.at.isoformat(),
    }


def _expire_moved(session: Session, unit_ids: set[int]) -> None:
    """Units loaded in this session (the API path) re-read their position after the Core UPDATE."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Unit) and obj.id in unit_ids:
            session.expire(obj, ["lon", "lat", "speed_kph", "heading", "position_at"])


def record_positions(
    session: Session, *, unit: Unit, fixes: Sequence[Fix], actor: User | None, bbox: Bbox | None = None
) -> int:
    """A user's (or device's) report over the API: stored like AVL, and audited once per batch.

    With ``bbox``, one fix outside the jurisdiction refuses the whole batch
    (naming it, e.g. ``positions[2].lat``), so a device with a broken GPS is
    told instead of silently dragging the unit off the map.
    """
    if bbox is not None:
        for i, fix in enumerate(fixes):
            check_inside(fix.lon, fix.lat, bbox, field_prefix=f"positions[{i}]." if len(fixes) > 1 else "")
    accepted = ingest_positions(session, {unit.id: fixes})
    audit.record(
        session,
        actor=actor_of(actor),
        action="unit.positions",
        object_type="unit",
        object_id=str(unit.id),
        request_id=current_request_id(),
        details={"fixes": accepted},
    )
    return accepted


def track(
    session: Session, *, unit: Unit, since: datetime | None = None, limit: int = 500
) -> list[UnitPosition]:
    return UnitRepository(session).track(unit.id, since=since, limit=limit)
