"""Response documents of the forecast API: a GeoJSON layer that carries its own accuracy."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from ._layer import Backtest, ForecastLayer, cells_geojson
from ._patrol import PatrolPlan

__all__ = ["BacktestOut", "ForecastLayerOut", "LayerMeta", "PatrolBeatOut", "PatrolCellOut", "PatrolPlanOut"]

# Measured on Toronto MCI 2019 (docs/forecasting.md); shown so nobody mistakes a demo for evidence.
REFERENCE_NOTE = (
    "Real-data check, Toronto 2019 (weekly, 250 m cells, top 5%): the recency model caught 34.7% of "
    "Break and Enter and 41.3% of Assault events (730-day-counts baseline 33.7% and 41.1%). "
    "See docs/forecasting.md for every model and category."
)


def _date(day: float) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(np.floor(day)))


class BacktestOut(BaseModel):
    """Hit rate of the same model over the weeks before the forecast, and the baseline's."""

    weeks: int
    events: int
    hit_rate: float | None
    baseline_hit_rate: float | None
    ci_low: float | None
    ci_high: float | None
    note: str

    @classmethod
    def of(cls, b: Backtest, coverage: float) -> BacktestOut:
        if b.hit_rate is None:
            note = (
                f"Not measured: only {b.events} events in the last {b.weeks} weeks. "
                "Treat this layer as unvalidated."
            )
        else:
            note = (
                f"In the last {b.weeks} weeks this model's top {coverage:.0%} of cells held "
                f"{b.hit_rate:.0%} of events (baseline {b.baseline_hit_rate:.0%})."
            )
        return cls(
            weeks=b.weeks,
            events=b.events,
            hit_rate=b.hit_rate,
            baseline_hit_rate=b.baseline_hit_rate,
            ci_low=b.ci_low,
            ci_high=b.ci_high,
            note=note,
        )


class LayerMeta(BaseModel):
    source: Literal["incidents", "upload"]
    model: str
    category: str
    categories: list[str]
    week_start: dt.date
    week_end: dt.date
    coverage: float
    cells: int
    study_cells: int
    cell_size_m: float
    backtest: BacktestOut
    reference: str = REFERENCE_NOTE


class ForecastLayerOut(BaseModel):
    """A GeoJSON FeatureCollection; ``forecast`` is a foreign member with what the layer means."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]
    forecast: LayerMeta

    @classmethod
    def of(
        cls,
        layer: ForecastLayer,
        measured: Backtest,
        *,
        source: Literal["incidents", "upload"],
        categories: list[str],
    ) -> ForecastLayerOut:
        doc = cells_geojson(layer)
        meta = LayerMeta(
            source=source,
            model=layer.model,
            category=layer.category,
            categories=categories,
            week_start=_date(layer.start),
            week_end=_date(layer.start + layer.horizon_days - 1.0),
            coverage=layer.coverage,
            cells=len(layer.cells),
            study_cells=layer.study_cells,
            cell_size_m=layer.grid.cell_size,
            backtest=BacktestOut.of(measured, layer.coverage),
        )
        return cls(features=doc["features"], forecast=meta)


class PatrolCellOut(BaseModel):
    rank: int
    cell: int
    lon: float
    lat: float
    travel_minutes: float | None


class PatrolBeatOut(BaseModel):
    beat: str
    station: str
    cells: list[PatrolCellOut]


class PatrolPlanOut(BaseModel):
    method: str
    budget_minutes: float
    beats: list[PatrolBeatOut]
    uncovered: list[PatrolCellOut]
    layer: ForecastLayerOut

    @classmethod
    def of(
        cls, plan: PatrolPlan, layer: ForecastLayer, stations: dict[str, str], layer_out: ForecastLayerOut
    ) -> PatrolPlanOut:
        lon, lat = layer.grid.centres_lonlat()

        def cell(i: int, seconds: float | None) -> PatrolCellOut:
            c = int(layer.cells[i])
            minutes = None if seconds is None else round(seconds / 60.0, 1)
            return PatrolCellOut(
                rank=i + 1,
                cell=c,
                lon=round(float(lon[c]), 6),
                lat=round(float(lat[c]), 6),
                travel_minutes=minutes,
            )

        beats = [
            PatrolBeatOut(beat=key, station=stations[key], cells=[cell(i, s) for i, s in cells])
            for key, cells in plan.assigned.items()
        ]
        return cls(
            method=plan.method,
            budget_minutes=plan.budget_s / 60.0,
            beats=beats,
            uncovered=[cell(i, None) for i in plan.uncovered],
            layer=layer_out,
        )
