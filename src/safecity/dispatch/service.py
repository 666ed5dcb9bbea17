"""Dispatch rules: response plans, recommendations, assignments, and how unit reports move incidents.

Sending units is all-or-nothing: if one unit of a one-click confirmation
was taken by another dispatcher a moment earlier, the whole request fails
with `UnitNotAvailable` and the transaction rolls back, so the dispatcher
re-asks for recommendations instead of sending half a plan unknowingly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.core import audit, events
from safecity.core.auth import User, scope_ids
from safecity.core.db import utcnow
from safecity.core.errors import Conflict
from safecity.core.http import current_request_id
from safecity.core.org import AgencyType
from safecity.dispatch import corridor
from safecity.dispatch.models import Assignment, ResponsePlan
from safecity.dispatch.repository import DispatchRepository
from safecity.dispatch.schemas import PlanItem
from safecity.incidents import service as incidents
from safecity.incidents.response_times import Figures, Summary, figures, summarise
from safecity.roads import RoadGraph
from safecity.units import service as units
from safecity.units.proximity import EtaMethod, estimate

__all__ = [
    "IncidentNotOpen",
    "Plan",
    "UnitsStillOnScene",
    "agency_response_times",
    "assign",
    "assignments_of",
    "change_incident_status",
    "list_plans",
    "plan_for",
    "report_unit_status",
    "set_plan",
]

_RELEASING = frozenset({units.UnitStatus.RETURNING, units.UnitStatus.AVAILABLE})
_RELEASING |= {units.UnitStatus.OFF_DUTY, units.UnitStatus.OUT_OF_SERVICE}


class IncidentNotOpen(Conflict):
    """Units can only be sent to an incident that is still open."""


class UnitsStillOnScene(Conflict):
    """An incident cannot be closed while units are still assigned to it."""


@dataclass(frozen=True, slots=True)
class Plan:
    type: str
    source: str
    items: list[PlanItem]
    updated_at: datetime | None


# -- plans ----------------------------------------------------------------------------
def plan_for(session: Session, type_code: str) -> Plan:
    kind = incidents.get_type(session, type_code)
    stored = DispatchRepository(session).plan(kind.code)
    if stored is not None:
        items = [PlanItem.model_validate(i) for i in stored.items]
        return Plan(kind.code, "custom", items, stored.updated_at)
    defaults = [PlanItem.from_spec(s) for s in incidents.default_plan(kind.code)]
    return Plan(kind.code, "default", defaults, None)


def list_plans(session: Session) -> list[Plan]:
    return [plan_for(session, t.code) for t in incidents.list_types(session)]


def set_plan(session: Session, *, type_code: str, items: list[PlanItem], actor: User) -> Plan:
    kind = incidents.get_type(session, type_code)
    repo = DispatchRepository(session)
    stored = repo.plan(kind.code) or ResponsePlan(type_code=kind.code)
    before = stored.items if stored.items else None
    stored.items = [i.model_dump(mode="json") for i in items]
    stored.updated_at, stored.updated_by = utcnow(), actor.id
    session.add(stored)
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="response_plan.update",
        object_type="response_plan",
        object_id=kind.code,
        request_id=current_request_id(),
        details={"before": before, "after": stored.items},
    )
    return plan_for(session, kind.code)


# -- assignments --------------------------------------------------------------------
def assignments_of(
    session: Session, *, incident: incidents.Incident, active_only: bool = False
) -> list[Assignment]:
    return DispatchRepository(session).of_incident(incident.id, active_only=active_only)


def _eta(
    graph: RoadGraph | None, incident: incidents.Incident, unit: units.Unit
) -> tuple[float | None, EtaMethod]:
    if unit.lon is None or unit.lat is None:
        return None, "road" if graph is not None else "straight_line"
    found, method = estimate(graph, (incident.lon, incident.lat), [(str(unit.id), unit.lon, unit.lat)], 1)
    return (found[0].eta_s if found else None), method


def assign(
    session: Session,
    *,
    incident: incidents.Incident,
    unit_ids: list[int],
    user: User,
    graph: RoadGraph | None = None,
) -> list[Assignment]:
    """Send units (all or none); each becomes *dispatched* through the race-safe `units.claim`."""
    if incident.status not in incidents.OPEN_STATUSES:
        raise IncidentNotOpen(
            f"incident {incident.reference} is {incident.status.value}", field="incident_id"
        )
    now = utcnow()
    created: list[Assignment] = []
    for unit_id in dict.fromkeys(unit_ids):
        unit = units.get(session, unit_id=unit_id, user=user)
        units.claim(session, unit=unit, at=now)
        eta, method = _eta(graph, incident, unit)
        assignment = Assignment(
            incident_id=incident.id,
            unit_id=unit.id,
            agency=unit.agency,
            station_id=incident.station_id,
            call_received_at=incident.call_received_at,
            dispatched_at=now,
            dispatched_by=user.id,
            eta_s=eta,
            eta_method=method,
        )
        session.add(assignment)
        session.flush()
        created.append(assignment)
        events.publish(
            session,
            "unit.dispatched",
            {
                "assignment_id": assignment.id,
                "incident_id": incident.id,
                "reference": incident.reference,
                "unit_id": unit.id,
                "call_sign": unit.call_sign,
                "agency": unit.agency.value,
                "eta_s": eta,
                "eta_method": method,
                "incident_lon": incident.lon,
                "incident_lat": incident.lat,
                "org_unit_id": incident.station_id,
            },
            key=f"unit:{unit.id}",
        )
        if graph is not None:
            corridor.request_corridor(session, graph=graph, incident=incident, unit=unit, actor=user)
    incidents.report_progress(
        session, incident=incident, reported=incidents.IncidentStatus.DISPATCHED, actor=user, at=now
    )
    audit.record(
        session,
        actor=actor_of(user),
        action="incident.assign",
        object_type="incident",
        object_id=str(incident.id),
        request_id=current_request_id(),
        details={"units": [a.unit_id for a in created]},
    )
    return created


def report_unit_status(
    session: Session,
    *,
    unit: units.Unit,
    status: units.UnitStatus,
    actor: User | None,
    at: datetime | None = None,
) -> units.Unit:
    """A unit's status report, carried through to its assignment and incident."""
    at = at or utcnow()
    before = units.set_status(session, unit=unit, status=status, actor=actor, at=at)
    if before is status:
        return unit
    repo = DispatchRepository(session)
    assignment = repo.active_of_unit(unit.id)
    if assignment is None:
        return unit
    incident = incidents.by_id(session, assignment.incident_id)
    if status is units.UnitStatus.EN_ROUTE:
        assignment.en_route_at = assignment.en_route_at or at
        incidents.report_progress(
            session, incident=incident, reported=incidents.IncidentStatus.EN_ROUTE, actor=actor, at=at
        )
    elif status is units.UnitStatus.ON_SCENE:
        assignment.on_scene_at = assignment.on_scene_at or at
        corridor.close_for_unit(session, unit_id=unit.id)
        incidents.report_progress(
            session, incident=incident, reported=incidents.IncidentStatus.ON_SCENE, actor=actor, at=at
        )
    elif status in _RELEASING:
        assignment.released_at = at
        corridor.close_for_unit(session, unit_id=unit.id)
    session.flush()
    return unit


