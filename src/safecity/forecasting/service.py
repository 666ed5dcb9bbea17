"""Forecasts for the organisation's own incidents (or an uploaded file), and patrol plans.

The library (`safecity.forecasting`) knows nothing of the database; this
module feeds it the incidents the user may see, the Dolphin beats of their
stations, and records in the audit log who produced which forecast or plan —
a hotspot list steers where police go, so it is accountable like a write.
Functions flush (via audit), never commit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.core import audit
from safecity.core.auth import User
from safecity.core.db import utcnow
from safecity.core.errors import InvalidInput
from safecity.core.org import OrgUnit
from safecity.incidents import service as incidents
from safecity.roads.graph import RoadGraph
from safecity.units import service as units
from safecity.units.models import UnitKind

from ._events import GriddedEvents, to_day
from ._layer import Backtest, ForecastLayer, backtest, weekly_layer
from ._loading import grid_points, load_events
from ._patrol import Beat, PatrolPlan, plan_patrols

__all__ = [
    "ALL_CATEGORIES",
    "ONLINE_MODELS",
    "LayerRequest",
    "dolphin_beats",
    "file_events",
    "layer_for",
    "own_events",
    "patrol_plan",
]

ALL_CATEGORIES = "All incidents"
# Models cheap enough to fit (plus an 8-week backtest) inside a web request.
ONLINE_MODELS = ("counts", "kde", "prospective", "sepp", "recency")
HISTORY_DAYS = 730


@dataclass(frozen=True)
class LayerRequest:
    category: str | None  # None = every incident type together
    model: str = "recency"
    coverage: float = 0.05
    backtest_weeks: int = 8


def _local_naive(value: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(tz).replace(tzinfo=None)


def own_events(
    session: Session, *, user: User, timezone: str, now: dt.datetime | None = None
) -> GriddedEvents:
    """Incidents of the last two years in the user's scope, on the local-time day axis."""
    now = now or utcnow()
    found = incidents.list_incidents(
        session, user=user, since=now - dt.timedelta(days=HISTORY_DAYS), limit=200_000
    )
    if not found:
        raise InvalidInput("no incidents in your area in the last two years to forecast from", field="data")
    tz = ZoneInfo(timezone)
    days = np.array([to_day(_local_naive(i.call_received_at, tz)) for i in found])
    return grid_points(
        np.array([i.lon for i in found]),
        np.array([i.lat for i in found]),
        days,
        [i.type_code for i in found],
    )


def file_events(path: Path) -> GriddedEvents:
    """Events of an uploaded CSV, read with the same rules as ``safecity forecast evaluate``."""
    events, _ = load_events([path])
    return events


def _pooled(events: GriddedEvents) -> GriddedEvents:
    labels = [ALL_CATEGORIES] * len(events)
    return GriddedEvents.build(events.grid, events.day, events.cell, labels)


def _next_midnight(events: GriddedEvents, now_day: float | None) -> float:
    last = float(events.day[-1]) if len(events) else 0.0
    return float(math.floor(max(last, now_day if now_day is not None else last)) + 1.0)


def layer_for(
    session: Session,
    events: GriddedEvents,
    request: LayerRequest,
    *,
    actor: User,
    source: str,
    now_day: float | None = None,
) -> tuple[ForecastLayer, Backtest]:
    """The coming week's top cells from every event so far, and the same model's recent hit rate."""
    if request.model not in ONLINE_MODELS:
        raise InvalidInput(f"model must be one of {', '.join(ONLINE_MODELS)}", field="model")
    if not 0.0 < request.coverage <= 0.5:
        raise InvalidInput("coverage must be in (0, 0.5]", field="coverage")
    if request.category is None:
        events, category = _pooled(events), ALL_CATEGORIES
    else:
        category = events.categories[events.code_of(request.category)]
    start = _next_midnight(events, now_day)
    layer = weekly_layer(
        events, model=request.model, category=category, start=start, coverage=request.coverage
    )
    measured = backtest(
        events,
        model=request.model,
        category=category,
        start=start,
        coverage=request.coverage,
        weeks=request.backtest_weeks,
    )
    audit.record(
        session,
        actor=actor_of(actor),
        action="forecast.layer",
        object_type="forecast",
        details={"source": source, "category": category, "model": request.model, "cells": len(layer.cells)},
    )
    return layer, measured


def dolphin_beats(session: Session, *, user: User) -> list[Beat]:
    """One beat per Dolphin pair in the user's scope, starting from its home station."""
    pairs = units.list_units(session, user=user, kinds=[UnitKind.DOLPHIN_PAIR])
    stations = {
        s.id: s for s in (session.get(OrgUnit, sid) for sid in {u.home_station_id for u in pairs}) if s
    }
    beats = []
    for unit in sorted(pairs, key=lambda u: u.call_sign):
        station = stations.get(unit.home_station_id)
        if station is not None and station.lon is not None and station.lat is not None:
            beats.append(Beat(key=unit.call_sign, station=station.code, lon=station.lon, lat=station.lat))
    return beats


def patrol_plan(
    session: Session,
    layer: ForecastLayer,
    *,
    beats: Sequence[Beat],
    budget_minutes: float,
    graph: RoadGraph | None,
    actor: User,
) -> PatrolPlan:
    """Share the layer's cells among the beats; uses the road graph when one is installed."""
    if not 0 < budget_minutes <= 120:
        raise InvalidInput("budget must be between 0 and 120 minutes", field="budget_minutes")
    lon, lat = layer.grid.centres_lonlat()
    plan = plan_patrols(
        beats, lon[layer.cells], lat[layer.cells], budget_s=budget_minutes * 60.0, graph=graph
    )
    audit.record(
        session,
        actor=actor_of(actor),
        action="forecast.patrol_plan",
        object_type="forecast",
        details={
            "category": layer.category,
            "model": layer.model,
            "beats": len(beats),
            "cells": len(layer.cells),
            "uncovered": len(plan.uncovered),
            "method": plan.method,
        },
    )
    return plan
