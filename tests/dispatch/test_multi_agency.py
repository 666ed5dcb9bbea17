"""Multi-agency response plans: recommend across agencies by road ETA, explain, confirm in one call."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.accounts import service as accounts
from safecity.core.audit import AuditEntry
from safecity.core.auth import Role, User
from safecity.core.org import AgencyType, load_tree_file
from safecity.core.outbox import OutboxEvent
from safecity.demo.seed import DEMO_ORG_FILE
from safecity.dispatch import service
from safecity.dispatch.models import CorridorRequest
from safecity.dispatch.schemas import PlanItem
from safecity.incidents import service as incidents
from safecity.incidents.models import Incident, IncidentStatus
from safecity.roads import RoadGraph
from safecity.units import service as units
from safecity.units.models import Unit, UnitKind, UnitStatus

_HOME = {
    AgencyType.POLICE: "KOR-LND",
    AgencyType.RESCUE_1122: "KOR-R1122",
    AgencyType.FIRE_BRIGADE: "KOR-FIRE",
    AgencyType.TRAFFIC_POLICE: "KOR-TRF",
    AgencyType.BOMB_DISPOSAL: "KOR-BDU",
    AgencyType.CIVIL_DEFENCE: "KOR-CD",
}
_SIDE = 10  # the incident is at node 0, the south-west corner of a 10 x 10 grid of 100 m blocks


def _grid() -> RoadGraph:
    """Every block takes 10 s either way, so a unit's ETA is 10 s per block it must drive."""
    ix, iy = np.meshgrid(np.arange(_SIDE), np.arange(_SIDE))
    lon, lat = 67.20 + ix.ravel() * 0.001, 24.84 + iy.ravel() * 0.0009
    node = np.arange(_SIDE * _SIDE).reshape(_SIDE, _SIDE)
    pairs = np.concatenate(
        [
            np.column_stack((node[:, :-1].ravel(), node[:, 1:].ravel())),
            np.column_stack((node[:-1].ravel(), node[1:].ravel())),
        ]
    )
    src, dst = np.r_[pairs[:, 0], pairs[:, 1]], np.r_[pairs[:, 1], pairs[:, 0]]
    return RoadGraph.from_arrays(lon, lat, src, dst, np.full(len(src), 10.0))


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


