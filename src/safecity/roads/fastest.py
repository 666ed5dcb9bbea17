"""Which of many points can reach a target node soonest — snapping only the ones that could.

Snapping every live unit to the network costs more than the bounded search
itself once there are thousands of units. A cheap lower bound settles most of
them without a KD-tree query: no route is faster than its straight-line
length at ``v``, the fastest *straight-line* speed of any arc (chord length /
travel time), and the off-network gap is crossed at the access speed ``a``;
so a point at straight-line distance ``s`` from the target node needs at
least ``s / max(v, a)``. The points with the smallest bounds are snapped and
searched from; then any other point whose bound is not above the k-th best
time is snapped and its time read off the search's settled nodes. The answer
is exactly the one that snapping everything would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from safecity.roads.search import top

if TYPE_CHECKING:
    from safecity.roads.graph import RoadGraph

__all__ = ["chord_speed_bound", "fastest_points_to"]


def chord_speed_bound(
    node_xy: NDArray[np.float64], src: NDArray[np.int64], dst: NDArray[np.int64], seconds: NDArray[np.float64]
) -> float:
    """Largest chord length / travel time over open arcs (inf if a positive chord takes no time)."""
    open_arcs = np.isfinite(seconds)
    chord = np.hypot(*(node_xy[src[open_arcs]] - node_xy[dst[open_arcs]]).T)
    time = seconds[open_arcs]
    if np.any((time <= 0) & (chord > 0)):
        return float("inf")
    moving = time > 0
    return float(np.max(chord[moving] / time[moving])) if moving.any() else 0.0


def fastest_points_to(
    graph: RoadGraph,
    target: int,
    xy: NDArray[np.float64],
    keys: Sequence[str],
    k: int,
    access_mps: float,
) -> list[tuple[str, float]]:
    """``k`` keyed points with the smallest (gap / access speed + road time to ``target``)."""
    n = len(keys)
    if n == 0:
        return []
    target_xy = graph.snapper.node_xy[target]
    lower = np.hypot(xy[:, 0] - target_xy[0], xy[:, 1] - target_xy[1]) / max(
        graph.speed_bound_mps(), access_mps
    )
    lower *= 1 - 1e-9  # rounding must never turn a true lower bound into an overestimate
    first = min(n, 8 * k + 32)
    chosen = np.argpartition(lower, first - 1)[:first] if first < n else np.arange(n)
    nodes, gaps = graph.snapper.snap_xy(xy[chosen])
    search = graph.search_sources_to(target, nodes, gaps / access_mps, [keys[i] for i in chosen.tolist()], k)
    # Points the first batch did not cover but that might still beat the k-th
    # best: the search already settled every node within ``bound``, so their
    # times are look-ups, not another search.
    unsnapped = np.ones(n, dtype=bool)
    unsnapped[chosen] = False
    late = np.flatnonzero(unsnapped & (lower <= search.bound))
    if len(late):
        late_nodes, late_gaps = graph.snapper.snap_xy(xy[late])
        for i, node, gap in zip(late.tolist(), late_nodes.tolist(), late_gaps.tolist(), strict=True):
            d = search.dist.get(node)
            if d is not None and d <= search.bound:
                search.found.append((d + gap / access_mps, keys[i]))
    return top(search.found, k)
