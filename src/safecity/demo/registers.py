"""The demo city's registers: persons and FIRs, cameras, the vehicle registry, the stolen list.

Without them a records officer, a traffic officer or the cameras page sees an
empty city. Everything goes through the domains' own services — records,
cameras, traffic, ANPR — as the ``demo-registers`` machine account, so the
rules and the audit log apply exactly as for a person's work, and the audit
log says plainly which records are synthetic. Idempotent: each part adds only
what is missing (the population is generated from a fixed seed, so a second
run meets the same CNICs and plates, and adds nothing).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.anpr import service as anpr
from safecity.cameras import service as cameras
from safecity.cameras.models import CameraKind
from safecity.cameras.schemas import CameraIn
from safecity.core.auth import Role, User
from safecity.core.db import utcnow
from safecity.core.org import get_unit
from safecity.demo.people import SYNTHETIC, Population, SyntheticPerson, population
from safecity.demo.seed import machine_user
from safecity.demo.shift import SimulationConfig
from safecity.records import cases
from safecity.records import service as records
from safecity.records.schemas import FirIn
from safecity.roads import RoadGraph
from safecity.traffic import registry, sections
from safecity.traffic.models import TrafficSection, Vehicle

__all__ = [
    "BROKEN_CAMERA",
    "CAMERAS",
    "REGISTERS_USER",
    "SECTION",
    "CameraSite",
    "RegisterSeed",
    "registers_user",
    "seed_registers",
]

REGISTERS_USER = "demo-registers"
STOLEN_LIST = "stolen"


@dataclass(frozen=True, slots=True)
class CameraSite:
    code: str
    name: str
    kind: CameraKind
    unit: str
    lon: float  # on a named main road of the OSM graph; snapped again when a graph is installed
    lat: float
    heading: float | None = None


_ANPR, _RLC, _PTZ, _FIX = CameraKind.ANPR, CameraKind.RED_LIGHT, CameraKind.PTZ, CameraKind.FIXED
CAMERAS: tuple[CameraSite, ...] = (
    CameraSite("KHI-ANPR-01", "Landhi Road, Korangi", _ANPR, "KOR-TRF", 67.15248, 24.82594, 60.0),
    CameraSite("KHI-ANPR-02", "Landhi Road, Babar Market", _ANPR, "KOR-TRF", 67.19093, 24.84315, 60.0),
    CameraSite("KHI-ANPR-03", "Korangi Shahfaisal Road, Awami Colony", _ANPR, "KOR-AWC", 67.16075, 24.84362),
    CameraSite("KHI-ANPR-04", "Qasim Port Road, Bin Qasim", _ANPR, "MLR-BQS", 67.32361, 24.80138),
    CameraSite("KHI-RLC-01", "Dawood Chowrangi signal", _RLC, "KOR-TRF", 67.19670, 24.84451, 250.0),
    CameraSite("KHI-RLC-02", "Korangi Shahfaisal Road signal", _RLC, "KOR-TRF", 67.16291, 24.83444, 180.0),
    CameraSite("KHI-PTZ-01", "Landhi Railway Station", _PTZ, "KOR-LND", 67.20409, 24.84633),
    CameraSite("KHI-PTZ-02", "Ibrahim Hyderi Road, fish harbour", _PTZ, "KOR-IBH", 67.15185, 24.79816),
    CameraSite("KHI-FIX-01", "Quaidabad, Main Korangi Road", _FIX, "MLR-QDB", 67.21319, 24.84644),
    CameraSite("KHI-FIX-02", "Pakistan Steel Road", _FIX, "MLR-STT", 67.32635, 24.84174),
    CameraSite("KHI-FIX-03", "Mehran Town market", _FIX, "KOR-MHT", 67.18230, 24.84692),
)  # fmt: skip
BROKEN_CAMERA = "KHI-FIX-03"  # the simulation stops its heartbeats: the health feature has something to show
SECTION = ("LANDHI-RD-1", "Landhi Road, Korangi to Babar Market", "KHI-ANPR-01", "KHI-ANPR-02", 60.0)
HEARTBEAT_S = 30
_FIRS = (  # (station, sections, what happened), accused drawn from the station's persons
    ("KOR-KRG", ["PPC 392", "PPC 34"], "street robbery of a mobile phone at gunpoint"),
    ("KOR-LND", ["PPC 379"], "theft of a motorcycle battery from a parked vehicle"),
    ("KOR-ZMT", ["PPC 324"], "attempted murder in a dispute over a plot"),
    ("MLR-QDB", ["PPC 457", "PPC 380"], "house-breaking by night and theft"),
)


@dataclass(frozen=True, slots=True)
class RegisterSeed:
    persons: int
    firs: int
    cameras: int
    sections: int
    vehicles: int
    watchlisted: int


def registers_user(session: Session) -> User:
    """The machine account that keeps the synthetic registers (created when missing)."""
    return machine_user(
        session,
        REGISTERS_USER,
        "Demo registers (synthetic persons, vehicles, cameras and plate reads)",
        (Role.RECORDS_OFFICER, Role.TRAFFIC_OFFICER),
    )


def _persons(session: Session, pop: Population, actor: User) -> dict[str, int]:
    """Person ids of the newly recorded persons by key; the records service refuses known ones."""
    created: dict[str, int] = {}
    for person in pop.persons:
        try:
            created[person.key] = records.create_person(session, body=person.person_in(), actor=actor).id
        except records.DuplicateIdentity:
            continue
    return created


def _firs(session: Session, pop: Population, ids: dict[str, int], actor: User) -> int:
    now = utcnow()
    count = 0
    for days, (station, laws, what) in enumerate(_FIRS, start=2):
        accused = [ids[p.key] for p in pop.persons if p.unit == station and p.key in ids][:2]
        body = FirIn(
            station=station,
            registered_at=now - timedelta(days=days),
            sections=laws,
            complainant_name="Complainant (synthetic)",
            accused_person_ids=accused,
            summary=f"{SYNTHETIC} {what}",
        )
        cases.register_fir(session, body=body, actor=actor)
        count += 1
    return count


def _stolen_fir(
    session: Session, owner: SyntheticPerson, plate: str, make: str, days: int, actor: User
) -> str:
    body = FirIn(
        station=owner.unit,
        registered_at=utcnow() - timedelta(days=days),
        sections=["PPC 381-A"],
        complainant_name=owner.name_roman,
        summary=f"{SYNTHETIC} theft of {make} {plate} parked outside the owner's house",
    )
    return cases.register_fir(session, body=body, actor=actor).ref


def _vehicles(session: Session, pop: Population, actor: User) -> int:
    known = set(
        session.scalars(select(Vehicle.plate).where(Vehicle.plate.in_([v.plate for v in pop.vehicles])))
    )
    missing = [v for v in pop.vehicles if v.plate not in known]
    if not missing:
        return 0
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["registration_no", "owner_name", "owner_cnic", "owner_address", "make", "colour"])
    for v in missing:
        writer.writerow([v.plate, v.owner.name_roman, v.owner.cnic, v.owner.address, v.make, v.colour])
    report = registry.import_vehicles(
        session, text=out.getvalue(), actor=actor, source=f"{SYNTHETIC} registry"
    )
    return report.created


def _watchlist(session: Session, pop: Population, actor: User) -> int:
    try:
        listed = {e.plate for e in anpr.list_entries(session, list_name=STOLEN_LIST, user=actor)}
    except anpr.WatchlistNotFound:
        listed = set()
    by_plate = {v.plate: v for v in pop.vehicles}
    added = 0
    for days, plate in enumerate(pop.stolen, start=1):
        if plate in listed:
            continue
        vehicle = by_plate[plate]
        fir = _stolen_fir(session, vehicle.owner, plate, vehicle.make, days, actor)
        anpr.add_to_watchlist(
            session,
            list_name=STOLEN_LIST,
            plate=plate,
            org_unit_id=get_unit(session, code=vehicle.owner.unit).id,
            reason=f"{SYNTHETIC} {vehicle.colour} {vehicle.make} reported stolen, {fir}",
            added_by=actor,
        )
        added += 1
    return added


def _cameras(session: Session, graph: RoadGraph | None, actor: User) -> list[str]:
    known = cameras.locate(session, [c.code for c in CAMERAS])
    bbox = SimulationConfig().bbox
    added = []
    for site in CAMERAS:
        if site.code in known:
            continue
        lon, lat = site.lon, site.lat
        if graph is not None:  # a camera watches a road: stand it on the nearest junction of the graph
            node = graph.snap(lon, lat)
            lon, lat = float(graph.lon[node]), float(graph.lat[node])
        body = CameraIn(
            code=site.code,
            name=site.name,
            kind=site.kind,
            lon=lon,
            lat=lat,
            heading=site.heading,
            zone=SYNTHETIC,
            org_unit=site.unit,
            heartbeat_interval_s=HEARTBEAT_S,
            missed_heartbeats=3,
        )
        cameras.register(session, body=body, actor=actor, bbox=bbox)
        added.append(site.code)
    return added


def _section(session: Session, actor: User) -> int:
    code, name, entry, exit_, limit = SECTION
    if session.scalar(select(TrafficSection.id).where(TrafficSection.code == code)) is not None:
        return 0
    found = cameras.locate(session, [entry, exit_])
    sections.create_section(
        session,
        code=code,
        name=name,
        entry_camera_id=found[entry].id,
        exit_camera_id=found[exit_].id,
        speed_limit_kph=limit,
        distance_m=None,
        one_way=False,
        org_unit="KOR-TRF",
        actor=actor,
    )
    return 1


def seed_registers(session: Session, graph: RoadGraph | None) -> RegisterSeed:
    """Add what is missing of the synthetic registers; returns how many of each were added."""
    actor = registers_user(session)
    pop = population()
    ids = _persons(session, pop, actor)
    firs = _firs(session, pop, ids, actor) if ids else 0  # FIRs have no natural key: only with new persons
    added_cameras = _cameras(session, graph, actor)
    vehicles = _vehicles(session, pop, actor)
    watchlisted = _watchlist(session, pop, actor)
    return RegisterSeed(
        persons=len(ids),
        firs=firs + watchlisted,
        cameras=len(added_cameras),
        sections=_section(session, actor),
        vehicles=vehicles,
        watchlisted=watchlisted,
    )
