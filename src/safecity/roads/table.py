"""The plain arrays every reader produces and every RoadGraph is built from.

Readers (GraphML, PBF, npz) differ in how they find nodes and edges but all
end in a :class:`RoadTable`; keeping that shape in one place means a
RoadGraph has one constructor path and one invariant check.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from safecity.roads.errors import UnsupportedRoadFile
from safecity.roads.speeds import main_class, speed_kph

__all__ = ["EARTH_RADIUS_M", "RoadTable", "TableBuilder", "haversine_m"]

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class RoadTable:
    """Nodes and directed edges as parallel arrays.

    ``highway``/``name`` are codes into ``classes``/``names`` (-1: untagged),
    so that thousands of repeated street names cost one string each.
    ``geom_ptr`` (edges + 1) slices ``geom_lon``/``geom_lat``: the interior
    points of each edge, endpoints excluded (they are the nodes).
    """

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    node_ids: NDArray[np.int64]
    src: NDArray[np.int64]
    dst: NDArray[np.int64]
    travel_time: NDArray[np.float64]
    length: NDArray[np.float64]
    highway: NDArray[np.int32]
    name: NDArray[np.int32]
    classes: list[str]
    names: list[str]
    geom_ptr: NDArray[np.int64]
    geom_lon: NDArray[np.float64]
    geom_lat: NDArray[np.float64]

    def check(self) -> None:
        n, e = len(self.lon), len(self.src)
        if n == 0 or e == 0:
            raise UnsupportedRoadFile("the file holds no road edges")
        node_arrays = (self.lat, self.node_ids)
        edge_arrays = (self.dst, self.travel_time, self.length, self.highway, self.name)
        if any(len(a) != n for a in node_arrays) or any(len(a) != e for a in edge_arrays):
            raise UnsupportedRoadFile("node or edge arrays differ in length")
        if not (np.isfinite(self.lon).all() and np.isfinite(self.lat).all()):
            raise UnsupportedRoadFile("a node has no valid coordinates")
        if self.src.min() < 0 or self.dst.min() < 0 or max(self.src.max(), self.dst.max()) >= n:
            raise UnsupportedRoadFile("an edge refers to a node that does not exist")
        if not np.all(self.travel_time >= 0):
            raise UnsupportedRoadFile("an edge has a negative or missing travel time")
        if len(self.geom_ptr) != e + 1 or self.geom_ptr[-1] != len(self.geom_lon):
            raise UnsupportedRoadFile("edge geometry does not match the edges")


@dataclass
class TableBuilder:
    """Accumulates nodes and edges from a streaming reader."""

    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    node_ids: list[int] = field(default_factory=list)
    index: dict[int, int] = field(default_factory=dict)
    src: list[int] = field(default_factory=list)
    dst: list[int] = field(default_factory=list)
    travel_time: list[float] = field(default_factory=list)
    length: list[float] = field(default_factory=list)
    highway: list[int] = field(default_factory=list)
    name: list[int] = field(default_factory=list)
    class_codes: dict[str, int] = field(default_factory=dict)
    name_codes: dict[str, int] = field(default_factory=dict)
    geom_ptr: list[int] = field(default_factory=lambda: [0])
    geom_lon: list[float] = field(default_factory=list)
    geom_lat: list[float] = field(default_factory=list)

    def add_node(self, node_id: int, lon: float, lat: float) -> None:
        if node_id in self.index:
            raise UnsupportedRoadFile(f"node {node_id} appears twice")
        self.index[node_id] = len(self.lon)
        self.node_ids.append(node_id)
        self.lon.append(lon)
        self.lat.append(lat)

    def add_edge(
        self,
        u_id: int,
        v_id: int,
        *,
        travel_time: float | None,
        length: float | None,
        highway: str | None,
        maxspeed: str | None,
        name: str | None,
        interior: list[tuple[float, float]],
    ) -> None:
        """Add one directed edge; missing length/time are derived (see speeds)."""
        try:
            u, v = self.index[u_id], self.index[v_id]
        except KeyError as exc:
            raise UnsupportedRoadFile(f"edge {u_id}->{v_id} refers to an unknown node") from exc
        if length is None or not math.isfinite(length):
            length = self._polyline_length(u, v, interior)
        if travel_time is None or not math.isfinite(travel_time):
            travel_time = length / (speed_kph(highway, maxspeed) / 3.6)
        self.src.append(u)
        self.dst.append(v)
        self.travel_time.append(travel_time)
        self.length.append(length)
        self.highway.append(self._code(self.class_codes, main_class(highway)))
        self.name.append(self._code(self.name_codes, (name or "").strip()))
        for lon, lat in interior:
            self.geom_lon.append(lon)
            self.geom_lat.append(lat)
        self.geom_ptr.append(len(self.geom_lon))

    @staticmethod
    def _code(codes: dict[str, int], value: str) -> int:
        if not value:
            return -1
        return codes.setdefault(value, len(codes))

    def _polyline_length(self, u: int, v: int, interior: list[tuple[float, float]]) -> float:
        points = [(self.lon[u], self.lat[u]), *interior, (self.lon[v], self.lat[v])]
        return sum(haversine_m(*a, *b) for a, b in itertools.pairwise(points))

    def build(self) -> RoadTable:
        table = RoadTable(
            lon=np.asarray(self.lon, dtype=np.float64),
            lat=np.asarray(self.lat, dtype=np.float64),
            node_ids=np.asarray(self.node_ids, dtype=np.int64),
            src=np.asarray(self.src, dtype=np.int64),
            dst=np.asarray(self.dst, dtype=np.int64),
            travel_time=np.asarray(self.travel_time, dtype=np.float64),
            length=np.asarray(self.length, dtype=np.float64),
            highway=np.asarray(self.highway, dtype=np.int32),
            name=np.asarray(self.name, dtype=np.int32),
            classes=list(self.class_codes),
            names=list(self.name_codes),
            geom_ptr=np.asarray(self.geom_ptr, dtype=np.int64),
            geom_lon=np.asarray(self.geom_lon, dtype=np.float64),
            geom_lat=np.asarray(self.geom_lat, dtype=np.float64),
        )
        table.check()
        return table
