"""Rank available units by road travel time to an incident.

One backward Dijkstra from the incident's node over incoming arcs gives every
unit's time *to* the incident (arc u -> v is travel from u to v, so one-way
streets count the right way), and it stops as soon as no unsettled node can
beat the k-th best unit: a few hundred nodes on a city graph instead of all
of them.

Off-network access: a unit (or an incident) is rarely exactly on a graph
node. The straight-line gap to its snapped node is covered at
``ACCESS_SPEED_KPH`` — a slow urban crawl, so that a unit parked 400 m off
the network is not ranked as if it were at the junction. The incident's own
gap is added to every ETA alike. Units are snapped lazily, nearest first,
only while they could still make the top k (``safecity.roads.fastest``):
with thousands of live units, snapping them all would cost more than the
search.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

import numpy as np

from safecity.core.errors import InvalidInput
from safecity.roads.graph import RoadGraph

__all__ = ["ACCESS_SPEED_KPH", "rank_units"]

ACCESS_SPEED_KPH = 15.0
_ACCESS_MPS = ACCESS_SPEED_KPH / 3.6


def _unit_columns(units: Iterable[tuple[str, float, float]]) -> tuple[list[str], list[float], list[float]]:
    # map/itemgetter rather than zip(*rows): zip would keep one live iterator per
    # row, and thousands of live tracked objects set off garbage collections.
    rows = units if isinstance(units, list | tuple) else list(units)
    try:
        shapes = set(map(len, rows))
    except TypeError as exc:
        raise InvalidInput("each unit must be (unit_id, lon, lat)", field="units") from exc
    if shapes - {3}:
        raise InvalidInput("each unit must be (unit_id, lon, lat)", field="units")
    ids = list(map(itemgetter(0), rows))
    distinct = set(ids)
    if ids and (set(map(type, distinct)) != {str} or "" in distinct):
        raise InvalidInput("unit ids must be non-empty strings", field="units")
    if len(distinct) != len(ids):
        raise InvalidInput("a unit id appears more than once", field="units")
    return ids, list(map(itemgetter(1), rows)), list(map(itemgetter(2), rows))


def rank_units(
    graph: RoadGraph,
    incident: tuple[float, float],
    units: Iterable[tuple[str, float, float]],
    k: int = 5,
) -> list[tuple[str, float]]:
    """The ``k`` units that reach ``incident`` soonest, as ``(unit_id, eta_seconds)`` ascending.

    Units that cannot reach the incident by open roads are left out, so the
    list can be shorter than ``k``. Equal ETAs are ordered by unit id.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidInput("k must be a positive integer", field="k")
    try:
        inc_lon, inc_lat = (float(v) for v in incident)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("incident must be (lon, lat)", field="incident") from exc
    if not (abs(inc_lon) <= 180 and abs(inc_lat) <= 90):  # False for NaN too
        raise InvalidInput("incident must be (lon, lat) in degrees", field="incident")
    ids, lons, lats = _unit_columns(units)
    if not ids:
        return []
    try:
        lon_a, lat_a = np.asarray(lons, dtype=np.float64), np.asarray(lats, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("unit coordinates must be numbers", field="units") from exc
    inc_node, inc_gap = graph.snap_many([inc_lon], [inc_lat])
    if not (np.all(np.abs(lon_a) <= 180) and np.all(np.abs(lat_a) <= 90)):  # False for NaN too
        raise InvalidInput("unit coordinates must be finite lon/lat in degrees", field="units")
    xy = graph.project(lon_a, lat_a)
    ranked = graph.fastest_points_to(int(inc_node[0]), xy, ids, k, access_mps=_ACCESS_MPS)
    incident_access = float(inc_gap[0]) / _ACCESS_MPS
    return [(unit_id, eta + incident_access) for unit_id, eta in ranked]
