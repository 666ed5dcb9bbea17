"""Road edges as GeoJSON line features for an offline basemap.

A basemap does not need both arcs of a two-way street, nor every vertex at
city scale: ``one_per_street`` keeps one arc per pair, ``min_class`` keeps
only roads at least as important as a class (e.g. ``"tertiary"`` for a
district overview) and ``tolerance_m`` simplifies lines (Douglas-Peucker).
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from safecity.core.errors import InvalidInput
from safecity.roads.speeds import CLASS_IMPORTANCE, importance

if TYPE_CHECKING:
    from safecity.roads.graph import RoadGraph

__all__ = ["douglas_peucker", "edges_geojson", "path_coordinates"]


def douglas_peucker(points: list[tuple[float, float]], tolerance: float) -> list[int]:
    """Indices of the points kept when simplifying a polyline to ``tolerance``.

    Pure Python: street polylines have a handful of points, where NumPy's
    per-call overhead costs more than the arithmetic.
    """
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        far, index = -1.0, a
        for i in range(a + 1, b):
            px, py = points[i][0] - ax, points[i][1] - ay
            dist = abs(dx * py - dy * px) / norm if norm else math.hypot(px, py)
            if dist > far:
                far, index = dist, i
        if far > tolerance:
            keep.add(index)
            stack.extend(((a, index), (index, b)))
    return sorted(keep)


def _selected(graph: RoadGraph, min_class: str | None, one_per_street: bool) -> NDArray[np.bool_]:
    t = graph.table
    keep = np.ones(graph.n_edges, dtype=bool)
    if min_class is not None:
        if min_class not in CLASS_IMPORTANCE:
            raise InvalidInput(f"unknown road class {min_class!r}", field="min_class")
        rank = np.array([*importance(t.classes), 99], dtype=np.int64)  # code -1 -> 99
        keep &= rank[t.highway] <= CLASS_IMPORTANCE[min_class]
    if one_per_street:
        triples = list(zip(t.src.tolist(), t.dst.tolist(), np.diff(t.geom_ptr).tolist(), strict=True))
        arcs = set(triples)
        twin = [u > v and (v, u, c) in arcs for u, v, c in triples]
        keep &= ~np.array(twin, dtype=bool)
    return keep


def edges_geojson(
    graph: RoadGraph, *, min_class: str | None, tolerance_m: float, one_per_street: bool
) -> dict[str, Any]:
    t = graph.table
    # 6 decimals = 0.1 m: finer digits only bloat the document.
    node_ll = np.round(np.column_stack((t.lon, t.lat)), 6).tolist()
    inner_ll = np.round(np.column_stack((t.geom_lon, t.geom_lat)), 6).tolist()
    node_xy = graph.project(t.lon, t.lat).tolist()
    inner_xy = graph.project(t.geom_lon, t.geom_lat).tolist()
    ptr, src, dst = t.geom_ptr.tolist(), t.src.tolist(), t.dst.tolist()
    classes = [*t.classes, None]  # code -1 -> None
    names = [*t.names, None]
    highway, name, seconds = t.highway.tolist(), t.name.tolist(), graph.base_travel_time.tolist()
    features: list[dict[str, Any]] = []
    for e in np.flatnonzero(_selected(graph, min_class, one_per_street)).tolist():
        u, v, lo, hi = src[e], dst[e], ptr[e], ptr[e + 1]
        coords = [node_ll[u], *inner_ll[lo:hi], node_ll[v]]
        if tolerance_m > 0 and hi > lo:
            xy = [node_xy[u], *inner_xy[lo:hi], node_xy[v]]
            coords = [coords[i] for i in douglas_peucker(xy, tolerance_m)]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "edge": e,
                    "highway": classes[highway[e]],
                    "name": names[name[e]],
                    "seconds": round(seconds[e], 2),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def path_coordinates(graph: RoadGraph, nodes: list[int]) -> list[list[float]]:
    """[lon, lat] along a node path, following the street shapes of the arcs it uses."""
    t = graph.table
    if not nodes:
        return []
    coords = [[float(t.lon[nodes[0]]), float(t.lat[nodes[0]])]]
    for u, v in itertools.pairwise(nodes):
        arcs = graph.edge_ids([(u, v)])
        e = min(arcs, key=lambda arc: float(graph.travel_time[arc]))  # the arc a route would take
        lo, hi = int(t.geom_ptr[e]), int(t.geom_ptr[e + 1])
        coords.extend(
            [x, y] for x, y in zip(t.geom_lon[lo:hi].tolist(), t.geom_lat[lo:hi].tolist(), strict=True)
        )
        coords.append([float(t.lon[v]), float(t.lat[v])])
    return coords