def change_incident_status(
    session: Session,
    *,
    incident: incidents.Incident,
    status: incidents.IncidentStatus,
    actor: User,
    note: str | None = None,
    release_units: bool = False,
) -> incidents.Incident:
    """Clear, close or cancel; closing with units still assigned is refused (409)."""
    S = incidents.IncidentStatus
    active = DispatchRepository(session).of_incident(incident.id, active_only=True)
    engaged = units.units_by_id(session, [a.unit_id for a in active])
    release_to = {S.CLEARED: units.UnitStatus.RETURNING, S.CANCELLED: units.UnitStatus.AVAILABLE}.get(status)
    if status is S.CLOSED and active:
        described = ", ".join(f"{u.call_sign} ({u.status.value})" for u in engaged.values())
        raise UnitsStillOnScene(
            f"incident {incident.reference} still has units assigned: {described}",
            field="status",
            unit_ids=sorted(engaged),
        )
    incidents.check_transition(incident.status, status)
    if release_to is not None and (release_units or status is S.CANCELLED):
        for unit in engaged.values():
            report_unit_status(session, unit=unit, status=release_to, actor=actor)
    return incidents.transition(session, incident=incident, to=status, actor=actor, note=note)


# -- response times ------------------------------------------------------------------
def agency_response_times(
    session: Session, *, user: User, since: datetime | None = None, until: datetime | None = None
) -> dict[AgencyType, Summary]:
    """Per agency, each incident's first dispatch and first arrival of that agency; medians vs target."""
    rows = DispatchRepository(session).agency_times(scope_ids(session, user), since=since, until=until)
    earliest: dict[tuple[int, AgencyType], tuple[datetime, datetime, datetime | None]] = {}
    for incident_id, agency, call_at, dispatched_at, on_scene_at in rows:
        prior = earliest.get((incident_id, agency))
        if prior is not None:  # the agency's earliest dispatch and earliest arrival count
            dispatched_at = min(dispatched_at, prior[1])
            arrivals = [t for t in (on_scene_at, prior[2]) if t is not None]
            on_scene_at = min(arrivals) if arrivals else None
        earliest[(incident_id, agency)] = (call_at, dispatched_at, on_scene_at)
    per_agency: dict[AgencyType, list[Figures]] = defaultdict(list)
    for (_, agency), times in earliest.items():
        per_agency[agency].append(figures(*times))
    return {agency: summarise(rows_) for agency, rows_ in sorted(per_agency.items())}


