"""Dijkstra over CSR adjacency held in Python sequences.

``array.array``s (or lists), not NumPy arrays, because the searches here are
*bounded*: they touch a few hundred to a few thousand nodes, and indexing a
Python sequence element by element is ~5x faster than indexing an ndarray.
Lazy deletion (skip a popped entry whose distance is stale) instead of a
decrease-key heap.
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heappop, heappush, heappushpop
from typing import NamedTuple

__all__ = ["LabelSearch", "label_search", "nearest_labels", "shortest_path", "top"]

_INF = float("inf")


def shortest_path(
    ptr: Sequence[int], adj: Sequence[int], weight: Sequence[float], source: int, target: int
) -> tuple[list[int], float] | None:
    """Fastest path source -> target over arcs ``v -> adj[i]`` for i in ptr[v]:ptr[v+1]."""
    dist: dict[int, float] = {source: 0.0}
    prev: dict[int, int] = {}
    heap: list[tuple[float, int]] = [(0.0, source)]
    while heap:
        d, v = heappop(heap)
        if v == target:
            path = [v]
            while v != source:
                v = prev[v]
                path.append(v)
            path.reverse()
            return path, d
        if d > dist[v]:
            continue
        for i in range(ptr[v], ptr[v + 1]):
            u = adj[i]
            nd = d + weight[i]
            if nd < dist.get(u, _INF):
                dist[u] = nd
                prev[u] = v
                heappush(heap, (nd, u))
    return None


class LabelSearch(NamedTuple):
    """Outcome of a bounded label search.

    ``found`` holds (total, key) candidates, unsorted, a superset of the best
    k. Every node whose ``dist`` is ``<= bound`` was settled, so its value is
    final; any node not so recorded is farther than ``bound``.
    """

    found: list[tuple[float, str]]
    dist: dict[int, float]
    bound: float


def top(found: list[tuple[float, str]], k: int) -> list[tuple[str, float]]:
    """Best k candidates as (key, total); ties broken by key, not by heap order."""
    found.sort()
    return [(name, total) for total, name in found[:k]]


def nearest_labels(
    ptr: Sequence[int],
    adj: Sequence[int],
    weight: Sequence[float],
    source: int,
    labels: tuple[dict[int, int], list[int], list[float], list[str]],
    k: int,
) -> list[tuple[str, float]]:
    """The ``k`` labels with the smallest ``dist(source, node) + extra``, ascending."""
    return top(label_search(ptr, adj, weight, source, labels, k).found, k)


def label_search(
    ptr: Sequence[int],
    adj: Sequence[int],
    weight: Sequence[float],
    source: int,
    labels: tuple[dict[int, int], list[int], list[float], list[str]],
    k: int,
) -> LabelSearch:
    """Dijkstra from ``source`` that stops once the k best labels are certain.

    ``labels`` is ``(first, node, extra, key)``: parallel lists sorted by node,
    and ``first`` maps a node to the index of its first label. The search
    stops once the next node to settle is farther than the k-th best total
    found so far — exact because ``extra`` is never negative.
    """
    first, label_node, extra, key = labels
    n_labels = len(label_node)
    bound = _INF
    best: list[float] = []  # max-heap (negated) of the k smallest totals so far
    found: list[tuple[float, str]] = []
    dist: dict[int, float] = {source: 0.0}
    heap: list[tuple[float, int]] = [(0.0, source)]
    pop, push, dist_of, label_of = heappop, heappush, dist.get, first.get  # local names: hot loop
    while heap:
        d, v = pop(heap)
        if d > bound:
            break
        if d > dist[v]:
            continue
        j = label_of(v)
        if j is not None:
            while j < n_labels and label_node[j] == v:
                total = d + extra[j]
                if total <= bound:
                    found.append((total, key[j]))
                    if len(best) < k:
                        push(best, -total)
                    else:
                        heappushpop(best, -total)
                    if len(best) == k:
                        bound = -best[0]
                j += 1
        for i in range(ptr[v], ptr[v + 1]):
            u = adj[i]
            nd = d + weight[i]
            if nd < dist_of(u, _INF):
                dist[u] = nd
                push(heap, (nd, u))
    return LabelSearch(found, dist, bound)
