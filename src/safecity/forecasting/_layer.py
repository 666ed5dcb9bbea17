"""The weekly forecast layer for the map, with the model's own measured hit rate beside it.

A hotspot map without its accuracy invites over-trust, so every layer comes
with a backtest on the same data: the same model, forecasting each of the
last few weeks from events before that week, scored by hit rate at the same
coverage, next to the 730-day-counts baseline. Too little history gives no
figure and says so instead of showing a number nobody can rely on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pyproj import Transformer

from ._evaluation import rolling_evaluation
from ._events import GriddedEvents
from ._grid import Grid
from ._metrics import flagged_cells
from ._registry import BASELINE, make_model

__all__ = ["Backtest", "ForecastLayer", "backtest", "cells_geojson", "weekly_layer"]

MIN_BACKTEST_EVENTS = 30  # below this a hit rate is mostly noise; the page says "not measured"


@dataclass(frozen=True)
class Backtest:
    model: str
    weeks: int
    events: int
    hit_rate: float | None
    baseline_hit_rate: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class ForecastLayer:
    model: str
    category: str
    start: float
    horizon_days: float
    coverage: float
    study_cells: int
    cells: NDArray[np.int64]  # flagged cell ids, highest risk first
    risk: NDArray[np.float64]  # expected events in the window, per flagged cell
    grid: Grid


def weekly_layer(
    events: GriddedEvents,
    *,
    model: str,
    category: str,
    start: float,
    coverage: float,
    horizon_days: float = 7.0,
) -> ForecastLayer:
    """Top cells for [start, start + horizon) from a model fitted on every event before ``start``."""
    study = events.study_area(start)
    risk = make_model(model, category).fit(events, until=start).predict(start, horizon_days)
    cells = flagged_cells(risk, study, coverage)
    return ForecastLayer(
        model=model,
        category=events.categories[events.code_of(category)],
        start=start,
        horizon_days=horizon_days,
        coverage=coverage,
        study_cells=int(study.sum()),
        cells=cells,
        risk=risk[cells],
        grid=events.grid,
    )


def backtest(
    events: GriddedEvents, *, model: str, category: str, start: float, coverage: float, weeks: int = 8
) -> Backtest:
    """Rolling weekly hit rate over the ``weeks`` weeks before ``start`` (model and baseline)."""
    first = start - 7.0 * weeks
    names = [model] if model == BASELINE else [BASELINE, model]
    seen = events.before(first)
    if len(seen) == 0:
        return Backtest(model, weeks, 0, None, None, None, None)
    models = {name: make_model(name, category) for name in names}
    results, _ = rolling_evaluation(
        events.before(start),
        models,
        category=category,
        train_end=first,
        test_start=first,
        test_end=start,
        horizon=7.0,
        coverages=[coverage],
    )
    by_model = {r.model: r for r in results}
    mine, base = by_model[model], by_model[BASELINE]
    if mine.events < MIN_BACKTEST_EVENTS:
        return Backtest(model, weeks, mine.events, None, None, None, None)
    return Backtest(model, weeks, mine.events, mine.hit_rate, base.hit_rate, mine.ci_low, mine.ci_high)


def _corners(grid: Grid, cells: NDArray[np.int64]) -> NDArray[np.float64]:
    """(n, 5, 2) lon/lat rings of the cells' squares, projected back from UTM."""
    iy, ix = np.divmod(cells, grid.nx)
    x0 = grid.origin_x + ix * grid.cell_size
    y0 = grid.origin_y + iy * grid.cell_size
    dx = np.array([0.0, 1.0, 1.0, 0.0, 0.0]) * grid.cell_size
    dy = np.array([0.0, 0.0, 1.0, 1.0, 0.0]) * grid.cell_size
    xs, ys = x0[:, None] + dx[None, :], y0[:, None] + dy[None, :]
    lon, lat = Transformer.from_crs(grid.epsg, 4326, always_xy=True).transform(xs, ys)
    return np.stack([np.asarray(lon), np.asarray(lat)], axis=-1)


def cells_geojson(layer: ForecastLayer) -> dict[str, object]:
    """GeoJSON FeatureCollection of the flagged squares, rank 1 = highest risk."""
    rings = _corners(layer.grid, layer.cells) if len(layer.cells) else np.zeros((0, 5, 2))
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [np.round(ring, 6).tolist()]},
            "properties": {"cell": int(cell), "rank": rank, "expected_events": round(float(r), 4)},
        }
        for rank, (cell, r, ring) in enumerate(zip(layer.cells, layer.risk, rings, strict=True), start=1)
    ]
    return {"type": "FeatureCollection", "features": features}
