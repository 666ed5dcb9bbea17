"""Road network: import, snapping, routing and fast weight changes for closures."""

from safecity.roads.errors import NoRoute, UnknownEdge, UnsupportedRoadFile
from safecity.roads.graph import RoadGraph, Route

__all__ = ["NoRoute", "RoadGraph", "Route", "UnknownEdge", "UnsupportedRoadFile"]
