"""Read an OSMnx GraphML file (plain or gzipped) into a RoadTable.

The C ElementTree parser builds the whole tree at once (a city extract is
tens of MB of XML, fine in memory) — several times faster than
``networkx.read_graphml``, which builds dicts per node and edge that we
would throw away, and than ``iterparse``'s per-event Python overhead.
"""

from __future__ import annotations

import gzip
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import IO, cast

from safecity.roads.errors import UnsupportedRoadFile
from safecity.roads.table import RoadTable, TableBuilder

__all__ = ["read_graphml"]

_NS = "{http://graphml.graphdrawing.org/xmlns}"


def _open(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _float(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        result = float(value)
    except ValueError:
        return None
    return result if math.isfinite(result) else None


def _travel_time(data: dict[str, str]) -> float | None:
    """``travel_time``; else ``length`` at OSMnx's imputed ``speed_kph``; else None (speed table)."""
    seconds = _float(data.get("travel_time"))
    if seconds is not None:
        return seconds
    length, kph = _float(data.get("length")), _float(data.get("speed_kph"))
    if length is not None and kph is not None and kph > 0:
        return length / (kph / 3.6)
    return None


def _node_id(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise UnsupportedRoadFile(f"node id {value!r} is not an integer (OSM node id)") from exc


def _linestring(wkt: str | None) -> list[tuple[float, float]]:
    """Points of a WKT LINESTRING, as OSMnx writes edge geometry."""
    if not wkt:
        return []
    start, end = wkt.find("("), wkt.rfind(")")
    if not wkt.lstrip().upper().startswith("LINESTRING") or start < 0 or end < start:
        return []
    points: list[tuple[float, float]] = []
    for pair in wkt[start + 1 : end].split(","):
        parts = pair.split()
        if len(parts) >= 2:
            points.append((float(parts[0]), float(parts[1])))
    return points


def _interior(
    builder: TableBuilder, u: int, v: int, points: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Interior points oriented from u to v (OSMnx may store them reversed)."""
    if len(points) < 2:
        return []
    ux, uy = builder.lon[u], builder.lat[u]
    first, last = points[0], points[-1]
    if (first[0] - ux) ** 2 + (first[1] - uy) ** 2 > (last[0] - ux) ** 2 + (last[1] - uy) ** 2:
        points = points[::-1]
    return points[1:-1]


def read_graphml(path: Path) -> RoadTable:
    builder = TableBuilder()
    try:
        with _open(path) as stream:
            root = ET.parse(stream).getroot()
    except (ET.ParseError, OSError, EOFError) as exc:
        raise UnsupportedRoadFile(f"{path.name} is not readable GraphML: {exc}") from exc
    graph = root.find(f"{_NS}graph")
    if graph is None:
        raise UnsupportedRoadFile(f"{path.name} holds no GraphML graph element")
    keys = {key.get("id", ""): key.get("attr.name", "") for key in root.iter(f"{_NS}key")}
    directed = graph.get("edgedefault", "directed") != "undirected"
    node_tag, edge_tag = f"{_NS}node", f"{_NS}edge"
    for elem in graph:
        if elem.tag == node_tag:
            _add_node(builder, elem, keys)
    for elem in graph:
        if elem.tag == edge_tag:
            _add_edge(builder, elem, keys, directed)
    return builder.build()


def _data(elem: ET.Element, keys: dict[str, str]) -> dict[str, str]:
    return {keys.get(d.get("key", ""), ""): d.text or "" for d in elem}


def _add_node(builder: TableBuilder, elem: ET.Element, keys: dict[str, str]) -> None:
    data = _data(elem, keys)
    lon, lat = _float(data.get("x")), _float(data.get("y"))
    if lon is None or lat is None:
        raise UnsupportedRoadFile(f"node {elem.get('id')} has no x/y (lon/lat) attributes")
    builder.add_node(_node_id(elem.get("id")), lon, lat)


def _add_edge(builder: TableBuilder, elem: ET.Element, keys: dict[str, str], directed: bool) -> None:
    data = _data(elem, keys)
    u_id, v_id = _node_id(elem.get("source")), _node_id(elem.get("target"))
    points = _linestring(data.get("geometry"))
    try:
        u, v = builder.index[u_id], builder.index[v_id]
    except KeyError as exc:
        raise UnsupportedRoadFile(f"edge {u_id}->{v_id} refers to an unknown node") from exc
    interior = _interior(builder, u, v, points)
    pairs = [(u_id, v_id, interior)]
    if not directed:
        pairs.append((v_id, u_id, interior[::-1]))
    for a, b, inner in pairs:
        builder.add_edge(
            a,
            b,
            travel_time=_travel_time(data),
            length=_float(data.get("length")),
            highway=data.get("highway"),
            maxspeed=data.get("maxspeed"),
            name=data.get("name"),
            interior=inner,
        )
