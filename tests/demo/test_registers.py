"""The demo city's registers: persons a records officer can search and de-duplicate, cameras that
report their health, vehicles whose plates the ANPR cameras read, and a stolen list that raises hits."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from safecity.anpr.models import AnprHit, AnprRead, WatchlistEntry
from safecity.cameras.models import Camera, CameraAlert, CameraStatus
from safecity.core.auth import User
from safecity.core.db import utcnow
from safecity.core.org import OrgUnit
from safecity.core.outbox import OutboxEvent
from safecity.demo.city import seed_demo_city
from safecity.demo.people import SYNTHETIC, population
from safecity.demo.registers import BROKEN_CAMERA, CAMERAS
from safecity.demo.streets import StreetConfig, StreetReport, StreetSimulation, ocr_noise
from safecity.identity import validate_cnic
from safecity.incidents.events import open_incident_for_hit
from safecity.records import duplicates
from safecity.records.duplicates_schemas import ScanIn
from safecity.records.models import Fir, Person
from safecity.roads import RoadGraph
from safecity.traffic.models import Vehicle, Violation, ViolationKind, ViolationStatus

# A busy street, so that a few minutes show a stolen car, a red light and a speeder.
BUSY = StreetConfig(
    stolen_reads_per_hour=60.0, red_light_per_hour=60.0, speeding_share=0.5, broken_after_s=60.0
)


def _counts(session: Session) -> dict[str, int]:
    models = {
        "persons": Person,
        "firs": Fir,
        "cameras": Camera,
        "vehicles": Vehicle,
        "stolen": WatchlistEntry,
    }
    return {name: session.scalar(select(func.count()).select_from(m)) or 0 for name, m in models.items()}


def test_seeding_twice_adds_nothing_the_second_time(
    city_sessions: sessionmaker[Session], demo_graph: RoadGraph
) -> None:
    pop = population()
    with city_sessions() as session:
        before = _counts(session)
        again = seed_demo_city(session, demo_graph).registers
        after = _counts(session)
        session.rollback()
    assert before["persons"] == len(pop.persons) and before["vehicles"] == len(pop.vehicles)
    assert before["cameras"] == len(CAMERAS) and before["stolen"] == len(pop.stolen)
    assert before["firs"] > len(pop.stolen)  # one per stolen car, and a few others
    assert (again.persons, again.firs, again.cameras, again.vehicles, again.watchlisted) == (0, 0, 0, 0, 0)
    assert after == before


def test_every_synthetic_person_has_a_valid_sindh_cnic_and_says_it_is_synthetic(
    city_sessions: sessionmaker[Session],
) -> None:
    with city_sessions() as session:
        persons = list(session.scalars(select(Person)))
        owners = list(session.scalars(select(Vehicle.owner_address)))
    assert all(any(SYNTHETIC in a for a in p.addresses) for p in persons)
    assert all(SYNTHETIC in address for address in owners)
    with_cnic = [p for p in persons if p.cnic]
    assert len(with_cnic) > 0.8 * len(persons)
    for p in with_cnic:
        assert p.cnic is not None and p.gender is not None
        assert p.cnic.startswith("4") and validate_cnic(p.cnic, gender=p.gender.value) == p.cnic
    assert sum(p.name_urdu is not None and p.name_roman is not None for p in persons) > 0.9 * len(persons)


def test_the_duplicate_scan_proposes_every_planted_pair(city_sessions: sessionmaker[Session]) -> None:
    pop = population()
    by_key = {p.key: p for p in pop.persons}
    with city_sessions() as session:
        bob = session.scalar(select(User).where(User.username == "bob"))
        assert bob is not None
        units = {u.code: u.id for u in session.scalars(select(OrgUnit))}
        ids = {
            (p.name_roman or p.name_urdu, p.cnic, p.org_unit_id): p.id
            for p in session.scalars(select(Person))
        }

        def person_id(key: str) -> int:
            p = by_key[key]
            return ids[(p.name_roman or p.name_urdu, p.cnic, units[p.unit])]

        planted = {tuple(sorted((person_id(a), person_id(b)))) for a, b in pop.planted}
        result = duplicates.scan(session, body=ScanIn(), actor=bob)
        proposed = {
            (c.person_a.id, c.person_b.id) for c in duplicates.list_queue(session, user=bob, status=None)
        }
        session.rollback()
    assert result.proposed == len(proposed)
    assert planted <= proposed
    assert len(proposed) <= 2 * len(planted)  # the rest of the population is not swamped with false pairs


def test_ocr_noise_changes_a_plate_the_way_a_camera_misreads_it() -> None:
    rng = random.Random(3)
    noisy = [ocr_noise("BKS-1508", rng) for _ in range(50)]
    assert all(n != "BKS-1508" for n in noisy)
    assert all(abs(len(n) - len("BKS-1508")) <= 1 for n in noisy)


@pytest.fixture(scope="module")
def street(city_sessions: sessionmaker[Session]) -> list[StreetReport]:
    sim = StreetSimulation(city_sessions, seed=11, config=BUSY)
    start = utcnow() - timedelta(minutes=9)
    return [sim.step(start + timedelta(seconds=3 * i)) for i in range(160)]  # eight minutes


def test_cameras_send_heartbeats_and_the_silent_one_goes_offline_with_an_alert(
    street: list[StreetReport], city_sessions: sessionmaker[Session]
) -> None:
    assert sum(r.went_offline for r in street) == 1
    with city_sessions() as session:
        status = {c.code: c.status for c in session.scalars(select(Camera))}
        alerts = list(session.scalars(select(CameraAlert).where(CameraAlert.resolved_at.is_(None))))
        broken = session.scalar(select(Camera.id).where(Camera.code == BROKEN_CAMERA))
    assert status.pop(BROKEN_CAMERA) is CameraStatus.OFFLINE
    assert set(status.values()) == {CameraStatus.ONLINE}
    assert [a.camera_id for a in alerts] == [broken]


def test_plate_reads_are_mostly_registered_plates_with_some_misread(
    street: list[StreetReport], city_sessions: sessionmaker[Session]
) -> None:
    registered = {v.plate for v in population().vehicles}
    with city_sessions() as session:
        reads = list(session.scalars(select(AnprRead)))
    assert len(reads) == sum(r.reads for r in street) and len(reads) >= 80
    assert {r.source for r in reads} == {"demo-sim"}
    known = sum(1 for r in reads if r.plate in registered)
    assert 0.6 * len(reads) < known < len(reads)
    assert any(r.invalid_plate for r in reads)


def test_a_stolen_plate_read_raises_a_hit_that_opens_an_incident(
    street: list[StreetReport], city_sessions: sessionmaker[Session]
) -> None:
    stolen = set(population().stolen)
    with city_sessions() as session:
        hits = list(session.scalars(select(AnprHit)))
        events = list(session.scalars(select(OutboxEvent).where(OutboxEvent.type == "anpr.hit")))
        assert hits and {h.listed_plate for h in hits} <= stolen
        assert len(hits) == sum(r.hits for r in street)
        incident = open_incident_for_hit(session, events[0].to_event())
        assert incident is not None and incident.type_code == "anpr_hit"
        session.rollback()


def test_red_lights_and_speeders_wait_for_a_traffic_officer(
    street: list[StreetReport], city_sessions: sessionmaker[Session]
) -> None:
    with city_sessions() as session:
        violations = list(session.scalars(select(Violation)))
    kinds = Counter(v.kind for v in violations)
    assert kinds[ViolationKind.RED_LIGHT] >= 1 and kinds[ViolationKind.OVER_SPEED] >= 1
    assert {v.status for v in violations} == {ViolationStatus.PENDING}
    assert len(violations) == sum(r.violations for r in street)
    speeders = [v for v in violations if v.kind is ViolationKind.OVER_SPEED]
    assert all(v.measured_kph is not None and v.limit_kph is not None for v in speeders)
    # every trip the section pairs is one the simulation drove: no impossible speeds
    assert all((v.limit_kph or 0) < (v.measured_kph or 0) <= 106.0 for v in speeders)
