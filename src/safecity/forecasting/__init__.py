"""Crime hotspot forecasting: grids, forecasters with the scikit-learn API, and their evaluation.

Every forecaster follows one contract: ``fit(events, until=day)`` reads only
events before ``until``; ``predict(start, horizon)`` returns relative risk per
grid cell. See `safecity.forecasting.cli` for the evaluation protocol.
"""

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
