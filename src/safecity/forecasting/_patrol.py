"""Patrol plan: share the week's top cells among Dolphin beats under a travel-time budget.

Each beat starts from its home station. A cell can go to a beat only if the
beat reaches it within ``budget_s`` — by road when a road graph is installed
(fastest path from the station's nearest node, plus the walk-in gap at
``access_mps``), else by straight line at ``fallback_mps`` with a detour
factor. Cells are handed out in risk order, each to the nearest beat that
reaches it in time and still has room (at most ``ceil(cells / beats)`` each
unless told otherwise), so no beat is swamped while another idles; a cell
no beat reaches in time is listed as uncovered rather than forced onto
someone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from safecity.core.errors import InvalidInput

if TYPE_CHECKING:
    from safecity.roads.graph import RoadGraph

__all__ = ["Beat", "PatrolPlan", "plan_patrols", "travel_seconds"]

_EARTH_M = 6_371_008.8
DETOUR = 1.3  # road distance / straight-line distance in a typical street grid


@dataclass(frozen=True)
class Beat:
    key: str  # e.g. the Dolphin pair's call sign
    station: str
    lon: float
    lat: float


@dataclass
class PatrolPlan:
    method: str  # "road" or "straight-line"
    budget_s: float
    assigned: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # beat -> [(cell index, s)]
    uncovered: list[int] = field(default_factory=list)  # cell indexes no beat reaches in time


def _straight_seconds(
    beats: Sequence[Beat], lon: NDArray[np.float64], lat: NDArray[np.float64], speed_mps: float
) -> NDArray[np.float64]:
    blon = np.radians([b.lon for b in beats])[:, None]
    blat = np.radians([b.lat for b in beats])[:, None]
    clon, clat = np.radians(lon)[None, :], np.radians(lat)[None, :]
    h = np.sin((clat - blat) / 2) ** 2 + np.cos(blat) * np.cos(clat) * np.sin((clon - blon) / 2) ** 2
    metres = 2 * _EARTH_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return np.asarray(metres * DETOUR / speed_mps, dtype=np.float64)


def _road_seconds(
    graph: RoadGraph,
    beats: Sequence[Beat],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    budget_s: float,
    access_mps: float,
) -> NDArray[np.float64]:
    from scipy.sparse.csgraph import dijkstra

    start_nodes, start_gap = graph.snap_many([b.lon for b in beats], [b.lat for b in beats])
    cell_nodes, cell_gap = graph.snap_many(lon, lat)
    unique, inverse = np.unique(start_nodes, return_inverse=True)
    dist = dijkstra(graph.to_csr_matrix(), directed=True, indices=unique, limit=budget_s)
    road = np.asarray(dist, dtype=np.float64)[inverse][:, cell_nodes]
    return road + (start_gap[:, None] + cell_gap[None, :]) / access_mps


def travel_seconds(
    beats: Sequence[Beat],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    *,
    graph: RoadGraph | None,
    budget_s: float,
    access_mps: float = 1.4,
    fallback_mps: float = 25 / 3.6,
) -> tuple[NDArray[np.float64], str]:
    """(beats x cells) seconds from each beat's station to each cell centre, and the method used."""
    if graph is not None:
        return _road_seconds(graph, beats, lon, lat, budget_s, access_mps), "road"
    return _straight_seconds(beats, lon, lat, fallback_mps), "straight-line"


def plan_patrols(
    beats: Sequence[Beat],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    *,
    budget_s: float,
    graph: RoadGraph | None = None,
    max_cells_per_beat: int | None = None,
) -> PatrolPlan:
    """Assign cells (given highest risk first) to beats; see the module docstring for the rule."""
    if not budget_s > 0:
        raise InvalidInput("the travel-time budget must be positive", field="budget_minutes")
    if not beats:
        raise InvalidInput("no Dolphin beats to plan for", field="beats")
    n = len(lon)
    cap = max_cells_per_beat or max(1, math.ceil(n / len(beats)))
    seconds, method = (
        travel_seconds(beats, lon, lat, graph=graph, budget_s=budget_s) if n else (np.zeros((0, 0)), "none")
    )
    plan = PatrolPlan(method=method, budget_s=budget_s, assigned={b.key: [] for b in beats})
    load = np.zeros(len(beats), dtype=np.int64)
    for i in range(n):
        times = seconds[:, i]
        ok = np.flatnonzero((times <= budget_s) & (load < cap))
        if len(ok) == 0:
            plan.uncovered.append(i)
            continue
        best = ok[np.argmin(times[ok])]
        load[best] += 1
        plan.assigned[beats[best].key].append((i, float(times[best])))
    return plan
