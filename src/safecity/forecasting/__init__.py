"""Crime hotspot forecasting: grids, forecasters with the scikit-learn API, and their evaluation.

Every forecaster follows one contract: ``fit(events, until=day)`` reads only
events before ``until``; ``predict(start, horizon)`` returns relative risk per
grid cell. See `safecity.forecasting.cli` for the evaluation protocol.

The names below are imported on first use (PEP 562): the package pulls in
scikit-learn, SciPy and pandas, seconds of start-up that every process paid
only because ``load_all_models`` imports ``safecity.forecasting.models``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._base import ForecastEstimator, horizon_days
    from ._counts import HistoricalCounts, KernelDensity
    from ._ensemble import Ensemble
    from ._evaluation import EvaluationResult, rolling_evaluation, window_starts
    from ._events import GriddedEvents, to_day
    from ._grid import Grid, utm_epsg_for
    from ._learned import GradientBoostingForecaster, LinearStackForecaster
    from ._loading import LoadReport, load_events
    from ._metrics import WeekScore, bootstrap_interval, flagged_cells, n_flagged, score_week
    from ._prospective import ProspectiveHotspot
    from ._recency import RecencyWeightedCounts
    from ._registry import BASELINE, MODEL_NAMES, make_model
    from ._sepp import SelfExcitingPointProcess

_HOME = {
    "ForecastEstimator": "_base",
    "horizon_days": "_base",
    "HistoricalCounts": "_counts",
    "KernelDensity": "_counts",
    "Ensemble": "_ensemble",
    "EvaluationResult": "_evaluation",
    "rolling_evaluation": "_evaluation",
    "window_starts": "_evaluation",
    "GriddedEvents": "_events",
    "to_day": "_events",
    "Grid": "_grid",
    "utm_epsg_for": "_grid",
    "GradientBoostingForecaster": "_learned",
    "LinearStackForecaster": "_learned",
    "LoadReport": "_loading",
    "load_events": "_loading",
    "WeekScore": "_metrics",
    "bootstrap_interval": "_metrics",
    "flagged_cells": "_metrics",
    "n_flagged": "_metrics",
    "score_week": "_metrics",
    "ProspectiveHotspot": "_prospective",
    "RecencyWeightedCounts": "_recency",
    "BASELINE": "_registry",
    "MODEL_NAMES": "_registry",
    "make_model": "_registry",
    "SelfExcitingPointProcess": "_sepp",
}

__all__ = [
    "BASELINE",
    "MODEL_NAMES",
    "Ensemble",
    "EvaluationResult",
    "ForecastEstimator",
    "GradientBoostingForecaster",
    "Grid",
    "GriddedEvents",
    "HistoricalCounts",
    "KernelDensity",
    "LinearStackForecaster",
    "LoadReport",
    "ProspectiveHotspot",
    "RecencyWeightedCounts",
    "SelfExcitingPointProcess",
    "WeekScore",
    "bootstrap_interval",
    "flagged_cells",
    "horizon_days",
    "load_events",
    "make_model",
    "n_flagged",
    "rolling_evaluation",
    "score_week",
    "to_day",
    "utm_epsg_for",
    "window_starts",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
