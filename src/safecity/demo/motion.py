"""The simulated fleet on the move: responding, returning to base, and Dolphin patrols.

Each moving unit has a `Trip` on the road graph. Which trip it should have
follows from the database each step — a dispatched or en-route unit drives to
its active assignment's incident, a returning one to its base, an available
patrol unit (Dolphin pairs, patrol vans) drives patrol legs around its
station — so a unit a person dispatched at the console is driven just the
same, and after a failed step the trips are simply rebuilt. Driving reports
AVL fixes through `units.ingest_positions`, the path MQTT fixes take.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from safecity.core.auth import User
from safecity.core.errors import SafeCityError
from safecity.core.org import OrgUnit
from safecity.demo.driving import Trip, plan_trip
from safecity.demo.shift import SimulationConfig, StepReport
from safecity.dispatch import service as dispatch
from safecity.incidents import service as incidents
from safecity.roads import RoadGraph
from safecity.roads.errors import NoRoute
from safecity.units import service as units

__all__ = ["FleetMotion"]

U = units.UnitStatus
_MOVING = [U.DISPATCHED, U.EN_ROUTE, U.RETURNING]
_OPEN = [
    incidents.IncidentStatus.NEW,
    incidents.IncidentStatus.DISPATCHED,
    incidents.IncidentStatus.EN_ROUTE,
    incidents.IncidentStatus.ON_SCENE,
    incidents.IncidentStatus.CLEARED,
]
_OFF_MAP_M = 1500.0  # a base further than this from any road is not on the loaded network


class FleetMotion:
    def __init__(self, graph: RoadGraph, config: SimulationConfig, rng: np.random.Generator) -> None:
        self.graph = graph
        self.config = config
        self.rng = rng
        self.trips: dict[int, Trip] = {}
        self._last_fix: dict[int, datetime] = {}

    def forget(self) -> None:
        """Drop the trips (the database rolled back); they are rebuilt from it next step."""
        self.trips.clear()

    def _node(self, lon: float, lat: float) -> int:
        return self.graph.snap(lon, lat)

    def _base(self, session: Session, unit: units.Unit) -> OrgUnit | None:
        base = session.get(OrgUnit, unit.home_station_id)
        if base is None or base.lon is None or base.lat is None:
            return None
        _, gaps = self.graph.snap_many([base.lon], [base.lat])
        return base if float(gaps[0]) <= _OFF_MAP_M else None

    # -- which trip each unit should be on -----------------------------------------------
    def start_trips(self, session: Session, actor: User, now: datetime, report: StepReport) -> None:
        moving = units.list_units(session, user=actor, statuses=_MOVING)
        idle = units.list_units(
            session, user=actor, statuses=[U.AVAILABLE], kinds=sorted(self.config.patrol_kinds)
        )
        keep = {u.id for u in moving} | {u.id for u in idle}
        for gone in [uid for uid in self.trips if uid not in keep]:
            del self.trips[gone]  # a person took the unit off the road
        targets = self._targets(session, actor)
        for unit in moving:
            self._respond_or_return(session, actor, unit, targets.get(unit.id), now, report)
        for unit in idle:
            trip = self.trips.get(unit.id)
            if (trip is None or trip.purpose != "patrol") and self._patrol(session, unit, now):
                report.patrols += 1

    def _targets(self, session: Session, actor: User) -> dict[int, incidents.Incident]:
        targets: dict[int, incidents.Incident] = {}
        for incident in incidents.list_incidents(session, user=actor, statuses=_OPEN, limit=500):
            for assignment in dispatch.assignments_of(session, incident=incident, active_only=True):
                targets[assignment.unit_id] = incident
        return targets

    def _respond_or_return(
        self,
        session: Session,
        actor: User,
        unit: units.Unit,
        target: incidents.Incident | None,
        now: datetime,
        report: StepReport,
    ) -> None:
        if unit.lon is None or unit.lat is None:
            return
        purpose = "return" if unit.status is U.RETURNING else "respond"
        incident_id = target.id if target is not None and purpose == "respond" else None
        trip = self.trips.get(unit.id)
        if trip is not None and trip.purpose == purpose and trip.incident_id == incident_id:
            return
        if purpose == "respond":
            if target is None:
                return
            dest: int | None = self._node(target.lon, target.lat)
        else:
            base = self._base(session, unit)
            dest = None if base is None else self._node(base.lon or 0.0, base.lat or 0.0)
        if dest is None:
            return
        pace = self.config.blue_light_pace if purpose == "respond" else 1.0
        try:
            with session.begin_nested():
                start = self._node(unit.lon, unit.lat)
                self.trips[unit.id] = plan_trip(
                    self.graph, start, dest, started=now, purpose=purpose, incident_id=incident_id, pace=pace
                )
                if unit.status is U.DISPATCHED:
                    dispatch.report_unit_status(session, unit=unit, status=U.EN_ROUTE, actor=actor, at=now)
        except (NoRoute, SafeCityError) as exc:
            report.skipped.append(f"trip {unit.call_sign}: {exc}")

    def _patrol(self, session: Session, unit: units.Unit, now: datetime) -> bool:
        """A leg to a random street within ``patrol_radius_m`` of the unit's base."""
        base = self._base(session, unit)
        if base is None or base.lon is None or base.lat is None or unit.lon is None or unit.lat is None:
            return False
        r = self.config.patrol_radius_m * math.sqrt(float(self.rng.random()))
        angle = float(self.rng.uniform(0.0, 2 * math.pi))
        lat = base.lat + r * math.sin(angle) / 111_320.0
        lon = base.lon + r * math.cos(angle) / (111_320.0 * math.cos(math.radians(base.lat)))
        try:
            trip = plan_trip(
                self.graph,
                self._node(unit.lon, unit.lat),
                self._node(lon, lat),
                started=now,
                purpose="patrol",
                pace=self.config.patrol_pace,
            )
        except NoRoute:
            return False
        self.trips[unit.id] = trip
        return True

    # -- driving -----------------------------------------------------------------------
    def _fix_times(self, unit_id: int, trip: Trip, now: datetime) -> list[datetime]:
        step = timedelta(seconds=self.config.avl_interval_s)
        t = max(self._last_fix.get(unit_id, trip.started), trip.started) + step
        times: list[datetime] = []
        while t <= now and t <= trip.ends and len(times) < self.config.max_fixes_per_step:
            times.append(t)
            t += step
        if trip.ends <= now and (not times or times[-1] < trip.ends):
            times.append(trip.ends)
        return times

    def drive(self, session: Session, actor: User, now: datetime, report: StepReport) -> None:
        """Report where every moving unit is (AVL) and what arrived (on scene, back at base)."""
        fixes: dict[int, list[units.Fix]] = defaultdict(list)
        arrivals: list[tuple[int, Trip]] = []
        for unit_id, trip in self.trips.items():
            times = self._fix_times(unit_id, trip, now)
            for when in times:
                p = trip.at(when)
                fixes[unit_id].append(units.Fix(p.lon, p.lat, when, p.speed_kph, p.heading))
            if times:
                self._last_fix[unit_id] = times[-1]
            if trip.ends <= now:
                arrivals.append((unit_id, trip))
        if fixes:
            report.fixes += units.ingest_positions(session, fixes)
        found = units.units_by_id(session, [uid for uid, _ in arrivals])
        for unit_id, trip in arrivals:
            del self.trips[unit_id]
            unit = found.get(unit_id)
            if unit is None or trip.purpose == "patrol":
                continue  # a patrol leg ends quietly; the next one starts next step
            status = U.ON_SCENE if trip.purpose == "respond" else U.AVAILABLE
            try:
                with session.begin_nested():
                    dispatch.report_unit_status(session, unit=unit, status=status, actor=actor, at=trip.ends)
                    report.arrived += 1
            except SafeCityError as exc:
                report.skipped.append(f"arrival {unit.call_sign}: {exc.detail}")
