"""Emergency corridors: the junctions on a dispatched unit's route, for traffic police to hold open.

A junction is a route node where three or more streets meet, or where the
road class changes (a local street joining an arterial): the places where
a warden can stop cross traffic. Each carries the unit's expected passing
time so the officer knows when to act. Requests close when the unit arrives
or is released.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.core import audit, events
from safecity.core.auth import User, scope_ids
from safecity.core.db import utcnow
from safecity.core.errors import NotFound
from safecity.core.http import current_request_id
from safecity.dispatch.models import CorridorRequest
from safecity.dispatch.repository import DispatchRepository
from safecity.incidents.service import Incident, distance_m
from safecity.roads import NoRoute, RoadGraph
from safecity.units import service as units
from safecity.units.service import Unit

__all__ = [
    "acknowledge",
    "close_for_unit",
    "junctions_on_route",
    "open_near",
    "queue_of_unit",
    "request_corridor",
]


def _street_count(graph: RoadGraph, node: int) -> int:
    out = graph.table.dst[graph.indptr[node] : graph.indptr[node + 1]]
    inc = graph.table.src[graph.rev_order[graph.rev_indptr[node] : graph.rev_indptr[node + 1]]]
    return len(set(out.tolist()) | set(inc.tolist()))


def _edge(graph: RoadGraph, u: int, v: int) -> int:
    lo, hi = int(graph.indptr[u]), int(graph.indptr[u + 1])
    candidates = [e for e in range(lo, hi) if int(graph.table.dst[e]) == v]
    return min(candidates, key=lambda e: float(graph.travel_time[e]))


def junctions_on_route(graph: RoadGraph, nodes: list[int]) -> list[dict[str, Any]]:
    """Interior route nodes where traffic can be held, with the unit's seconds from the start."""
    edges = [_edge(graph, u, v) for u, v in itertools.pairwise(nodes)]
    found: list[dict[str, Any]] = []
    elapsed = 0.0
    for i in range(1, len(nodes) - 1):
        elapsed += float(graph.travel_time[edges[i - 1]])
        node, into, out = nodes[i], edges[i - 1], edges[i]
        streets = _street_count(graph, node)
        class_change = graph.edge_class(into) != graph.edge_class(out)
        if streets < 3 and not class_change:
            continue
        names = sorted({n for n in (graph.edge_name(into), graph.edge_name(out)) if n})
        found.append(
            {
                "node": int(graph.table.node_ids[node]),
                "lon": float(graph.lon[node]),
                "lat": float(graph.lat[node]),
                "street_count": streets,
                "class_change": class_change,
                "streets": names,
                "eta_s": round(elapsed, 1),
            }
        )
    return found


def request_corridor(
    session: Session, *, graph: RoadGraph, incident: Incident, unit: Unit, actor: User | None
) -> CorridorRequest | None:
    """Store and publish the corridor for ``unit`` driving to ``incident``; None when no route exists."""
    if unit.lon is None or unit.lat is None:
        return None
    try:
        route = graph.route(graph.snap(unit.lon, unit.lat), graph.snap(incident.lon, incident.lat))
    except NoRoute:
        return None
    junctions = junctions_on_route(graph, route.nodes)
    if not junctions:
        return None
    lons, lats = [j["lon"] for j in junctions], [j["lat"] for j in junctions]
    request = CorridorRequest(
        incident_id=incident.id,
        unit_id=unit.id,
        station_id=incident.station_id,
        district_id=incident.district_id,
        junctions=junctions,
        route_seconds=round(route.seconds, 1),
        min_lon=min(lons),
        min_lat=min(lats),
        max_lon=max(lons),
        max_lat=max(lats),
        created_at=utcnow(),
    )
    session.add(request)
    session.flush()
    payload = {
        "corridor_id": request.id,
        "incident_id": incident.id,
        "reference": incident.reference,
        "unit_id": unit.id,
        "call_sign": unit.call_sign,
        "district_id": incident.district_id,
        "route_seconds": request.route_seconds,
        "junctions": junctions,
    }
    events.publish(session, "corridor.requested", payload, key=f"incident:{incident.id}")
    return request


def close_for_unit(session: Session, *, unit_id: int) -> int:
    open_ = DispatchRepository(session).open_corridors_of_unit(unit_id)
    now = utcnow()
    for request in open_:
        request.closed_at = now
    session.flush()
    return len(open_)


def _districts_of(session: Session, user: User) -> set[int]:
    """Districts a user serves: those in scope, and the district above any unit they belong to.

    A traffic section (an agency under a district) must see the corridors of
    its whole district, not only of its own office.
    """
    parents = DispatchRepository(session).org_parents()
    found: set[int] = set()
    for unit_id in scope_ids(session, user):
        current: int | None = unit_id
        while current is not None:
            parent, kind = parents.get(current, (None, ""))
            if kind == "district":
                found.add(current)
                break
            current = parent
    return found


def open_near(
    session: Session,
    *,
    user: User,
    lon: float | None = None,
    lat: float | None = None,
    radius_m: float = 2000.0,
) -> list[tuple[CorridorRequest, float | None]]:
    """Open requests in the user's districts, with the nearest junction's distance, nearest first."""
    box = None
    if lon is not None and lat is not None:
        dlat = radius_m / 111_320.0
        dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
        box = (lon - dlon, lat - dlat, lon + dlon, lat + dlat)
    requests = DispatchRepository(session).open_corridors(_districts_of(session, user), box)
    if lon is None or lat is None:
        return [(r, None) for r in requests]
    measured = [(r, min(distance_m(lon, lat, j["lon"], j["lat"]) for j in r.junctions)) for r in requests]
    near = sorted(((r, round(d, 1)) for r, d in measured if d <= radius_m), key=lambda pair: pair[1])
    return [(r, d) for r, d in near]


def queue_of_unit(
    session: Session, *, user: User, unit_id: int, radius_m: float = 2000.0
) -> list[tuple[CorridorRequest, float | None]]:
    """The corridor queue of one traffic unit: open requests with a junction near its last position."""
    unit = units.get(session, unit_id=unit_id, user=user)
    if unit.lon is None or unit.lat is None:
        return []
    return open_near(session, user=user, lon=unit.lon, lat=unit.lat, radius_m=radius_m)


def acknowledge(session: Session, *, corridor_id: int, user: User) -> CorridorRequest:
    """A traffic officer takes the corridor (so others see it is covered)."""
    request = DispatchRepository(session).corridor(corridor_id)
    if request is None or request.district_id not in _districts_of(session, user):
        raise NotFound(f"no corridor request {corridor_id}", field="corridor_id")
    request.acknowledged_by = user.username
    session.flush()
    audit.record(
        session,
        actor=actor_of(user),
        action="corridor.acknowledge",
        object_type="corridor_request",
        object_id=str(corridor_id),
        request_id=current_request_id(),
    )
    return request
