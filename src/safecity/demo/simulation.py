"""The living demo city: synthetic calls, dispatches, units driving their routes, scenes cleared.

`CitySimulation.step(now)` advances the city to ``now`` in one transaction,
through the same services a person's actions go through (calls, dispatch,
units), as the ``city-sim`` machine account, so the audit log, the outbox
and the live map see exactly what they would see in a real shift:

1. calls arrive as a Poisson process whose rate and type mix follow the
   local hour (`callmix`), at plausible places; a call near an open incident
   of its type is linked to it as a duplicate;
2. part of the new incidents are dispatched at once with `recommend`; the
   others wait ``dispatcher_grace_s`` for a person at the console, then the
   simulation dispatches them (incidents opened by people or ANPR too);
3. every dispatched or returning unit drives the fastest road route to the
   scene or its base, and idle Dolphin pairs and patrol vans patrol round
   their station, reporting AVL fixes every ``avl_interval_s`` (`motion`);
4. units arriving report *on scene*; after a while the scene is cleared
   (units return) and the incident closed once nobody is assigned.

What the simulation keeps in memory (trips, deadlines) follows from the
database, so after a failed step it forgets its trips and rebuilds them:
units dispatched by a person at the console are driven the same way.
Everything it creates says it is synthetic, and callers' numbers are in a
range no operator issues (`callmix.CALLER_PREFIX`).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safecity.calls import service as calls
from safecity.core.auth import User
from safecity.core.db import session_scope, utcnow
from safecity.core.errors import SafeCityError
from safecity.core.jobs import every
from safecity.core.org import OrgKind, OrgUnit
from safecity.demo import callmix
from safecity.demo.city import simulation_user
from safecity.demo.motion import FleetMotion
from safecity.demo.shift import SimulationConfig, StepReport, write_lock_first
from safecity.dispatch import service as dispatch
from safecity.incidents import service as incidents
from safecity.roads import RoadGraph
from safecity.units import service as units

__all__ = ["CitySimulation", "SimulationConfig", "StepReport"]

IS = incidents.IncidentStatus
U = units.UnitStatus
_LIVE = [IS.NEW, IS.DISPATCHED, IS.EN_ROUTE, IS.ON_SCENE, IS.CLEARED]
_SYNTHETIC = "[synthetic demo]"


class CitySimulation:
    """Runs the demo city; deterministic for a given ``seed`` and sequence of ``now`` values."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        graph: RoadGraph,
        *,
        seed: int | None = None,
        config: SimulationConfig | None = None,
        timezone: str = "Asia/Karachi",
    ) -> None:
        self.sessions = sessions
        self.graph = graph
        self.config = config or SimulationConfig()
        self.rng = np.random.default_rng(seed)
        self.zone = ZoneInfo(timezone)
        self.motion = FleetMotion(graph, self.config, self.rng)
        self._last: datetime | None = None
        self._dispatch_at: dict[int, datetime] = {}
        self._clear_at: dict[int, datetime] = {}
        self._places: list[callmix.Anchor] = []
        self._types: set[str] = set()

    # -- the loop --------------------------------------------------------------------
    def step(self, now: datetime) -> StepReport:
        report = StepReport(at=now)
        try:
            with session_scope(self.sessions) as session:
                write_lock_first(session)
                actor = simulation_user(session)
                self._load(session, actor)
                self._take_calls(session, actor, now, report)
                live = incidents.list_incidents(session, user=actor, statuses=_LIVE, limit=500)
                self._dispatch(session, actor, live, now, report)
                self.motion.start_trips(session, actor, now, report)
                self.motion.drive(session, actor, now, report)
                self._scenes(session, actor, live, now, report)
        except Exception:
            self.motion.forget()  # the database rolled back; trips are rebuilt from it next time
            raise
        finally:
            self._last = now
        return report

    async def run(self, stop: asyncio.Event, interval_s: float = 2.0) -> None:
        """Step with the wall clock until ``stop`` is set (a failing step is logged, not fatal)."""
        await every(interval_s, lambda: self.step(utcnow()), stop, what="demo city step")

    def _load(self, session: Session, actor: User) -> None:
        if self._places:
            return
        stations = session.scalars(
            select(OrgUnit).where(OrgUnit.kind == OrgKind.STATION).order_by(OrgUnit.code)
        )
        on_map = [
            (s.name, s.lon, s.lat)
            for s in stations
            if s.lon is not None and s.lat is not None and self._gap(s.lon, s.lat) < 1000.0
        ]
        self._places = [a for a in callmix.anchors(on_map) if self._gap(a.lon, a.lat) < 1000.0]
        self._types = {t.code for t in incidents.list_types(session)}

    def _gap(self, lon: float | None, lat: float | None) -> float:
        if lon is None or lat is None:
            return float("inf")
        _, gaps = self.graph.snap_many([lon], [lat])
        return float(gaps[0])

    def _node(self, lon: float, lat: float) -> int:
        return self.graph.snap(lon, lat)

    def _local_hour(self, now: datetime) -> int:
        return now.astimezone(self.zone).hour

    # -- 1. calls ----------------------------------------------------------------------
    def _take_calls(self, session: Session, actor: User, now: datetime, report: StepReport) -> None:
        if not self._places or (self._last is not None and now <= self._last):
            return
        if self._last is None:  # a warm start: a few calls "just came in" when the demo opens
            since = now - timedelta(minutes=1)
            count = self.config.warm_start_calls
        else:
            since = self._last
            rate = callmix.calls_per_hour(self.config.calls_per_hour, self._local_hour(now))
            count = int(self.rng.poisson(rate * (now - since).total_seconds() / 3600.0))
        for fraction in sorted(float(x) for x in self.rng.random(count)):
            received = since + (now - since) * fraction
            plan = callmix.plan_call(self.rng, self._local_hour(received), self._places, self._types)
            node = self._node(plan.lon, plan.lat)  # callers stand on a street
            lon, lat = float(self.graph.lon[node]), float(self.graph.lat[node])
            try:
                with session.begin_nested():
                    outcome = calls.take_call(
                        session,
                        caller_number=plan.caller_number,
                        language=plan.language,
                        type_code=plan.type_code,
                        actor=actor,
                        bbox=self.config.bbox,
                        lon=lon,
                        lat=lat,
                        landmark=plan.anchor.name,
                        description=callmix.describe(plan),
                        suspicious=plan.suspicious,
                        received_at=received,
                    )
                    report.calls += 1
                    if outcome.incident is not None:
                        report.incidents_opened += 1
                        auto = self.rng.random() < self.config.auto_dispatch_share
                        wait = 0.0 if auto else self.config.dispatcher_grace_s
                        self._dispatch_at[outcome.incident.id] = received + timedelta(seconds=wait)
                    elif outcome.duplicates:
                        nearest = outcome.duplicates[0][0]
                        calls.link(session, call=outcome.call, incident=nearest, actor=actor)
                        report.duplicates_linked += 1
            except SafeCityError as exc:
                report.skipped.append(f"call {plan.type_code}: {exc.detail}")

    # -- 2. dispatch ---------------------------------------------------------------------
    def _dispatch(
        self, session: Session, actor: User, live: list[incidents.Incident], now: datetime, report: StepReport
    ) -> None:
        for incident in live:
            if incident.status is not IS.NEW:
                continue
            grace = timedelta(seconds=self.config.dispatcher_grace_s)
            due = self._dispatch_at.setdefault(incident.id, incident.created_at + grace)
            if due > now:
                continue
            try:
                with session.begin_nested():
                    advice = dispatch.recommend(session, incident=incident, user=actor, graph=self.graph)
                    if not advice.unit_ids:
                        continue  # nobody free who fits: try again next step
                    sent = dispatch.assign(
                        session, incident=incident, unit_ids=advice.unit_ids, user=actor, graph=self.graph
                    )
                    report.dispatched_units += len(sent)
                    self._dispatch_at.pop(incident.id, None)
            except SafeCityError as exc:  # e.g. a person sent the same unit a moment ago
                report.skipped.append(f"dispatch {incident.reference}: {exc.detail}")

    # -- 4. scenes ----------------------------------------------------------------------
    def _scenes(
        self, session: Session, actor: User, live: list[incidents.Incident], now: datetime, report: StepReport
    ) -> None:
        low, high = self.config.scene_minutes
        for incident in live:
            try:
                with session.begin_nested():
                    if incident.status is IS.ON_SCENE:
                        if incident.id not in self._clear_at:
                            minutes = float(self.rng.uniform(low, high))
                            start = incident.on_scene_at or now
                            self._clear_at[incident.id] = start + timedelta(minutes=minutes)
                        due = self._clear_at[incident.id]
                        if due <= now:
                            dispatch.change_incident_status(
                                session,
                                incident=incident,
                                status=IS.CLEARED,
                                actor=actor,
                                note=f"{_SYNTHETIC} scene cleared",
                                release_units=True,
                            )
                            self._clear_at.pop(incident.id, None)
                            report.cleared += 1
                    elif incident.status is IS.CLEARED and not dispatch.assignments_of(
                        session, incident=incident, active_only=True
                    ):
                        dispatch.change_incident_status(
                            session,
                            incident=incident,
                            status=IS.CLOSED,
                            actor=actor,
                            note=f"{_SYNTHETIC} closed",
                        )
                        report.closed += 1
            except SafeCityError as exc:
                report.skipped.append(f"scene {incident.reference}: {exc.detail}")
