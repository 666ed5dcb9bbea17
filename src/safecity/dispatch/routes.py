"""HTTP API for dispatch: response plans, recommendations, assignments, response times, corridors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from safecity.core.auth import Role, User
from safecity.core.errors import InvalidInput
from safecity.core.http import DbSession, get_settings, require
from safecity.dispatch import corridor, schemas, service
from safecity.incidents import service as incidents
from safecity.incidents.roles import COMMANDERS, DISPATCHERS, READERS
from safecity.roads import RoadGraph
from safecity.roads import service as roads_service

router = APIRouter(prefix="/api", tags=["dispatch"])

Reader = Annotated[User, Depends(require(*READERS))]
Commander = Annotated[User, Depends(require(*COMMANDERS))]
Dispatcher = Annotated[User, Depends(require(*DISPATCHERS))]
Traffic = Annotated[User, Depends(require(*DISPATCHERS, Role.TRAFFIC_OFFICER))]

_STRAIGHT_NOTE = (
    "no road graph is loaded: ETAs are straight-line distance x 1.3 at 30 km/h, a rough guess; "
    "set SAFECITY_ROAD_GRAPH_PATH for road travel times"
)
_ROAD_NOTE = "ETAs are road travel times on the loaded road graph (fastest path, current closures)"


def road_graph(request: Request) -> RoadGraph | None:
    """``app.state.road_graph`` when the app set one, else the installation's graph.

    The installation's graph is the one the map draws (imported extract or the packaged demo
    city), loaded once per file version, so ETAs and basemap never disagree.
    """
    graph: RoadGraph | None = getattr(request.app.state, "road_graph", None)
    if graph is not None:
        return graph
    return roads_service.graph_for(get_settings(request))


Graph = Annotated[RoadGraph | None, Depends(road_graph)]


def _plan_out(plan: service.Plan) -> schemas.PlanOut:
    source: Literal["custom", "default"] = "custom" if plan.source == "custom" else "default"
    return schemas.PlanOut(type=plan.type, source=source, items=plan.items, updated_at=plan.updated_at)


@router.get("/response-plans")
def list_plans(user: Reader, session: DbSession) -> list[schemas.PlanOut]:
    return [_plan_out(p) for p in service.list_plans(session)]


@router.get("/response-plans/{type_code}")
def get_plan(type_code: str, user: Reader, session: DbSession) -> schemas.PlanOut:
    return _plan_out(service.plan_for(session, type_code))


@router.put("/response-plans/{type_code}")
def set_plan(type_code: str, body: schemas.PlanIn, user: Commander, session: DbSession) -> schemas.PlanOut:
    return _plan_out(service.set_plan(session, type_code=type_code, items=body.items, actor=user))


def _choice(c: service.Choice) -> schemas.RecommendedUnit:
    u = c.unit
    assert u.lon is not None and u.lat is not None
    return schemas.RecommendedUnit(
        unit_id=u.id,
        call_sign=u.call_sign,
        kind=u.kind,
        agency=u.agency,
        home_station_id=u.home_station_id,
        skills=list(u.skills),
        eta_s=c.eta_s,
        distance_m=c.distance_m,
        lon=u.lon,
        lat=u.lat,
        reason=c.reason,
    )


@router.get("/incidents/{incident_id}/recommendations")
def recommendations(
    incident_id: int, user: Dispatcher, session: DbSession, graph: Graph
) -> schemas.RecommendationOut:
    incident = incidents.get(session, incident_id=incident_id, user=user)
    rec = service.recommend(session, incident=incident, user=user, graph=graph)
    return schemas.RecommendationOut(
        incident_id=incident.id,
        reference=incident.reference,
        type=incident.type_code,
        plan_source="custom" if rec.plan.source == "custom" else "default",
        eta_method=rec.eta_method,
        eta_note=_ROAD_NOTE if rec.eta_method == "road" else _STRAIGHT_NOTE,
        items=[
            schemas.PlanFill(
                item=f.item,
                already_assigned=f.already_assigned,
                needed=f.needed,
                units=[_choice(c) for c in f.choices],
                shortfall=f.shortfall,
            )
            for f in rec.fills
        ],
        unit_ids=rec.unit_ids,
    )


@router.post("/incidents/{incident_id}/assignments", status_code=201)
def assign(
    incident_id: int, body: schemas.AssignmentIn, user: Dispatcher, session: DbSession, graph: Graph
) -> list[schemas.AssignmentOut]:
    incident = incidents.get(session, incident_id=incident_id, user=user)
    created = service.assign(session, incident=incident, unit_ids=body.unit_ids, user=user, graph=graph)
    return [schemas.AssignmentOut.model_validate(a) for a in created]


@router.get("/incidents/{incident_id}/assignments")
def list_assignments(
    incident_id: int, user: Reader, session: DbSession, active: bool = False
) -> list[schemas.AssignmentOut]:
    incident = incidents.get(session, incident_id=incident_id, user=user)
    found = service.assignments_of(session, incident=incident, active_only=active)
    return [schemas.AssignmentOut.model_validate(a) for a in found]


@router.get("/response-times")
def response_times(
    user: Reader, session: DbSession, since: datetime | None = None, until: datetime | None = None
) -> list[schemas.AgencyResponseTimes]:
    """Median response times per agency against the 7-minute target (incidents by first call time)."""
    found = service.agency_response_times(session, user=user, since=since, until=until)
    return [
        schemas.AgencyResponseTimes(
            agency=agency,
            incidents=s.count,
            median_call_to_dispatch_s=s.median_call_to_dispatch_s,
            median_dispatch_to_scene_s=s.median_dispatch_to_scene_s,
            median_call_to_scene_s=s.median_call_to_scene_s,
            target_s=s.target_s,
            within_target=s.within_target,
            meets_target=s.meets_target,
        )
        for agency, s in found.items()
    ]


def _near(near: str | None) -> tuple[float | None, float | None]:
    if near is None:
        return None, None
    try:
        lon_text, lat_text = near.split(",")
        lon, lat = float(lon_text), float(lat_text)
    except ValueError as exc:
        raise InvalidInput("near must be 'lon,lat'", field="near") from exc
    if not (abs(lon) <= 180 and abs(lat) <= 90):
        raise InvalidInput("near must be 'lon,lat' in degrees", field="near")
    return lon, lat


@router.get("/corridors")
def list_corridors(
    user: Traffic,
    session: DbSession,
    near: str | None = Query(default=None, description="lon,lat of the officer"),
    unit_id: int | None = Query(default=None, description="a traffic unit: the queue near its last position"),
    radius_m: float = Query(default=2000.0, gt=0, le=50_000),
) -> list[schemas.CorridorOut]:
    """Open corridor requests in the caller's districts; with ``near`` or ``unit_id``, those close by."""
    if unit_id is not None:
        found = corridor.queue_of_unit(session, user=user, unit_id=unit_id, radius_m=radius_m)
    else:
        lon, lat = _near(near)
        found = corridor.open_near(session, user=user, lon=lon, lat=lat, radius_m=radius_m)
    return [
        schemas.CorridorOut.model_validate(r).model_copy(update={"nearest_junction_m": d}) for r, d in found
    ]


@router.post("/corridors/{corridor_id}/acknowledge")
def acknowledge_corridor(corridor_id: int, user: Traffic, session: DbSession) -> schemas.CorridorOut:
    return schemas.CorridorOut.model_validate(
        corridor.acknowledge(session, corridor_id=corridor_id, user=user)
    )
