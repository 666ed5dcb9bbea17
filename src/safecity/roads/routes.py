"""The road network over HTTP: the offline basemap and what graph is in use."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from safecity.core.errors import NotFound
from safecity.core.http import CurrentUser, get_settings
from safecity.roads import service

router = APIRouter(prefix="/api/roads", tags=["roads"])


@router.get("/basemap.geojson")
def basemap(request: Request, user: CurrentUser) -> Response:
    body = service.basemap_gzip(get_settings(request))
    if body is None:
        raise NotFound("no road graph is installed; run `safecity roads import FILE`")
    headers = {
        "Content-Encoding": "gzip",
        "Cache-Control": "private, max-age=3600",
        "Vary": "Accept-Encoding",
    }
    return Response(body, media_type="application/geo+json", headers=headers)


@router.get("/info")
def info(request: Request, user: CurrentUser) -> dict[str, Any]:
    settings = get_settings(request)
    source = service.graph_source(settings)
    graph = service.graph_for(settings)
    if source is None or graph is None:
        return {"installed": False}
    return {
        "installed": True,
        "source": source.label,
        "attribution": source.attribution,
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "bbox": list(graph.bbox),
    }
