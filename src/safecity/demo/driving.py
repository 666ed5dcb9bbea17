"""A unit driving a road route: where it is at any moment, at the road graph's own travel times.

A trip is the fastest path between two road nodes; each hop takes the
travel time of its (fastest parallel) arc, shortened by ``pace`` for units
on blue lights. Positions between nodes are interpolated along the straight
chord, so every reported fix lies on an arc of the network.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from safecity.roads import RoadGraph

__all__ = ["Position", "Trip", "plan_trip"]

_M_PER_DEG = 111_320.0


@dataclass(frozen=True, slots=True)
class Position:
    lon: float
    lat: float
    speed_kph: float
    heading: float
    arrived: bool


@dataclass(frozen=True, slots=True)
class Trip:
    """``nodes`` of the route with ``elapsed[i]`` seconds from the start to reach node ``i``."""

    purpose: str  # "respond" (to ``incident_id``) or "return" (to base)
    incident_id: int | None
    started: datetime
    lon: tuple[float, ...]
    lat: tuple[float, ...]
    elapsed: tuple[float, ...]

    @property
    def seconds(self) -> float:
        return self.elapsed[-1]

    @property
    def ends(self) -> datetime:
        return self.started + timedelta(seconds=self.seconds)

    def at(self, when: datetime) -> Position:
        t = (when - self.started).total_seconds()
        if t >= self.seconds or len(self.elapsed) < 2:
            return Position(self.lon[-1], self.lat[-1], 0.0, self._heading(len(self.lon) - 2), True)
        t = max(t, 0.0)
        i = max(bisect.bisect_right(self.elapsed, t) - 1, 0)
        span = self.elapsed[i + 1] - self.elapsed[i]
        f = (t - self.elapsed[i]) / span if span > 0 else 1.0
        lon = self.lon[i] + f * (self.lon[i + 1] - self.lon[i])
        lat = self.lat[i] + f * (self.lat[i + 1] - self.lat[i])
        speed = _metres(self, i) / span * 3.6 if span > 0 else 0.0
        return Position(lon, lat, round(min(speed, 400.0), 1), self._heading(i), False)

    def _heading(self, i: int) -> float:
        if i < 0 or i + 1 >= len(self.lon):
            return 0.0
        dx = (self.lon[i + 1] - self.lon[i]) * math.cos(math.radians(self.lat[i]))
        dy = self.lat[i + 1] - self.lat[i]
        return round(math.degrees(math.atan2(dx, dy)) % 360.0, 1)


def _metres(trip: Trip, i: int) -> float:
    dx = (trip.lon[i + 1] - trip.lon[i]) * math.cos(math.radians(trip.lat[i])) * _M_PER_DEG
    dy = (trip.lat[i + 1] - trip.lat[i]) * _M_PER_DEG
    return math.hypot(dx, dy)


def plan_trip(
    graph: RoadGraph,
    src_node: int,
    dst_node: int,
    *,
    started: datetime,
    purpose: str,
    incident_id: int | None = None,
    pace: float = 1.0,
) -> Trip:
    """The fastest route (`RoadGraph.route`, `NoRoute` if none) timed hop by hop."""
    nodes = graph.route(src_node, dst_node).nodes if src_node != dst_node else [src_node]
    elapsed = [0.0]
    weights = graph.travel_time
    for u, v in itertools.pairwise(nodes):
        arc = min(float(weights[e]) for e in graph.edge_ids([(u, v)]))
        elapsed.append(elapsed[-1] + arc / pace)
    return Trip(
        purpose=purpose,
        incident_id=incident_id,
        started=started,
        lon=tuple(float(graph.lon[n]) for n in nodes),
        lat=tuple(float(graph.lat[n]) for n in nodes),
        elapsed=tuple(elapsed),
    )
