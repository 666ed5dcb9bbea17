"""Recording violations: from red-light and wrong-way cameras, from sections, and by hand.

A recorded violation is only evidence; `service.verify_violation` turns it
into an e-challan. Reporting the same offence twice (the same camera, plate
and second; the same exit read of a section) returns the first record.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from safecity.anpr import InvalidPlate, normalise_plate
from safecity.cameras import service as cameras
from safecity.cameras.models import CameraKind
from safecity.core.auth import Role, User
from safecity.core.db import utcnow
from safecity.core.errors import InvalidInput
from safecity.core.org import get_unit
from safecity.traffic.models import Violation, ViolationKind
from safecity.traffic.repository import TrafficRepository
from safecity.traffic.service import _audit, traffic_scope

__all__ = [
    "MANUAL_KINDS",
    "heading_difference",
    "record_camera_violation",
    "record_manual_violation",
    "store",
]

MANUAL_KINDS = (ViolationKind.NO_HELMET, ViolationKind.LANE)
# A vehicle moving more than this far from the lane's direction is going the wrong way.
WRONG_WAY_DEGREES = 120.0


def heading_difference(a: float, b: float) -> float:
    """Smallest angle between two compass headings, 0..180 degrees."""
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def _plate(text: str) -> str:
    try:
        return normalise_plate(text)
    except InvalidPlate as exc:
        raise InvalidInput(exc.detail, field="plate") from exc


def store(session: Session, *, dedupe_key: str, actor: User | None, **values: Any) -> Violation:
    """Insert a violation unless the same offence is already recorded (then return that one)."""
    repo = TrafficRepository(session)
    found = repo.violation_by_key(dedupe_key)
    if found is not None:
        return found
    at: datetime = values["at"]
    if at.tzinfo is None:
        raise InvalidInput("the time must carry a time zone", field="at")
    if at > utcnow():
        raise InvalidInput("the time is in the future", field="at")
    violation = Violation(
        reference=f"tmp-{uuid.uuid4().hex[:24]}",
        dedupe_key=dedupe_key,
        reported_by=actor.username if actor else "system",
        created_at=utcnow(),
        **values,
    )
    session.add(violation)
    session.flush()
    violation.reference = f"TV-{at.year}-{violation.id:07d}"
    session.flush()
    details = {"kind": violation.kind.value, "plate": violation.plate, "dedupe_key": dedupe_key}
    _audit(
        session, actor, "traffic.violation.record", "traffic_violation", violation.reference, details=details
    )
    return violation


def record_camera_violation(
    session: Session,
    *,
    kind: ViolationKind,
    camera_id: int,
    plate: str,
    at: datetime,
    signal_phase: str | None = None,
    travel_heading: float | None = None,
    actor: User,
) -> Violation:
    """A red-light camera (with the signal phase) or a camera watching a one-way lane (with headings)."""
    camera = cameras.get(session, camera_id=camera_id, user=actor)
    evidence: dict[str, Any] = {"camera": camera.code}
    if kind is ViolationKind.RED_LIGHT:
        if camera.kind is not CameraKind.RED_LIGHT:
            raise InvalidInput(f"camera {camera.code} is not a red-light camera", field="camera_id")
        if signal_phase != "red":
            raise InvalidInput(
                f"crossing on a {signal_phase or 'unknown'} signal is not a red-light violation",
                field="signal_phase",
            )
        evidence["signal_phase"] = signal_phase
    elif kind is ViolationKind.WRONG_WAY:
        if camera.heading is None:
            raise InvalidInput(f"camera {camera.code} has no lane heading configured", field="camera_id")
        if travel_heading is None:
            raise InvalidInput("the vehicle's heading is required", field="travel_heading")
        off = heading_difference(travel_heading, camera.heading)
        if off <= WRONG_WAY_DEGREES:
            raise InvalidInput(
                f"heading {travel_heading:.0f} is {off:.0f} degrees from the lane's: not wrong-way",
                field="travel_heading",
            )
        evidence |= {"travel_heading": travel_heading, "lane_heading": camera.heading}
    else:
        raise InvalidInput("cameras report red_light or wrong_way; sections report over_speed", field="kind")
    canonical = _plate(plate)
    return store(
        session,
        dedupe_key=f"{kind.value}:{camera.id}:{canonical}:{int(at.timestamp())}",
        actor=actor,
        kind=kind,
        plate=canonical,
        at=at,
        lon=camera.lon,
        lat=camera.lat,
        org_unit_id=camera.org_unit_id,
        camera_id=camera.id,
        evidence=evidence,
    )


def record_manual_violation(
    session: Session,
    *,
    kind: ViolationKind,
    plate: str,
    at: datetime,
    lon: float,
    lat: float,
    org_unit: str,
    note: str,
    actor: User,
) -> Violation:
    """An officer on the road books a rider without a helmet or a lane violation."""
    if kind not in MANUAL_KINDS:
        raise InvalidInput("manual entries are no_helmet or lane", field="kind")
    if not actor.has_role(Role.TRAFFIC_OFFICER, Role.OFFICER):
        raise InvalidInput("only officers on the road book manual violations", field="kind")
    unit = get_unit(session, code=org_unit)
    if unit.id not in traffic_scope(session, actor):
        raise InvalidInput(f"{org_unit} is outside your jurisdiction", field="org_unit")
    canonical = _plate(plate)
    return store(
        session,
        dedupe_key=f"{kind.value}:manual:{canonical}:{int(at.timestamp())}",
        actor=actor,
        kind=kind,
        plate=canonical,
        at=at,
        lon=lon,
        lat=lat,
        org_unit_id=unit.id,
        evidence={"note": note[:500], "officer": actor.username},
    )
