"""Read the drivable network of an OSM ``.osm.pbf`` extract with pyrosm.

pyrosm is optional (it pulls in geopandas/pandas); the GraphML and npz
paths work without it. OSM ways are split at every node pyrosm keeps, so a
PBF graph has more, shorter edges than an OSMnx-simplified one. Direction
follows OSM tagging: ``oneway=yes|true|1`` and roundabouts are forward only,
``oneway=-1|reverse`` backward only, everything else both ways.
"""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path
from typing import Any

from safecity.roads.errors import UnsupportedRoadFile
from safecity.roads.table import RoadTable, TableBuilder

__all__ = ["read_pbf"]

_FORWARD = {"yes", "true", "1"}
_BACKWARD = {"-1", "reverse"}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _directions(oneway: str | None, tags: str | None) -> tuple[bool, bool]:
    if oneway in _BACKWARD:
        return False, True
    if oneway in _FORWARD:
        return True, False
    if tags and '"junction":"roundabout"' in tags.replace(" ", ""):
        return True, False
    return True, True


def _frames(path: Path) -> tuple[Any, Any]:
    try:
        pyrosm = importlib.import_module("pyrosm")
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise UnsupportedRoadFile("reading .osm.pbf needs the optional package pyrosm") from exc
    try:
        nodes, edges = pyrosm.OSM(str(path)).get_network(network_type="driving", nodes=True)
    except Exception as exc:  # pyrosm raises bare errors for corrupt files
        raise UnsupportedRoadFile(f"{path.name} is not a readable OSM PBF extract: {exc}") from exc
    if nodes is None or edges is None or len(edges) == 0:
        raise UnsupportedRoadFile(f"{path.name} holds no drivable roads")
    return nodes, edges


def read_pbf(path: Path) -> RoadTable:
    nodes, edges = _frames(path)
    builder = TableBuilder()
    for node_id, lon, lat in zip(
        nodes["id"].tolist(), nodes["lon"].tolist(), nodes["lat"].tolist(), strict=True
    ):
        if int(node_id) not in builder.index:
            builder.add_node(int(node_id), float(lon), float(lat))
    shapely = importlib.import_module("shapely")  # installed with pyrosm
    coords, owner = shapely.get_coordinates(edges.geometry.values, return_index=True)
    starts = [0] * (len(edges) + 1)
    for i in owner.tolist():
        starts[i + 1] += 1
    for i in range(len(edges)):
        starts[i + 1] += starts[i]
    tags = edges["tags"].tolist() if "tags" in edges else [None] * len(edges)
    columns = zip(
        edges["u"].tolist(),
        edges["v"].tolist(),
        edges["length"].tolist(),
        edges["highway"].tolist(),
        edges["maxspeed"].tolist() if "maxspeed" in edges else [None] * len(edges),
        edges["name"].tolist() if "name" in edges else [None] * len(edges),
        edges["oneway"].tolist() if "oneway" in edges else [None] * len(edges),
        tags,
        strict=True,
    )
    for i, (u, v, length, highway, maxspeed, name, oneway, tag_json) in enumerate(columns):
        inner = [(float(x), float(y)) for x, y in coords[starts[i] + 1 : starts[i + 1] - 1]]
        forward, backward = _directions(_text(oneway), _text(tag_json))
        common: dict[str, Any] = {
            "travel_time": None,
            "length": float(length) if _text(length) else None,
            "highway": _text(highway),
            "maxspeed": _text(maxspeed),
            "name": _text(name) or _name_from_tags(_text(tag_json)),
        }
        if forward:
            builder.add_edge(int(u), int(v), interior=inner, **common)
        if backward:
            builder.add_edge(int(v), int(u), interior=inner[::-1], **common)
    return builder.build()


def _name_from_tags(tags: str | None) -> str | None:
    """Local-script names (``name:ur``) when the plain ``name`` tag is absent."""
    if not tags:
        return None
    try:
        parsed = json.loads(tags)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    for key in ("name:ur", "name:en"):
        if isinstance(parsed.get(key), str) and parsed[key].strip():
            return str(parsed[key]).strip()
    for key, value in parsed.items():
        if key.startswith("name:") and isinstance(value, str) and value.strip():
            return value.strip()
    return None
