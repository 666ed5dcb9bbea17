"""Sections between two ANPR cameras: average-speed enforcement and congestion.

A plate read at the entry camera and then at the exit camera drove the
section in ``t`` seconds, so its average speed was ``distance / t``; above the
limit (plus a tolerance for clock and distance error) it is an over-speed
violation. On a one-way section a plate read at the exit and *then* at the
entry drove it the wrong way. Every trip also leaves an anonymous speed
sample (no plate), and congestion is the mean of those samples, together with
the speeds of response units whose AVL fixes lie on the section, over a window.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from safecity.anpr import service as anpr
from safecity.cameras import service as cameras
from safecity.core.auth import User
from safecity.core.db import utcnow
from safecity.core.errors import Conflict, InvalidInput, NotFound
from safecity.core.org import get_unit
from safecity.traffic.config import TrafficSettings
from safecity.traffic.models import SectionTransit, TrafficSection, Violation, ViolationKind
from safecity.traffic.repository import TrafficRepository
from safecity.traffic.service import _audit, traffic_scope
from safecity.traffic.violations import store
from safecity.units import service as units

__all__ = [
    "PlateSeen",
    "ScanResult",
    "Trip",
    "average_speed_kph",
    "congestion",
    "create_section",
    "get_section",
    "pair_trips",
    "scan_section",
]

_EARTH_M = 6_371_008.8
# A unit's fix counts for a section when it lies this close to the section's line.
_ON_SECTION_M = 60.0


@dataclass(frozen=True, slots=True)
class PlateSeen:
    read_id: int
    plate: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Trip:
    plate: str
    first: PlateSeen
    second: PlateSeen

    @property
    def seconds(self) -> float:
        return (self.second.at - self.first.at).total_seconds()


@dataclass
class ScanResult:
    trips: int = 0
    new_samples: int = 0
    violations: list[Violation] = field(default_factory=list)


def average_speed_kph(distance_m: float, seconds: float) -> float:
    if seconds <= 0:
        raise InvalidInput("the second read must come after the first", field="seconds")
    return distance_m / seconds * 3.6


def pair_trips(first: Iterable[PlateSeen], second: Iterable[PlateSeen], max_seconds: float) -> list[Trip]:
    """Each ``second`` read joined to the latest unused ``first`` read of its plate before it."""
    by_plate: dict[str, list[PlateSeen]] = {}
    for seen in sorted(first, key=lambda s: s.at):
        by_plate.setdefault(seen.plate, []).append(seen)
    trips: list[Trip] = []
    for seen in sorted(second, key=lambda s: s.at):
        candidates = by_plate.get(seen.plate, [])
        earlier = [c for c in candidates if 0 < (seen.at - c.at).total_seconds() <= max_seconds]
        if earlier:
            start = earlier[-1]
            candidates.remove(start)
            trips.append(Trip(seen.plate, start, seen))
    return trips


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_M * math.asin(math.sqrt(a))


def create_section(
    session: Session,
    *,
    code: str,
    name: str,
    entry_camera_id: int,
    exit_camera_id: int,
    speed_limit_kph: float,
    distance_m: float | None,
    one_way: bool,
    org_unit: str,
    actor: User,
) -> TrafficSection:
    """Declare a section; its length defaults to the straight line between the cameras."""
    if entry_camera_id == exit_camera_id:
        raise InvalidInput("the entry and exit cameras must differ", field="exit_camera_id")
    if TrafficRepository(session).section_by_code(code) is not None:
        raise Conflict(f"section {code} exists", field="code")
    entry = cameras.get(session, camera_id=entry_camera_id, user=actor)
    exit_ = cameras.get(session, camera_id=exit_camera_id, user=actor)
    unit = get_unit(session, code=org_unit)
    if unit.id not in traffic_scope(session, actor):
        raise InvalidInput(f"{org_unit} is outside your jurisdiction", field="org_unit")
    straight = _metres(entry.lon, entry.lat, exit_.lon, exit_.lat)
    if distance_m is not None and distance_m < straight * 0.95:
        raise InvalidInput(f"shorter than the {straight:.0f} m between the cameras", field="distance_m")
    section = TrafficSection(
        code=code,
        name=name,
        entry_camera_id=entry.id,
        exit_camera_id=exit_.id,
        distance_m=distance_m or round(straight, 1),
        speed_limit_kph=speed_limit_kph,
        one_way=one_way,
        org_unit_id=unit.id,
        entry_lon=entry.lon,
        entry_lat=entry.lat,
        exit_lon=exit_.lon,
        exit_lat=exit_.lat,
        created_at=utcnow(),
    )
    session.add(section)
    session.flush()
    _audit(session, actor, "traffic.section.create", "traffic_section", section.code)
    return section


def get_section(session: Session, *, section_id: int, user: User) -> TrafficSection:
    section = TrafficRepository(session).section(section_id)
    if section is None or section.org_unit_id not in traffic_scope(session, user):
        raise NotFound(f"no section {section_id}", field="section_id")
    return section


def _seen(
    session: Session, user: User, camera_id: int, since: datetime, until: datetime, why: str
) -> list[PlateSeen]:
    reads = anpr.search_reads(
        session, user=user, purpose=why, camera_id=camera_id, since=since, until=until, limit=100_000
    )
    return [PlateSeen(r.id, r.plate, r.at) for r in reads if r.plate is not None and not r.invalid_plate]


def scan_section(
    session: Session,
    *,
    section_id: int,
    since: datetime,
    until: datetime,
    user: User,
    settings: TrafficSettings | None = None,
) -> ScanResult:
    """Pair the reads of a window into trips; record speed samples and violations (idempotent)."""
    settings = settings or TrafficSettings()
    if until <= since:
        raise InvalidInput("the window must end after it starts", field="until")
    section = get_section(session, section_id=section_id, user=user)
    why = f"traffic enforcement: average speed on section {section.code}"
    entry = _seen(session, user, section.entry_camera_id, since, until, why)
    exit_ = _seen(session, user, section.exit_camera_id, since, until, why)
    trips = pair_trips(entry, exit_, settings.max_transit_s)
    result = ScanResult(trips=len(trips))
    result.new_samples = _store_samples(session, section, trips)
    for trip in trips:
        speed = average_speed_kph(section.distance_m, trip.seconds)
        if speed > section.speed_limit_kph + settings.speed_tolerance_kph:
            result.violations.append(_over_speed(session, section, trip, speed, user))
    if section.one_way:
        used = {t.second.read_id for t in trips}
        backwards = pair_trips([s for s in exit_ if s.read_id not in used], entry, settings.max_transit_s)
        result.violations.extend(_wrong_way(session, section, trip, user) for trip in backwards)
    return result


def _store_samples(session: Session, section: TrafficSection, trips: Sequence[Trip]) -> int:
    known = TrafficRepository(session).transit_read_ids(section.id, [t.second.read_id for t in trips])
    fresh = [t for t in trips if t.second.read_id not in known]
    session.add_all(
        SectionTransit(
            section_id=section.id,
            exit_read_id=t.second.read_id,
            at=t.second.at,
            speed_kph=round(average_speed_kph(section.distance_m, t.seconds), 1),
        )
        for t in fresh
    )
    session.flush()
    return len(fresh)


def _over_speed(session: Session, section: TrafficSection, trip: Trip, speed: float, user: User) -> Violation:
    evidence: dict[str, Any] = {
        "section": section.code,
        "entry_read_id": trip.first.read_id,
        "exit_read_id": trip.second.read_id,
        "entry_at": trip.first.at.isoformat(),
        "exit_at": trip.second.at.isoformat(),
        "seconds": trip.seconds,
        "distance_m": section.distance_m,
    }
    return store(
        session,
        dedupe_key=f"over_speed:{section.id}:{trip.second.read_id}",
        actor=user,
        kind=ViolationKind.OVER_SPEED,
        plate=trip.plate,
        at=trip.second.at,
        lon=section.exit_lon,
        lat=section.exit_lat,
        org_unit_id=section.org_unit_id,
        camera_id=section.exit_camera_id,
        section_id=section.id,
        measured_kph=round(speed, 1),
        limit_kph=section.speed_limit_kph,
        evidence=evidence,
    )


def _wrong_way(session: Session, section: TrafficSection, trip: Trip, user: User) -> Violation:
    evidence = {
        "section": section.code,
        "exit_read_id": trip.first.read_id,
        "entry_read_id": trip.second.read_id,
    }
    return store(
        session,
        dedupe_key=f"wrong_way:{section.id}:{trip.second.read_id}",
        actor=user,
        kind=ViolationKind.WRONG_WAY,
        plate=trip.plate,
        at=trip.second.at,
        lon=section.entry_lon,
        lat=section.entry_lat,
        org_unit_id=section.org_unit_id,
        camera_id=section.entry_camera_id,
        section_id=section.id,
        evidence=evidence,
    )


def _distance_to_section(section: TrafficSection, lon: float, lat: float) -> float:
    """Metres from a point to the straight line between the section's cameras (local projection)."""
    k = math.cos(math.radians(section.entry_lat)) * math.pi / 180 * _EARTH_M
    m = math.pi / 180 * _EARTH_M
    ax, ay = 0.0, 0.0
    bx, by = (section.exit_lon - section.entry_lon) * k, (section.exit_lat - section.entry_lat) * m
    px, py = (lon - section.entry_lon) * k, (lat - section.entry_lat) * m
    length2 = bx * bx + by * by
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * bx + (py - ay) * by) / length2))
    return math.hypot(px - t * bx, py - t * by)