def _unit(
    session: Session,
    graph: RoadGraph,
    blocks: int,
    kind: UnitKind,
    agency: AgencyType,
    skills: tuple[str, ...] = (),
) -> Unit:
    """A unit ``blocks`` blocks east of the incident corner (further ones wrap to the next street)."""
    node = blocks % _SIDE + _SIDE * (blocks // _SIDE)
    return units.create_unit(
        session,
        call_sign=f"{kind.value[:3].upper()}-{uuid.uuid4().hex[:6]}",
        kind=kind,
        agency=agency,
        home_station=_HOME[agency],
        actor=None,
        skills=skills,
        lon=float(graph.lon[node]),
        lat=float(graph.lat[node]),
    )


def _incident(session: Session, user: User, type_code: str, *, suspicious: bool = False) -> Incident:
    return incidents.open_incident(
        session, type_code=type_code, lon=67.20, lat=24.84, actor=user, suspicious=suspicious
    )


def test_a_suspicious_industrial_explosion_is_filled_across_five_agencies_and_sent_in_one_call(
    db_session: Session, dispatcher: User
) -> None:
    graph = _grid()
    K, A = UnitKind, AgencyType
    tenders = [
        _unit(db_session, graph, b, K.FIRE_TENDER, A.FIRE_BRIGADE, ("firefighting",)) for b in (6, 2, 4)
    ]
    ambulances = [_unit(db_session, graph, b, K.AMBULANCE, A.RESCUE_1122, ("paramedic",)) for b in (8, 1, 3)]
    resting = _unit(db_session, graph, 0, K.AMBULANCE, A.RESCUE_1122)
    units.set_status(db_session, unit=resting, status=UnitStatus.OFF_DUTY, actor=None)
    _unit(db_session, graph, 0, K.DOLPHIN_PAIR, A.POLICE)  # nearest police, but not the kind asked for
    cars = [_unit(db_session, graph, b, K.RESPONSE_CAR, A.POLICE) for b in (5, 2)]
    warden = _unit(db_session, graph, 3, K.TRAFFIC_WARDEN, A.TRAFFIC_POLICE)
    robot = _unit(db_session, graph, 17, K.BOMB_DISPOSAL_ROBOT, A.BOMB_DISPOSAL, ("eod", "robot"))
    incident = _incident(db_session, dispatcher, "explosion", suspicious=True)

    rec = service.recommend(db_session, incident=incident, user=dispatcher, graph=graph)
    chosen = {f.item.agency: [c.unit.id for c in f.choices] for f in rec.fills}
    assert chosen == {
        A.FIRE_BRIGADE: [tenders[1].id, tenders[2].id],
        A.RESCUE_1122: [ambulances[1].id, ambulances[2].id],
        A.POLICE: [cars[1].id],
        A.TRAFFIC_POLICE: [warden.id],
        A.BOMB_DISPOSAL: [robot.id],
    }
    assert all(f.shortfall == 0 for f in rec.fills)
    robot_choice = next(c for f in rec.fills for c in f.choices if c.unit.id == robot.id)
    assert robot_choice.eta_s == pytest.approx(80)  # 7 blocks east and 1 north, not the 17 of its id
    assert robot_choice.distance_m == pytest.approx(715, rel=0.02)
    assert "ETA 1 min 20 s" in robot_choice.reason and "0.7 km" in robot_choice.reason
    assert "skills: eod, robot" in robot_choice.reason

    sent = service.assign(db_session, incident=incident, unit_ids=rec.unit_ids, user=dispatcher, graph=graph)
    assert sorted(a.unit_id for a in sent) == sorted(rec.unit_ids)
    assert {a.agency for a in sent} == set(chosen)
    assert [a.eta_s for a in sent if a.unit_id == robot.id] == [pytest.approx(80)]
    assert all(
        u.status is UnitStatus.DISPATCHED for u in units.units_by_id(db_session, rec.unit_ids).values()
    )
    assert incident.status is IncidentStatus.DISPATCHED
    again = service.recommend(db_session, incident=incident, user=dispatcher, graph=graph)
    assert again.unit_ids == [] and sum(len(f.already_assigned) for f in again.fills) == 7


def test_civil_defence_robots_and_drones_are_dispatchable_for_a_building_collapse(
    db_session: Session, dispatcher: User
) -> None:
    graph = _grid()
    K, A = UnitKind, AgencyType
    _unit(db_session, graph, 1, K.DRONE_TEAM, A.POLICE)  # a police drone does not fill civil defence's item
    drone = _unit(db_session, graph, 4, K.DRONE_TEAM, A.CIVIL_DEFENCE, ("aerial_survey",))
    robot = _unit(db_session, graph, 9, K.RESCUE_ROBOT, A.CIVIL_DEFENCE, ("search_in_rubble",))
    incident = _incident(db_session, dispatcher, "building_collapse")
    rec = service.recommend(db_session, incident=incident, user=dispatcher, graph=graph)
    civil = [f for f in rec.fills if f.item.agency is A.CIVIL_DEFENCE]
    eyes = next(f for f in civil if K.RESCUE_ROBOT in f.item.unit_kinds)
    assert [c.unit.id for c in eyes.choices] == [drone.id]
    rescue_team = next(f for f in civil if f.item.unit_kinds == [K.RESCUE_TEAM])
    assert rescue_team.shortfall == 1  # nobody of that kind exists: shown, not silently dropped
    (sent,) = service.assign(db_session, incident=incident, unit_ids=[robot.id], user=dispatcher, graph=graph)
    assert (sent.agency, robot.status) == (A.CIVIL_DEFENCE, UnitStatus.DISPATCHED)


def test_a_plan_item_that_needs_a_skill_skips_faster_units_without_it(
    db_session: Session, dispatcher: User
) -> None:
    graph = _grid()
    _unit(db_session, graph, 1, UnitKind.RESCUE_ROBOT, AgencyType.CIVIL_DEFENCE, ("search_in_rubble",))
    sniffer = _unit(db_session, graph, 6, UnitKind.RESCUE_ROBOT, AgencyType.CIVIL_DEFENCE, ("gas_detection",))
    incident = _incident(db_session, dispatcher, "gas_leak")
    rec = service.recommend(db_session, incident=incident, user=dispatcher, graph=graph)
    (fill,) = [f for f in rec.fills if f.item.agency is AgencyType.CIVIL_DEFENCE]
    assert [c.unit.id for c in fill.choices] == [sniffer.id]
    assert "gas_detection" in fill.choices[0].reason


def test_editing_a_response_plan_is_audited_with_before_and_after(
    db_session: Session, dispatcher: User
) -> None:
    supervisor = _user(db_session, Role.SUPERVISOR, "KHI-KOR")
    first = [PlanItem(agency=AgencyType.FIRE_BRIGADE, unit_kinds=[UnitKind.FIRE_TENDER], count=3)]
    second = [*first, PlanItem(agency=AgencyType.CIVIL_DEFENCE, unit_kinds=[UnitKind.RESCUE_ROBOT], count=1)]
    service.set_plan(db_session, type_code="fire", items=first, actor=supervisor)
    plan = service.set_plan(db_session, type_code="fire", items=second, actor=supervisor)
    assert (plan.source, [i.count for i in plan.items]) == ("custom", [3, 1])
    entries = db_session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "response_plan.update", AuditEntry.object_id == "fire")
        .order_by(AuditEntry.index)
    ).all()
    assert [e.actor for e in entries][-2:] == [supervisor.username] * 2
    assert entries[-1].details is not None
    assert [i["agency"] for i in entries[-1].details["before"]] == ["fire_brigade"]
    assert [i["agency"] for i in entries[-1].details["after"]] == ["fire_brigade", "civil_defence"]


def test_every_dispatched_unit_with_a_route_gets_a_corridor_event(
    db_session: Session, dispatcher: User
) -> None:
    graph = _grid()
    tender = _unit(db_session, graph, 35, UnitKind.FIRE_TENDER, AgencyType.FIRE_BRIGADE)
    ambulance = _unit(db_session, graph, 53, UnitKind.AMBULANCE, AgencyType.RESCUE_1122)
    incident = _incident(db_session, dispatcher, "fire")
    service.assign(
        db_session, incident=incident, unit_ids=[tender.id, ambulance.id], user=dispatcher, graph=graph
    )
    requests = db_session.scalars(
        select(CorridorRequest).where(CorridorRequest.incident_id == incident.id)
    ).all()
    assert sorted(r.unit_id for r in requests) == sorted([tender.id, ambulance.id])
    assert all(r.route_seconds == 80 and len(r.junctions) >= 1 for r in requests)
    events = db_session.scalars(select(OutboxEvent).where(OutboxEvent.type == "corridor.requested")).all()
    assert {e.payload["corridor_id"] for e in events} >= {r.id for r in requests}
