"""The living demo city: calls arrive, units are sent and drive along real roads, scenes are cleared
and incidents closed — and nothing it does breaks the rules a person's actions obey."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safecity.calls.models import Call
from safecity.core import audit
from safecity.demo.callmix import CALLER_PREFIX
from safecity.demo.simulation import CitySimulation, SimulationConfig, StepReport
from safecity.dispatch.models import Assignment
from safecity.incidents.models import Incident, IncidentStatus
from safecity.roads import RoadGraph
from safecity.units.models import Unit, UnitPosition, UnitStatus

BUSY = {UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE}
# A busy city, so that half an hour shows every stage of an incident's life.
FAST = SimulationConfig(
    calls_per_hour=90.0, auto_dispatch_share=0.5, dispatcher_grace_s=60.0, scene_minutes=(1, 3)
)


def _run(sim: CitySimulation, start: datetime, steps: int, every_s: float) -> list[StepReport]:
    return [sim.step(start + timedelta(seconds=every_s * i)) for i in range(steps)]


def _off_road_m(graph: RoadGraph, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance in metres from each point to the nearest arc (straight chord between its nodes)."""
    a = graph.project(graph.lon[graph.edge_source], graph.lat[graph.edge_source])
    b = graph.project(graph.lon[graph.edge_target], graph.lat[graph.edge_target])
    p = graph.project(lon, lat)
    ab = b - a
    length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
    out = np.empty(len(p))
    for i, point in enumerate(p):
        t = np.clip(((point - a) * ab).sum(axis=1) / length2, 0.0, 1.0)
        nearest = a + t[:, None] * ab
        out[i] = np.sqrt(((nearest - point) ** 2).sum(axis=1)).min()
    return out


@pytest.fixture(scope="module")
def ran(city_sessions: sessionmaker[Session], demo_graph: RoadGraph) -> list[StepReport]:
    sim = CitySimulation(city_sessions, demo_graph, seed=7, config=FAST)
    return _run(sim, datetime.now(UTC), steps=90, every_s=20.0)  # 30 minutes of city time


def test_half_an_hour_of_city_brings_calls_dispatches_arrivals_and_closed_incidents(
    ran: list[StepReport], city_sessions: sessionmaker[Session]
) -> None:
    total = Counter[str]()
    for report in ran:
        total.update(
            calls=report.calls,
            opened=report.incidents_opened,
            sent=report.dispatched_units,
            fixes=report.fixes,
            arrived=report.arrived,
            cleared=report.cleared,
            closed=report.closed,
        )
    assert total["calls"] >= 20 and total["opened"] >= 10
    assert total["sent"] >= 10 and total["fixes"] >= 200
    assert total["arrived"] >= 5 and total["cleared"] >= 1 and total["closed"] >= 1
    with city_sessions() as session:
        statuses = Counter(session.scalars(select(Incident.status)))
    assert statuses[IncidentStatus.CLOSED] == total["closed"]


def test_every_synthetic_call_is_marked_and_uses_the_reserved_number_range(
    ran: list[StepReport], city_sessions: sessionmaker[Session]
) -> None:
    with city_sessions() as session:
        found = list(session.scalars(select(Call)))
        kinds = Counter(c.type_code for c in found)
    assert found and all(c.caller_number.startswith(CALLER_PREFIX) for c in found)
    assert all("synthetic" in c.description for c in found)
    assert len(kinds) >= 4  # a mix, not one type over and over


def test_units_move_only_along_the_road_network(
    ran: list[StepReport], city_sessions: sessionmaker[Session], demo_graph: RoadGraph
) -> None:
    with city_sessions() as session:
        fixes = session.execute(select(UnitPosition.unit_id, UnitPosition.lon, UnitPosition.lat)).all()
    moved = {unit_id for unit_id, _, _ in fixes}
    assert len(moved) >= 5
    sample = fixes[:: max(1, len(fixes) // 150)]
    lon = np.array([f.lon for f in sample])
    lat = np.array([f.lat for f in sample])
    assert float(_off_road_m(demo_graph, lon, lat).max()) < 1.0


def test_no_invariant_is_broken(ran: list[StepReport], city_sessions: sessionmaker[Session]) -> None:
    with city_sessions() as session:
        fleet = list(session.scalars(select(Unit)))
        active = Counter(session.scalars(select(Assignment.unit_id).where(Assignment.released_at.is_(None))))
        closed_with_units = session.scalars(
            select(Incident.reference)
            .join(Assignment, Assignment.incident_id == Incident.id)
            .where(Incident.status == IncidentStatus.CLOSED, Assignment.released_at.is_(None))
        ).all()
        report = audit.verify_log(session)
    for unit in fleet:
        assert active[unit.id] == (1 if unit.status in BUSY else 0), unit.call_sign
    assert closed_with_units == []
    assert report.ok, report.reason
    assert [why for r in ran for why in r.skipped] == []  # no service refused the simulation


def test_callers_are_reproducible_and_follow_the_hour_of_day() -> None:
    from safecity.demo import callmix

    places = callmix.anchors([("Landhi", 67.2, 24.849)])
    assert callmix.plan_call(np.random.default_rng(3), 20, places) == callmix.plan_call(
        np.random.default_rng(3), 20, places
    )
    night = Counter(callmix.plan_call(np.random.default_rng(i), 3, places).type_code for i in range(400))
    rush = Counter(callmix.plan_call(np.random.default_rng(i), 18, places).type_code for i in range(400))
    assert rush["road_accident"] > night["road_accident"]
    assert night["burglary"] > rush["burglary"]
