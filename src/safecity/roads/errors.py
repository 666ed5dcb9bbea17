"""Errors a caller of the road network can cause."""

from __future__ import annotations

from safecity.core.errors import InvalidInput, NotFound

__all__ = ["NoRoute", "UnknownEdge", "UnsupportedRoadFile"]


class UnsupportedRoadFile(InvalidInput):
    """The file is not a road network this package can read (format or content)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="path")


class UnknownEdge(InvalidInput):
    """An edge id or a (u, v) pair does not name an edge of the graph."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="edges")


class NoRoute(NotFound):
    """The destination cannot be reached from the origin (closed roads, one-way streets)."""
