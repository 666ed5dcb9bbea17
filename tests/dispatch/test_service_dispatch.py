"""Dispatch rules on a tiny road graph: who is recommended, corridors, closing, response times."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.accounts import service as accounts
from safecity.core.auth import Role, User
from safecity.core.org import AgencyType, load_tree_file
from safecity.core.outbox import OutboxEvent
from safecity.demo.seed import DEMO_ORG_FILE
from safecity.dispatch import corridor, service
from safecity.dispatch.schemas import PlanItem
from safecity.incidents import service as incidents
from safecity.incidents.models import Incident, IncidentStatus
from safecity.roads import RoadGraph
from safecity.units import service as units
from safecity.units.models import Unit, UnitKind, UnitStatus

T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def _river_graph() -> RoadGraph:
    """Incident at node 0 on the south bank. A (node 1) faces it across the river, the bridge
    (node 2) is east; B (node 3) is on the same bank; C (node 4) is just west, on a one-way
    street leading away from the incident. Node 5 is a side street off the bridge junction."""
    lon = [67.200, 67.200, 67.210, 67.203, 67.199, 67.210]
    lat = [24.840, 24.841, 24.8405, 24.840, 24.840, 24.842]
    arcs = [
        (1, 2, 120), (2, 1, 120), (2, 0, 60), (0, 2, 60), (3, 0, 30), (0, 3, 30),
        (3, 2, 40), (2, 3, 40), (0, 4, 10), (4, 2, 200), (2, 5, 20), (5, 2, 20),
    ]  # fmt: skip
    src, dst, seconds = zip(*arcs, strict=True)
    return RoadGraph.from_arrays(lon, lat, src, dst, seconds)


def _user(session: Session, role: Role, unit_code: str) -> User:
    user, _ = accounts.create_user(
        session,
        username=f"u{uuid.uuid4().hex[:8]}",
        full_name="Test user",
        password="long-enough-pass",
        roles=[role],
        units=[unit_code],
        actor=None,
    )
    return user


@pytest.fixture
def dispatcher(db_session: Session) -> User:
    load_tree_file(db_session, DEMO_ORG_FILE)
    return _user(db_session, Role.DISPATCHER, "KHI-KOR")


def _car(
    session: Session, graph: RoadGraph, node: int, name: str, kind: UnitKind = UnitKind.RESPONSE_CAR
) -> Unit:
    agency = AgencyType.RESCUE_1122 if kind is UnitKind.AMBULANCE else AgencyType.POLICE
    return units.create_unit(
        session,
        call_sign=f"{name}-{uuid.uuid4().hex[:6]}",
        kind=kind,
        agency=agency,
        home_station="KOR-R1122" if agency is AgencyType.RESCUE_1122 else "KOR-LND",
        actor=None,
        lon=float(graph.lon[node]),
        lat=float(graph.lat[node]),
    )


def _robbery(session: Session, user: User) -> Incident:
    return incidents.open_incident(
        session, type_code="robbery", lon=67.2, lat=24.84, actor=user, call_received_at=T0
    )


def _two_cars_plan(session: Session, user: User) -> None:
    item = PlanItem(agency=AgencyType.POLICE, unit_kinds=[UnitKind.RESPONSE_CAR], count=2)
    service.set_plan(session, type_code="robbery", items=[item], actor=user)


def test_recommendations_follow_road_travel_time_not_straight_line_distance(
    db_session: Session, dispatcher: User
) -> None:
    graph = _river_graph()
    a, b, c = (_car(db_session, graph, n, name) for n, name in [(1, "A"), (3, "B"), (4, "C")])
    _car(db_session, graph, 0, "AMB", UnitKind.AMBULANCE)  # at the scene, but not what the plan asks for
    off = _car(db_session, graph, 0, "OFF")
    units.set_status(db_session, unit=off, status=UnitStatus.OFF_DUTY, actor=None)
    _two_cars_plan(db_session, dispatcher)
    incident = _robbery(db_session, dispatcher)

    by_road = service.recommend(db_session, incident=incident, user=dispatcher, graph=graph)
    assert by_road.eta_method == "road"
    assert by_road.unit_ids == [b.id, a.id]
    etas = [c.eta_s for c in by_road.fills[0].choices]
    assert etas == pytest.approx([30, 180])
    assert "ETA 0 min 30 s" in by_road.fills[0].choices[0].reason

    by_crow = service.recommend(db_session, incident=incident, user=dispatcher, graph=None)
    assert by_crow.eta_method == "straight_line"
    assert by_crow.unit_ids == [c.id, a.id]


def test_units_already_sent_count_towards_the_plan(db_session: Session, dispatcher: User) -> None:
    graph = _river_graph()
    a, b, _c = (_car(db_session, graph, n, name) for n, name in [(1, "A"), (3, "B"), (4, "C")])
    _two_cars_plan(db_session, dispatcher)
    incident = _robbery(db_session, dispatcher)
    service.assign(db_session, incident=incident, unit_ids=[b.id], user=dispatcher, graph=graph)
    fill = service.recommend(db_session, incident=incident, user=dispatcher, graph=graph).fills[0]
    assert fill.already_assigned == [b.id]
    assert (fill.needed, [c.unit.id for c in fill.choices]) == (1, [a.id])


def test_bomb_disposal_joins_an_explosion_only_when_it_is_suspicious(
    db_session: Session, dispatcher: User
) -> None:
    plain = incidents.open_incident(db_session, type_code="explosion", lon=67.2, lat=24.84, actor=dispatcher)
    odd = incidents.open_incident(
        db_session, type_code="explosion", lon=67.2, lat=24.84, actor=dispatcher, suspicious=True
    )
    agencies = [
        {f.item.agency for f in service.recommend(db_session, incident=i, user=dispatcher, graph=None).fills}
        for i in (plain, odd)
    ]
    assert AgencyType.BOMB_DISPOSAL not in agencies[0]
    assert AgencyType.BOMB_DISPOSAL in agencies[1]
    assert {AgencyType.FIRE_BRIGADE, AgencyType.RESCUE_1122, AgencyType.TRAFFIC_POLICE} <= agencies[0]


def test_dispatch_publishes_a_corridor_of_junctions_that_the_traffic_section_sees(
    db_session: Session, dispatcher: User
) -> None:
    graph = _river_graph()
    a = _car(db_session, graph, 1, "A")
    incident = _robbery(db_session, dispatcher)
    service.assign(db_session, incident=incident, unit_ids=[a.id], user=dispatcher, graph=graph)
    warden = _user(db_session, Role.TRAFFIC_OFFICER, "KOR-TRF")
    found = corridor.open_near(db_session, user=warden, lon=67.210, lat=24.8405, radius_m=500)
    assert len(found) == 1
    request, distance = found[0]
    assert [j["lon"] for j in request.junctions] == [67.210]  # the bridge: the only node with 3+ streets
    assert request.junctions[0]["eta_s"] == 120 and distance == pytest.approx(0, abs=1)
    published = db_session.scalars(select(OutboxEvent).where(OutboxEvent.type == "corridor.requested")).all()
    assert [e.payload["corridor_id"] for e in published] == [request.id]
    outsider = _user(db_session, Role.TRAFFIC_OFFICER, "KHI-STH")
    assert corridor.open_near(db_session, user=outsider) == []
    service.report_unit_status(db_session, unit=a, status=UnitStatus.ON_SCENE, actor=None)
    assert corridor.open_near(db_session, user=warden) == []


def test_closing_with_units_on_scene_is_refused_until_they_leave(
    db_session: Session, dispatcher: User
) -> None:
    graph = _river_graph()
    a = _car(db_session, graph, 1, "A")
    incident = _robbery(db_session, dispatcher)
    service.assign(db_session, incident=incident, unit_ids=[a.id], user=dispatcher)
    service.report_unit_status(db_session, unit=a, status=UnitStatus.ON_SCENE, actor=None)
    service.change_incident_status(
        db_session, incident=incident, status=IncidentStatus.CLEARED, actor=dispatcher
    )
    with pytest.raises(service.UnitsStillOnScene):
        service.change_incident_status(
            db_session, incident=incident, status=IncidentStatus.CLOSED, actor=dispatcher
        )
    service.report_unit_status(db_session, unit=a, status=UnitStatus.RETURNING, actor=None)
    service.change_incident_status(
        db_session, incident=incident, status=IncidentStatus.CLOSED, actor=dispatcher
    )
    assert incident.status is IncidentStatus.CLOSED


def test_agency_response_times_use_each_agencys_first_dispatch_and_first_arrival(
    db_session: Session, dispatcher: User
) -> None:
    graph = _river_graph()
    cars = [_car(db_session, graph, 1, f"P{i}") for i in range(3)]
    amb = _car(db_session, graph, 1, "AMB", UnitKind.AMBULANCE)
    first, second = _robbery(db_session, dispatcher), _robbery(db_session, dispatcher)
    plan = [
        (first, cars[0], 60, 300),
        (first, cars[1], 90, 250),
        (first, amb, 30, 600),
        (second, cars[2], 120, 500),
    ]
    for incident, unit, sent, arrived in plan:
        (assignment,) = service.assign(db_session, incident=incident, unit_ids=[unit.id], user=dispatcher)
        assignment.dispatched_at = T0 + timedelta(seconds=sent)
        at = T0 + timedelta(seconds=arrived)
        service.report_unit_status(db_session, unit=unit, status=UnitStatus.ON_SCENE, actor=None, at=at)
    got = service.agency_response_times(db_session, user=dispatcher)
    police, rescue = got[AgencyType.POLICE], got[AgencyType.RESCUE_1122]
    assert police.count == 2
    assert police.median_call_to_dispatch_s == 90  # first incident 60 s, second 120 s
    assert police.median_call_to_scene_s == 375  # 250 s (the faster car) and 500 s
    assert police.meets_target is True and police.within_target == 1
    assert (rescue.median_call_to_scene_s, rescue.meets_target) == (600, False)


def test_each_step_publishes_the_events_the_live_map_streams(db_session: Session, dispatcher: User) -> None:
    graph = _river_graph()
    a = _car(db_session, graph, 1, "A")
    incident = _robbery(db_session, dispatcher)
    service.assign(db_session, incident=incident, unit_ids=[a.id], user=dispatcher)
    service.report_unit_status(db_session, unit=a, status=UnitStatus.EN_ROUTE, actor=None)
    units.ingest_positions(db_session, {a.id: [units.Fix(67.2, 24.8405, datetime.now(UTC))]})
    published = db_session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    kinds = [
        e.type for e in published if e.payload.get("incident_id") == incident.id or e.key == f"unit:{a.id}"
    ]
    assert kinds == [
        "incident.created",
        "unit.status_changed",  # available -> dispatched
        "unit.dispatched",
        "incident.status_changed",  # new -> dispatched
        "unit.status_changed",  # dispatched -> en route
        "incident.status_changed",  # dispatched -> en route
        "unit.position",
    ]