def _unit_speeds(
    session: Session, sections: Sequence[TrafficSection], user: User, since: datetime
) -> dict[int, list[float]]:
    """Speeds of moving units' fixes on each section (a unit parked at a scene says nothing)."""
    found: dict[int, list[float]] = {}
    for unit in units.list_units(session, user=user):
        for fix in units.track(session, unit=unit, since=since, limit=2000):
            if fix.speed_kph is None or fix.speed_kph < 1.0:
                continue
            for section in sections:
                if _distance_to_section(section, fix.lon, fix.lat) <= _ON_SECTION_M:
                    found.setdefault(section.id, []).append(fix.speed_kph)
    return found


def _level(speed: float | None, limit: float) -> str:
    if speed is None:
        return "unknown"
    ratio = speed / limit
    return "free" if ratio >= 0.7 else "slow" if ratio >= 0.4 else "congested"


def congestion(
    session: Session, *, user: User, window_minutes: int = 15, now: datetime | None = None
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: each section as a line with its mean speed and level."""
    until = now or utcnow()
    since = until - timedelta(minutes=window_minutes)
    sections = TrafficRepository(session).sections_in(traffic_scope(session, user))
    anpr_speeds = TrafficRepository(session).transit_speeds([s.id for s in sections], since, until)
    unit_speeds = _unit_speeds(session, sections, user, since)
    features = []
    for s in sections:
        a, u = anpr_speeds.get(s.id, []), unit_speeds.get(s.id, [])
        mean = round(sum(a + u) / len(a + u), 1) if a or u else None
        features.append(
            {
                "type": "Feature",
                "id": s.id,
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[s.entry_lon, s.entry_lat], [s.exit_lon, s.exit_lat]],
                },
                "properties": {
                    "code": s.code,
                    "name": s.name,
                    "speed_limit_kph": s.speed_limit_kph,
                    "mean_speed_kph": mean,
                    "anpr_samples": len(a),
                    "unit_samples": len(u),
                    "level": _level(mean, s.speed_limit_kph),
                },
            }
        )
    window = {"from": since.isoformat(), "to": until.isoformat(), "minutes": window_minutes}
    return {"type": "FeatureCollection", "window": window, "features": features}