# -- recommendations ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Choice:
    unit: units.Unit
    eta_s: float
    distance_m: float
    reason: str


@dataclass(frozen=True, slots=True)
class Fill:
    item: PlanItem
    already_assigned: list[int]
    needed: int
    choices: list[Choice]

    @property
    def shortfall(self) -> int:
        return self.needed - len(self.choices)


@dataclass(frozen=True, slots=True)
class Recommendation:
    incident: incidents.Incident
    plan: Plan
    eta_method: EtaMethod
    fills: list[Fill]

    @property
    def unit_ids(self) -> list[int]:
        return [c.unit.id for f in self.fills for c in f.choices]


def _fits(unit: units.Unit, item: PlanItem) -> bool:
    return (
        unit.agency is item.agency and unit.kind in item.unit_kinds and set(item.skills) <= set(unit.skills)
    )


def _reason(unit: units.Unit, item: PlanItem, eta_s: float, distance_m: float, method: EtaMethod) -> str:
    minutes, seconds = divmod(round(eta_s), 60)
    how = "by road" if method == "road" else "by straight-line estimate"
    skills = f"; skills: {', '.join(unit.skills)}" if unit.skills else ""
    return (
        f"fastest available {unit.kind.value} of {unit.agency.value} {how}: "
        f"ETA {minutes} min {seconds:02d} s, {distance_m / 1000:.1f} km away{skills}"
    )


def recommend(
    session: Session, *, incident: incidents.Incident, user: User, graph: RoadGraph | None
) -> Recommendation:
    """Fill the incident type's plan, item by item, with the fastest qualified available units.

    Units already assigned to the incident count towards the items they fit;
    a unit is never proposed for two items.
    """
    plan = plan_for(session, incident.type_code)
    items = [i for i in plan.items if incident.suspicious or not i.only_if_suspicious]
    active = DispatchRepository(session).of_incident(incident.id, active_only=True)
    on_incident = list(units.units_by_id(session, [a.unit_id for a in active]).values())
    pool = [
        u
        for u in units.list_units(session, user=user, statuses=[units.UnitStatus.AVAILABLE])
        if u.lon is not None and u.lat is not None
    ]
    used: set[int] = set()
    fills: list[Fill] = []
    method: EtaMethod = "road" if graph is not None else "straight_line"
    for item in items:
        covered = [u.id for u in on_incident if u.id not in used and _fits(u, item)][: item.count]
        used.update(covered)
        needed = item.count - len(covered)
        candidates = [u for u in pool if u.id not in used and _fits(u, item)]
        by_id = {str(u.id): u for u in candidates}
        rows = [(str(u.id), u.lon, u.lat) for u in candidates if u.lon is not None and u.lat is not None]
        ranked, method = (
            estimate(graph, (incident.lon, incident.lat), rows, needed) if needed else ([], method)
        )
        choices = [
            Choice(
                by_id[e.key],
                e.eta_s,
                e.distance_m,
                _reason(by_id[e.key], item, e.eta_s, e.distance_m, method),
            )
            for e in ranked
        ]
        used.update(c.unit.id for c in choices)
        fills.append(Fill(item, covered, needed, choices))
    return Recommendation(incident=incident, plan=plan, eta_method=method, fills=fills)
