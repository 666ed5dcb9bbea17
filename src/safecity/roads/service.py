"""Which road graph this installation routes on, loaded once per process.

Order: ``SAFECITY_ROAD_GRAPH_PATH``; else ``<data_dir>/roads.npz`` written by
``safecity roads import``; else the south-east Karachi graph shipped with the
demo (real OpenStreetMap data, ODbL).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from safecity.core.config import Settings
from safecity.roads.graph import RoadGraph

__all__ = ["DEMO_GRAPH", "GraphSource", "basemap_gzip", "graph_for", "graph_source", "import_graph"]

DEMO_GRAPH = Path(__file__).resolve().parent.parent / "demo" / "data" / "karachi_southeast.roads.npz"


@dataclass(frozen=True)
class GraphSource:
    path: Path
    label: str
    attribution: str = "© OpenStreetMap contributors (ODbL)"


def graph_source(settings: Settings) -> GraphSource | None:
    if settings.road_graph_path is not None:
        return GraphSource(Path(settings.road_graph_path), f"imported: {Path(settings.road_graph_path).name}")
    imported = settings.data_dir / "roads.npz"
    if imported.exists():
        return GraphSource(imported, "imported OpenStreetMap extract")
    if DEMO_GRAPH.exists():
        return GraphSource(DEMO_GRAPH, "south-east Karachi, OpenStreetMap snapshot 2026-01-21")
    return None


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> RoadGraph:
    return RoadGraph.load(path)


def graph_for(settings: Settings) -> RoadGraph | None:
    """The installation's graph (cached per file version), or None when there is none."""
    source = graph_source(settings)
    if source is None:
        return None
    return _load(source.path, source.path.stat().st_mtime)


@lru_cache(maxsize=4)
def _basemap(path: Path, mtime: float) -> bytes:
    graph = _load(path, mtime)
    doc = graph.edges_geojson(min_class=None, tolerance_m=4.0, one_per_street=True)
    return gzip.compress(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 6)


def basemap_gzip(settings: Settings) -> bytes | None:
    """The road lines as gzipped GeoJSON: the map's offline basemap (no tile server needed)."""
    source = graph_source(settings)
    if source is None:
        return None
    return _basemap(source.path, source.path.stat().st_mtime)


def import_graph(source: Path, settings: Settings, out: Path | None = None) -> tuple[Path, RoadGraph]:
    graph = RoadGraph.from_file(source)
    target = out or settings.data_dir / "roads.npz"
    target.parent.mkdir(parents=True, exist_ok=True)
    graph.save(target)
    return target, graph
