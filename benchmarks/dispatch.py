"""Benchmark: rank 2,000 live units on a 200k-node road graph, against SciPy one-to-all Dijkstra.

The only real Pakistani network available offline is the south-east Karachi
extract packaged with the demo (``src/safecity/demo/data/karachi_southeast.roads.npz``,
OpenStreetMap, 11,321 nodes), so the benchmark graph is that extract tiled N times
(translated copies on a grid, neighbouring tiles stitched by two-way
connector roads) — it says so in the output. Both methods get the same
queries, the same snapping, and are timed alternately so machine noise hits
both alike. Times are wall-clock (``*_ms``) and, for rank_units, also
process CPU time (``*_cpu_ms``), which a busy shared machine disturbs less.
Prints one JSON document; progress goes to stderr.

    python benchmarks/dispatch.py [--tiles 18] [--units 2000] [--queries 300] [--k 5]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import Progress
from scipy.sparse.csgraph import dijkstra

from safecity.dispatch import rank_units
from safecity.dispatch.ranking import ACCESS_SPEED_KPH
from safecity.roads import RoadGraph
from safecity.roads.service import DEMO_GRAPH
from safecity.roads.table import haversine_m

KARACHI = DEMO_GRAPH
CONNECTOR_KPH = 50.0
Units = list[tuple[str, float, float]]


def _connectors(
    graph: RoadGraph, a: np.ndarray, b: np.ndarray, axis: int, bands: int
) -> list[tuple[int, int]]:
    """Pairs joining tile ``a``'s far side (along ``axis``) to tile ``b``'s near side, one per band."""
    coord = (graph.lon, graph.lat)
    along, across = coord[axis], coord[1 - axis]
    edges_ = np.linspace(across[a].min(), across[a].max(), bands + 1)
    pairs = []
    for lo, hi in itertools.pairwise(edges_):
        in_a = a[(across[a] >= lo) & (across[a] <= hi)]
        b_lo, b_hi = lo - across[a].min() + across[b].min(), hi - across[a].min() + across[b].min()
        in_b = b[(across[b] >= b_lo) & (across[b] <= b_hi)]
        if len(in_a) and len(in_b):
            pairs.append((int(in_a[np.argmax(along[in_a])]), int(in_b[np.argmin(along[in_b])])))
    return pairs


def tiled_graph(base: RoadGraph, tiles: int, columns: int) -> RoadGraph:
    n, t = base.n_nodes, base.table
    min_lon, min_lat, max_lon, max_lat = base.bbox
    step_lon, step_lat = (max_lon - min_lon) + 0.01, (max_lat - min_lat) + 0.01
    lon, lat, src, dst, seconds = [], [], [], [], []
    for i in range(tiles):
        row, col = divmod(i, columns)
        lon.append(t.lon + col * step_lon)
        lat.append(t.lat + row * step_lat)
        src.append(t.src + i * n)
        dst.append(t.dst + i * n)
        seconds.append(base.base_travel_time)
    flat = RoadGraph.from_arrays(np.concatenate(lon), np.concatenate(lat), [0], [0], [0.0])
    links: list[tuple[int, int]] = []
    ids = np.arange(n)
    for i in range(tiles):
        row, col = divmod(i, columns)
        if col + 1 < columns and i + 1 < tiles:
            links += _connectors(flat, ids + i * n, ids + (i + 1) * n, axis=0, bands=12)
        if i + columns < tiles:
            links += _connectors(flat, ids + i * n, ids + (i + columns) * n, axis=1, bands=12)
    link_src = [u for u, v in links] + [v for u, v in links]
    link_dst = [v for u, v in links] + [u for u, v in links]
    link_s = [
        haversine_m(flat.lon[u], flat.lat[u], flat.lon[v], flat.lat[v]) / (CONNECTOR_KPH / 3.6)
        for u, v in zip(link_src, link_dst, strict=True)
    ]
    return RoadGraph.from_arrays(
        flat.lon,
        flat.lat,
        np.concatenate([*src, link_src]),
        np.concatenate([*dst, link_dst]),
        np.concatenate([*seconds, link_s]),
    )


def random_points(graph: RoadGraph, count: int, rng: np.random.Generator) -> np.ndarray:
    """Points near random nodes (about 20 m of jitter), like GPS fixes of units on patrol."""
    nodes = rng.integers(0, graph.n_nodes, count)
    return np.column_stack((graph.lon[nodes], graph.lat[nodes])) + rng.normal(scale=2e-4, size=(count, 2))


def baseline_rank(
    graph: RoadGraph, matrix: Any, incident: tuple[float, float], units: Units, k: int
) -> list[tuple[str, float]]:
    """The obvious method: one-to-all Dijkstra from the incident on the transposed graph."""
    speed = ACCESS_SPEED_KPH / 3.6
    inc_node, inc_gap = graph.snap_many([incident[0]], [incident[1]])
    nodes, gaps = graph.snap_many([u[1] for u in units], [u[2] for u in units])
    dist = dijkstra(matrix, indices=int(inc_node[0]))
    eta = dist[nodes] + gaps / speed + inc_gap[0] / speed
    reachable = np.flatnonzero(np.isfinite(eta))
    best = reachable[np.argsort(eta[reachable], kind="stable")[: k + 8]]  # a margin for ties
    rows = sorted((float(eta[i]), units[i][0]) for i in best)
    return [(name, value) for value, name in rows[:k]]


def agrees(ours: list[tuple[str, float]], theirs: list[tuple[str, float]]) -> bool:
    """Same ETAs, and the same units except where two ETAs tie (within a microsecond)."""
    if len(ours) != len(theirs):
        return False
    etas = np.array([e for _, e in ours]), np.array([e for _, e in theirs])
    if not np.allclose(etas[0], etas[1], rtol=0, atol=1e-6):
        return False
    tied = set(np.flatnonzero(np.abs(np.diff(etas[1])) < 1e-6).tolist())
    return all(
        a == b or i in tied or i - 1 in tied
        for i, ((a, _), (b, _)) in enumerate(zip(ours, theirs, strict=True))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, default=KARACHI)
    parser.add_argument("--tiles", type=int, default=18)
    parser.add_argument("--columns", type=int, default=3)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    console = Console(stderr=True)
    console.log(f"loading {args.graph.name} and tiling it x{args.tiles}")
    base = RoadGraph.from_file(args.graph)
    base_nodes = base.n_nodes
    graph = tiled_graph(base, args.tiles, args.columns)
    rng = np.random.default_rng(args.seed)
    units: Units = [
        (f"U{i:05d}", float(x), float(y)) for i, (x, y) in enumerate(random_points(graph, args.units, rng))
    ]
    incidents = [(float(x), float(y)) for x, y in random_points(graph, args.queries, rng)]
    matrix = graph.to_csr_matrix(transpose=True)
    for incident in incidents[:5]:  # warm-up: KD-tree, adjacency lists, SciPy code paths
        rank_units(graph, incident, units, args.k)
        baseline_rank(graph, matrix, incident, units, args.k)
    ours_ms, base_ms, ours_cpu_ms, agree = [], [], [], True
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("queries", total=len(incidents))
        for incident in incidents:
            c0, t0 = time.process_time(), time.perf_counter()
            ours = rank_units(graph, incident, units, args.k)
            t1, c1 = time.perf_counter(), time.process_time()
            theirs = baseline_rank(graph, matrix, incident, units, args.k)
            t2 = time.perf_counter()
            ours_ms.append((t1 - t0) * 1e3)
            ours_cpu_ms.append((c1 - c0) * 1e3)
            base_ms.append((t2 - t1) * 1e3)
            agree = agree and agrees(ours, theirs)
            progress.advance(task)
    p50, base50 = statistics.median(ours_ms), statistics.median(base_ms)
    result = {
        "graph": f"{args.graph.name}: {base_nodes:,} real nodes tiled x {args.tiles} (synthetic copies)",
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "units": len(units),
        "queries": len(incidents),
        "k": args.k,
        "p50_ms": round(p50, 3),
        "p99_ms": round(float(np.percentile(ours_ms, 99)), 3),
        "p50_cpu_ms": round(statistics.median(ours_cpu_ms), 3),
        "p99_cpu_ms": round(float(np.percentile(ours_cpu_ms, 99)), 3),
        "baseline_ms": round(base50, 3),
        "baseline_p99_ms": round(float(np.percentile(base_ms, 99)), 3),
        "speedup": round(base50 / p50, 1),
        "agree": agree,
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 1),  # a busy machine inflates the wall-clock tail
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
