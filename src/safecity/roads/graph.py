"""A directed road network in compressed sparse row form.

Edges are stored sorted by their source node, so an edge id *is* its
position in the forward CSR arrays; a second permutation gives the reverse
(incoming-arc) CSR used by backward searches such as unit ranking. Weights
are travel seconds. Closures and congestion only rewrite entries of the
weight arrays (and of the array copies the searches read), so a change costs
microseconds per edge instead of a graph rebuild.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from safecity.core.errors import InvalidInput
from safecity.roads import basemap, storage
from safecity.roads.errors import NoRoute, UnknownEdge, UnsupportedRoadFile
from safecity.roads.fastest import chord_speed_bound, fastest_points_to
from safecity.roads.search import LabelSearch, label_search, shortest_path, top
from safecity.roads.snapping import Snapper
from safecity.roads.table import RoadTable

__all__ = ["Adjacency", "RoadGraph", "Route"]

# array.array rather than list: as fast to index from Python, a quarter of the
# memory (no boxed float per arc), and nothing for the garbage collector to walk.
Adjacency = tuple["array[int]", "array[int]", "array[float]"]


def _ints(values: NDArray[np.int64]) -> array[int]:
    out = array("q")
    out.frombytes(np.ascontiguousarray(values, dtype=np.int64).tobytes())
    return out


def _floats(values: NDArray[np.float64]) -> array[float]:
    out = array("d")
    out.frombytes(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    return out


class Route(NamedTuple):
    nodes: list[int]
    seconds: float


def _permute_geometry(table: RoadTable, order: NDArray[np.int64]) -> None:
    counts = np.diff(table.geom_ptr)[order]
    starts = table.geom_ptr[:-1][order]
    ptr = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    take = np.repeat(starts - ptr[:-1], counts) + np.arange(ptr[-1], dtype=np.int64)
    table.geom_lon, table.geom_lat, table.geom_ptr = table.geom_lon[take], table.geom_lat[take], ptr


class RoadGraph:
    """Road network: node coordinates, directed edges, mutable travel-time weights."""

    def __init__(self, table: RoadTable) -> None:
        table.check()
        order = np.argsort(table.src, kind="stable")
        if not np.array_equal(order, np.arange(len(order))):
            for attr in ("src", "dst", "travel_time", "length", "highway", "name"):
                setattr(table, attr, getattr(table, attr)[order])
            _permute_geometry(table, order)
        self.table = table
        n = len(table.lon)
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(table.src, minlength=n), out=self.indptr[1:])
        self.rev_order = np.argsort(table.dst, kind="stable")
        self.rev_indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(table.dst, minlength=n), out=self.rev_indptr[1:])
        self.rev_position = np.empty_like(self.rev_order)
        self.rev_position[self.rev_order] = np.arange(len(self.rev_order))
        self.base_travel_time = table.travel_time.copy()
        self.base_travel_time.flags.writeable = False
        self.travel_time = table.travel_time.copy()
        self.snapper = Snapper(table.lon, table.lat)
        self._speed_bound: float | None = None
        self._base_speed_bound: float | None = None
        self._forward: Adjacency | None = None
        self._reverse: Adjacency | None = None
        self._ids: dict[int, int] | None = None
        self._weights_lock = threading.Lock()

    # -- construction -------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | Path) -> RoadGraph:
        """GraphML (``.graphml``/``.graphml.gz``, OSMnx), OSM ``.osm.pbf`` or a saved ``.npz``."""
        path = Path(path)
        if not path.is_file():
            raise UnsupportedRoadFile(f"{path} does not exist")
        name = path.name.lower()
        if name.endswith((".graphml", ".graphml.gz", ".xml", ".xml.gz")):
            from safecity.roads.graphml import read_graphml

            return cls(read_graphml(path))
        if name.endswith(".pbf"):
            from safecity.roads.pbf import read_pbf

            return cls(read_pbf(path))
        if name.endswith(".npz"):
            return cls.load(path)
        raise UnsupportedRoadFile(f"{path.name}: expected .graphml[.gz], .osm.pbf or .npz")

    @classmethod
    def from_arrays(
        cls,
        lon: ArrayLike,
        lat: ArrayLike,
        src: ArrayLike,
        dst: ArrayLike,
        travel_time: ArrayLike,
        *,
        length: ArrayLike | None = None,
        node_ids: ArrayLike | None = None,
    ) -> RoadGraph:
        """A graph from plain arrays (synthetic networks, tests, benchmarks)."""
        lon_a = np.asarray(lon, dtype=np.float64)
        src_a = np.asarray(src, dtype=np.int64)
        seconds = np.asarray(travel_time, dtype=np.float64)
        n, e = len(lon_a), len(src_a)
        table = RoadTable(
            lon=lon_a,
            lat=np.asarray(lat, dtype=np.float64),
            node_ids=np.arange(n, dtype=np.int64) if node_ids is None else np.asarray(node_ids, np.int64),
            src=src_a,
            dst=np.asarray(dst, dtype=np.int64),
            travel_time=seconds,
            length=np.full(e, np.nan) if length is None else np.asarray(length, dtype=np.float64),
            highway=np.full(e, -1, dtype=np.int32),
            name=np.full(e, -1, dtype=np.int32),
            classes=[],
            names=[],
            geom_ptr=np.zeros(e + 1, dtype=np.int64),
            geom_lon=np.zeros(0),
            geom_lat=np.zeros(0),
        )
        return cls(table)

    def save(self, path: str | Path) -> None:
        """Write the network with its *base* weights (closures are operational state)."""
        storage.save(self.table, self.base_travel_time, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> RoadGraph:
        return cls(storage.load(Path(path)))

    # -- description ----------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return len(self.table.lon)

    @property
    def n_edges(self) -> int:
        return len(self.table.src)

    @property
    def lon(self) -> NDArray[np.float64]:
        return self.table.lon

    @property
    def lat(self) -> NDArray[np.float64]:
        return self.table.lat

    @property
    def edge_source(self) -> NDArray[np.int64]:
        return self.table.src

    @property
    def edge_target(self) -> NDArray[np.int64]:
        return self.table.dst

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat)."""
        t = self.table
        return float(t.lon.min()), float(t.lat.min()), float(t.lon.max()), float(t.lat.max())

    def edge_name(self, edge_id: int) -> str | None:
        code = int(self.table.name[self._edge(edge_id)])
        return self.table.names[code] if code >= 0 else None

    def edge_class(self, edge_id: int) -> str | None:
        code = int(self.table.highway[self._edge(edge_id)])
        return self.table.classes[code] if code >= 0 else None

    def node_index(self, node_id: int) -> int:
        """Position of an OSM node id in this graph's arrays."""
        if self._ids is None:
            self._ids = {int(v): i for i, v in enumerate(self.table.node_ids.tolist())}
        try:
            return self._ids[int(node_id)]
        except KeyError as exc:
            raise InvalidInput(f"node {node_id} is not in the road graph", field="node_id") from exc

    def edges_geojson(
        self, *, min_class: str | None = None, tolerance_m: float = 0.0, one_per_street: bool = True
    ) -> dict[str, Any]:
        """Edges as GeoJSON LineStrings for an offline basemap (see ``basemap``)."""
        return basemap.edges_geojson(
            self, min_class=min_class, tolerance_m=tolerance_m, one_per_street=one_per_street
        )

    def route_coordinates(self, nodes: Sequence[int]) -> list[list[float]]:
        """[lon, lat] points of a route's node path with the streets' shapes, for drawing."""
        return basemap.path_coordinates(self, [self._node(n, "nodes") for n in nodes])

    def to_csr_matrix(self, *, transpose: bool = False) -> Any:
        """SciPy matrix of current weights: the fastest of parallel arcs, closed arcs left out."""
        from scipy.sparse import csr_matrix

        t, w = self.table, self.travel_time
        keep = np.isfinite(w)
        rows, cols = (t.dst, t.src) if transpose else (t.src, t.dst)
        rows, cols, w = rows[keep], cols[keep], w[keep]
        order = np.lexsort((w, cols, rows))
        rows, cols, w = rows[order], cols[order], w[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        # Explicit zeros would vanish in a sparse matrix; a tiny positive keeps the arc.
        data = np.maximum(w[first], 1e-9)
        return csr_matrix((data, (rows[first], cols[first])), shape=(self.n_nodes, self.n_nodes))

    # -- snapping -------------------------------------------------------------
    def project(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.float64]:
        """(n, 2) planar metres about the network's centre (see ``snapping``)."""
        return self.snapper.project(lon, lat)

    def snap_many(self, lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Nearest node of each point and its straight-line distance in metres."""
        lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        bad = ~(np.isfinite(lon_a) & np.isfinite(lat_a) & (np.abs(lon_a) <= 180) & (np.abs(lat_a) <= 90))
        if lon_a.shape != lat_a.shape or bad.any():
            raise InvalidInput("coordinates must be finite lon/lat in degrees", field="lon_lat")
        return self.snapper.snap_xy(self.project(lon_a, lat_a))

    def snap(self, lon: float, lat: float) -> int:
        nodes, _ = self.snap_many([lon], [lat])
        return int(nodes[0])

    # -- searches ---------------------------------------------------------------
    def adjacency(self, *, reverse: bool = False) -> Adjacency:
        """(indptr, neighbour, seconds); ``reverse`` lists incoming arcs instead of outgoing."""
        if reverse:
            if self._reverse is None:
                with self._weights_lock:  # a weight change must not land between copy and publish
                    r = self.rev_order
                    w = _floats(self.travel_time[r])
                    self._reverse = self._reverse or (_ints(self.rev_indptr), _ints(self.table.src[r]), w)
            return self._reverse
        if self._forward is None:
            with self._weights_lock:
                w = _floats(self.travel_time)
                self._forward = self._forward or (_ints(self.indptr), _ints(self.table.dst), w)
        return self._forward

    def _node(self, node: int, field: str) -> int:
        if not 0 <= int(node) < self.n_nodes:
            raise InvalidInput(f"node {node} is not in 0..{self.n_nodes - 1}", field=field)
        return int(node)

    def route(self, src_node: int, dst_node: int) -> Route:
        """Fastest path between two node positions (as returned by ``snap``)."""
        found = shortest_path(
            *self.adjacency(), self._node(src_node, "src_node"), self._node(dst_node, "dst_node")
        )
        if found is None:
            raise NoRoute(f"no open road leads from node {src_node} to node {dst_node}")
        return Route(*found)

    def fastest_sources_to(
        self, target: int, nodes: ArrayLike, extra_seconds: ArrayLike, keys: Sequence[str], k: int
    ) -> list[tuple[str, float]]:
        """The ``k`` keyed sources with the smallest travel time to ``target`` plus their extra.

        A backward Dijkstra from ``target`` over incoming arcs, stopped as soon
        as nothing unsettled can beat the k-th best. Unreachable sources are
        absent from the answer.
        """
        return top(self.search_sources_to(target, nodes, extra_seconds, keys, k).found, k)

    def search_sources_to(
        self, target: int, nodes: ArrayLike, extra_seconds: ArrayLike, keys: Sequence[str], k: int
    ) -> LabelSearch:
        """``fastest_sources_to`` with the search's settled distances (see ``LabelSearch``)."""
        node_a = np.asarray(nodes, dtype=np.int64)
        extra_a = np.asarray(extra_seconds, dtype=np.float64)
        target = self._node(target, "target")
        if len(node_a) == 0:
            return LabelSearch([], {}, float("inf"))
        order = np.lexsort((extra_a, node_a))
        sorted_nodes = node_a[order]
        starts = np.flatnonzero(np.r_[True, sorted_nodes[1:] != sorted_nodes[:-1]])
        first = dict(zip(sorted_nodes[starts].tolist(), starts.tolist(), strict=True))
        labels = (first, sorted_nodes.tolist(), extra_a[order].tolist(), [keys[i] for i in order.tolist()])
        return label_search(*self.adjacency(reverse=True), target, labels, k)

    def fastest_points_to(
        self, target: int, xy: NDArray[np.float64], keys: Sequence[str], k: int, *, access_mps: float
    ) -> list[tuple[str, float]]:
        """Like ``fastest_sources_to`` for projected points, snapping only those that could win."""
        return fastest_points_to(self, self._node(target, "target"), xy, keys, k, access_mps)

    def speed_bound_mps(self) -> float:
        """No route is faster than its straight-line length at this speed (current weights)."""
        bound = self._speed_bound
        if bound is None:
            with self._weights_lock:  # a weight change cannot slip in between reading and caching
                if self._speed_bound is None:
                    self._speed_bound = self._chord_bound(np.arange(self.n_edges), self.travel_time)
                bound = self._speed_bound
        return bound

    # -- weights ---------------------------------------------------------------
    def _edge(self, edge_id: int) -> int:
        if not 0 <= int(edge_id) < self.n_edges:
            raise UnknownEdge(f"edge {edge_id} is not in 0..{self.n_edges - 1}")
        return int(edge_id)

    def edge_ids(self, edges: Iterable[int] | Iterable[tuple[int, int]]) -> list[int]:
        """Edge ids from ids or (u, v) node pairs; a pair means every parallel arc u -> v."""
        ids: list[int] = []
        dst = self.table.dst
        for item in edges:
            try:
                if isinstance(item, tuple | list | np.ndarray):
                    u, v = (int(x) for x in item)
                else:
                    ids.append(self._edge(int(item)))
                    continue
            except (TypeError, ValueError) as exc:
                raise UnknownEdge(f"{item!r} is neither an edge id nor a (u, v) node pair") from exc
            self._node(u, "edges")
            found = [e for e in range(self.indptr[u], self.indptr[u + 1]) if dst[e] == v]
            if not found:
                raise UnknownEdge(f"there is no edge from node {u} to node {v}")
            ids.extend(found)
        return ids

    def set_edge_factor(self, edges: Iterable[int] | Iterable[tuple[int, int]], factor: float) -> None:
        """Weight = base travel time x ``factor`` (inf closes the road); not cumulative.

        Arrays are patched in place, so a search running at the same time in
        another thread sees each arc's old or new weight, never a broken graph.
        The pruning speed bound is raised *before* any arc gets faster, and
        "faster" is judged against the arc's current weight, not its base one:
        factor 1.0 on a road slowed earlier speeds it up.
        """
        if not factor > 0:
            raise InvalidInput("factor must be a positive number (inf closes the edge)", field="factor")
        ids = np.asarray(self.edge_ids(edges), dtype=np.int64)
        with self._weights_lock:
            new = self.base_travel_time[ids] * factor
            faster = new < self.travel_time[ids]
            if faster.any() and self._speed_bound is not None:  # slower arcs never raise the bound
                self._speed_bound = max(self._speed_bound, self._chord_bound(ids[faster], new[faster]))
            self.travel_time[ids] = new
            values = new.tolist()
            if self._forward is not None:
                weights = self._forward[2]
                for e, w in zip(ids.tolist(), values, strict=True):
                    weights[e] = w
            if self._reverse is not None:
                weights = self._reverse[2]
                for p, w in zip(self.rev_position[ids].tolist(), values, strict=True):
                    weights[p] = w

    def close_edges(self, edges: Iterable[int] | Iterable[tuple[int, int]]) -> None:
        self.set_edge_factor(edges, float("inf"))

    def reset_weights(self) -> None:
        with self._weights_lock:
            base = self._base_bound()
            if self._speed_bound is not None:  # valid for both old and base weights while swapping
                self._speed_bound = max(self._speed_bound, base)
            self.travel_time[:] = self.base_travel_time
            if self._forward is not None:  # the topology lists stay; only weights are rebuilt
                self._forward = (*self._forward[:2], _floats(self.travel_time))
            if self._reverse is not None:
                self._reverse = (*self._reverse[:2], _floats(self.travel_time[self.rev_order]))
            self._speed_bound = base

    def _chord_bound(self, ids: NDArray[np.int64], seconds: NDArray[np.float64]) -> float:
        t = self.table
        return chord_speed_bound(self.snapper.node_xy, t.src[ids], t.dst[ids], seconds)

    def _base_bound(self) -> float:
        if self._base_speed_bound is None:
            self._base_speed_bound = self._chord_bound(np.arange(self.n_edges), self.base_travel_time)
        return self._base_speed_bound
