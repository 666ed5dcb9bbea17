"""Named forecasters with the hyper-parameters chosen on pre-test data.

The defaults here were picked on Toronto 2018 (trained on events up to
2017-12-31) and Portland 2016-03-01…2017-02-28; 2019 Toronto and the NIJ
test window were only reported, never used to choose. See docs in cli.py.
"""

from __future__ import annotations

from collections.abc import Callable

from safecity.core.errors import InvalidInput

from ._base import ForecastEstimator
from ._counts import HistoricalCounts, KernelDensity
from ._ensemble import Ensemble
from ._learned import GradientBoostingForecaster, LinearStackForecaster
from ._prospective import ProspectiveHotspot
from ._recency import RecencyWeightedCounts
from ._sepp import SelfExcitingPointProcess

__all__ = ["BASELINE", "MODEL_NAMES", "make_model"]

BASELINE = "counts"

_FACTORIES: dict[str, Callable[[], ForecastEstimator]] = {
    "counts": lambda: HistoricalCounts(window_days=730.0),
    "kde": lambda: KernelDensity(bandwidth_m=250.0, window_days=1460.0, raw_weight=0.8),
    "prospective": lambda: ProspectiveHotspot(bandwidth_m=400.0, window_weeks=8, long_run_weight=0.5),
    "sepp": lambda: SelfExcitingPointProcess(window_days=365, sigma_m=100.0, background_bandwidth_m=125.0),
    "recency": lambda: RecencyWeightedCounts(),
    "linear": lambda: LinearStackForecaster(),
    "gbm": lambda: GradientBoostingForecaster(),
    "ensemble": lambda: Ensemble(
        estimators=[
            ("gbm", GradientBoostingForecaster()),
            ("kde", KernelDensity(bandwidth_m=250.0, window_days=1460.0, raw_weight=0.8)),
        ],
        weights=[0.5, 0.5],
    ),
}

MODEL_NAMES: tuple[str, ...] = tuple(_FACTORIES)


def make_model(name: str, category: str | None = None) -> ForecastEstimator:
    """A fresh, unfitted forecaster by name (see `MODEL_NAMES`)."""
    try:
        model = _FACTORIES[name.strip().lower()]()
    except KeyError:
        raise InvalidInput(
            f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}", field="model"
        ) from None
    return model.set_params(category=category)  # type: ignore[no-any-return]
