"""How soon can each unit reach a point: by road when a graph is loaded, else a labelled guess.

The straight-line fallback assumes ``NOMINAL_SPEED_KPH`` over the crow-fly
distance stretched by ``DETOUR_FACTOR`` (urban roads are rarely straight);
callers must show ``method`` so nobody mistakes the guess for a routed ETA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from safecity.dispatch import rank_units
from safecity.incidents.service import distance_m
from safecity.roads import RoadGraph

__all__ = ["DETOUR_FACTOR", "NOMINAL_SPEED_KPH", "Estimate", "EtaMethod", "estimate"]

NOMINAL_SPEED_KPH = 30.0
DETOUR_FACTOR = 1.3
EtaMethod = Literal["road", "straight_line"]


@dataclass(frozen=True, slots=True)
class Estimate:
    key: str
    eta_s: float
    distance_m: float


def estimate(
    graph: RoadGraph | None,
    point: tuple[float, float],
    candidates: Sequence[tuple[str, float, float]],
    k: int,
) -> tuple[list[Estimate], EtaMethod]:
    """The ``k`` soonest candidates ``(key, lon, lat)`` with ETA seconds and straight-line metres."""
    if not candidates or k < 1:
        return [], "road" if graph is not None else "straight_line"
    where = {key: (lon, lat) for key, lon, lat in candidates}

    def crow(key: str) -> float:
        lon, lat = where[key]
        return distance_m(point[0], point[1], lon, lat)

    if graph is not None:
        ranked = rank_units(graph, point, list(candidates), k=k)
        return [Estimate(key, round(eta, 1), round(crow(key), 1)) for key, eta in ranked], "road"
    speed = NOMINAL_SPEED_KPH / 3.6
    guesses = sorted((crow(key) * DETOUR_FACTOR / speed, crow(key), key) for key in where)
    return [Estimate(key, round(eta, 1), round(d, 1)) for eta, d, key in guesses[:k]], "straight_line"
