"""Forecast API and page: the weekly hotspot layer, its measured accuracy, and a patrol plan."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse

from safecity.core.auth import Role, User
from safecity.core.errors import InvalidInput
from safecity.core.http import DbSession, get_settings, require
from safecity.roads import service as roads
from safecity.web.nav import NavItem, register
from safecity.web.templating import render

from . import service
from .schemas import ForecastLayerOut, PatrolPlanOut

router = APIRouter(tags=["forecasting"])

VIEWERS = (Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER, Role.ANALYST)
register(NavItem("/forecast", "Forecast", frozenset(VIEWERS), order=40))

Viewer = Annotated[User, Depends(require(*VIEWERS))]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _request(category: str | None, model: str, coverage: float) -> service.LayerRequest:
    chosen = None if not category or category == service.ALL_CATEGORIES else category
    return service.LayerRequest(category=chosen, model=model.strip().lower(), coverage=coverage)


@router.get("/api/forecast/layer")
def own_layer(
    request: Request,
    user: Viewer,
    session: DbSession,
    category: Annotated[str | None, Query(description="incident type; empty = all")] = None,
    model: Annotated[str, Query()] = "recency",
    coverage: Annotated[float, Query(gt=0, le=0.5)] = 0.05,
) -> ForecastLayerOut:
    """Next week's top cells for the incidents in your area, with the model's measured hit rate."""
    events = service.own_events(session, user=user, timezone=get_settings(request).timezone)
    layer, measured = service.layer_for(
        session, events, _request(category, model, coverage), actor=user, source="incidents"
    )
    return ForecastLayerOut.of(layer, measured, source="incidents", categories=list(events.categories))


@router.post("/api/forecast/layer")
def uploaded_layer(
    user: Viewer,
    session: DbSession,
    file: Annotated[UploadFile, File(description="CSV(.gz): occurred_at, category, lat, lon")],
    category: Annotated[str | None, Form()] = None,
    model: Annotated[str, Form()] = "recency",
    coverage: Annotated[float, Form(gt=0, le=0.5)] = 0.05,
) -> ForecastLayerOut:
    """The same layer for any events file; the file is read once and not kept."""
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("file is larger than 50 MB", field="file")
    suffix = ".csv.gz" if (file.filename or "").endswith(".gz") else ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        events = service.file_events(path)
    layer, measured = service.layer_for(
        session, events, _request(category, model, coverage), actor=user, source="upload"
    )
    return ForecastLayerOut.of(layer, measured, source="upload", categories=list(events.categories))


@router.get("/api/forecast/patrol-plan")
def patrol_plan(
    request: Request,
    user: Viewer,
    session: DbSession,
    category: Annotated[str | None, Query()] = None,
    model: Annotated[str, Query()] = "recency",
    coverage: Annotated[float, Query(gt=0, le=0.5)] = 0.05,
    budget_minutes: Annotated[float, Query(gt=0, le=120)] = 10.0,
) -> PatrolPlanOut:
    """Next week's top cells shared among your Dolphin beats, each within the travel budget."""
    settings = get_settings(request)
    events = service.own_events(session, user=user, timezone=settings.timezone)
    layer, measured = service.layer_for(
        session, events, _request(category, model, coverage), actor=user, source="incidents"
    )
    beats = service.dolphin_beats(session, user=user)
    plan = service.patrol_plan(
        session,
        layer,
        beats=beats,
        budget_minutes=budget_minutes,
        graph=roads.graph_for(settings),
        actor=user,
    )
    layer_out = ForecastLayerOut.of(layer, measured, source="incidents", categories=list(events.categories))
    return PatrolPlanOut.of(plan, layer, {b.key: b.station for b in beats}, layer_out)


@router.get("/forecast", include_in_schema=False)
def forecast_page(request: Request, user: Viewer) -> HTMLResponse:
    settings = get_settings(request)
    graph = roads.graph_for(settings)
    lon0, lat0, lon1, lat1 = graph.bbox if graph is not None else settings.jurisdiction_bbox
    return render(
        request,
        "forecast.html",
        user=user,
        bbox=[lon0, lat0, lon1, lat1],
        models=service.ONLINE_MODELS,
    )
