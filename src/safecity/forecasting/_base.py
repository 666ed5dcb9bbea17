"""What every forecaster shares: the scikit-learn estimator contract plus a no-peeking rule.

``fit(events, until=day)`` may only read events strictly before ``until``;
``predict(start, horizon)`` returns expected relative risk per grid cell for
[start, start + horizon) and refuses a ``start`` earlier than ``until``, since
such a forecast would have seen part of the period it forecasts.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator

from safecity.core.errors import InvalidInput

from ._events import GriddedEvents, TimeLike, to_day
from ._grid import Grid

__all__ = ["ForecastEstimator", "horizon_days"]


def horizon_days(horizon: float | dt.timedelta | str) -> float:
    """Days in a horizon given as a number of days, a timedelta or text like ``7d``/``2w``/``24h``."""
    if isinstance(horizon, dt.timedelta):
        days = horizon.total_seconds() / 86400.0
    elif isinstance(horizon, str):
        text = horizon.strip().lower()
        units = {"d": 1.0, "w": 7.0, "h": 1.0 / 24.0}
        try:
            days = float(text[:-1]) * units[text[-1]] if text and text[-1] in units else float(text)
        except ValueError as exc:
            raise InvalidInput(f"not a horizon: {horizon!r} (use e.g. 7d, 2w, 24h)", field="horizon") from exc
    else:
        days = float(horizon)
    if not days > 0:
        raise InvalidInput("horizon must be positive", field="horizon")
    return days


class ForecastEstimator(BaseEstimator, ABC):  # type: ignore[misc]
    """Base of all hotspot forecasters; subclasses set hyper-parameters in ``__init__`` only."""

    category: str | None

    def fit(self, events: GriddedEvents, until: TimeLike) -> ForecastEstimator:
        self.until_ = to_day(until)
        self.grid_: Grid = events.grid
        target = events.of_category(self.category) if self.category is not None else events
        self._fit(target.before(self.until_), events.before(self.until_))
        return self

    def update(self, events: GriddedEvents, until: TimeLike) -> ForecastEstimator:
        """Bring the forecast up to ``until``; simple models just refit on all events before it."""
        return self.fit(events, until)

    def predict(self, start: TimeLike, horizon: float | dt.timedelta | str = 7.0) -> NDArray[np.float64]:
        if not hasattr(self, "until_"):
            raise InvalidInput(f"{type(self).__name__} is not fitted yet", field="model")
        day = to_day(start)
        if day < self.until_:
            raise InvalidInput("forecast start is before the end of the fitted data", field="start")
        risk = self._predict(day, horizon_days(horizon))
        return np.asarray(risk, dtype=np.float64).reshape(self.grid_.n_cells)

    @abstractmethod
    def _fit(self, target: GriddedEvents, context: GriddedEvents) -> None:
        """Learn from ``target`` (the forecast category) and ``context`` (all categories), both pre-cut."""

    @abstractmethod
    def _predict(self, start: float, horizon: float) -> NDArray[np.float64]: ...
