"""Weighted blend of forecasters.

Members' risks are on different scales (counts, intensities, scores), so each
is turned into a share of its own total before weighting: the blend is then a
mixture of "where the next event falls" distributions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from sklearn.base import clone

from ._base import ForecastEstimator
from ._events import GriddedEvents, TimeLike

__all__ = ["Ensemble"]


class Ensemble(ForecastEstimator):
    def __init__(
        self,
        estimators: Sequence[tuple[str, ForecastEstimator]] = (),
        weights: Sequence[float] | None = None,
        category: str | None = None,
    ) -> None:
        self.estimators = estimators
        self.weights = weights
        self.category = category

    def fit(self, events: GriddedEvents, until: TimeLike) -> Ensemble:
        self.estimators_ = [clone(est).set_params(category=self.category) for _, est in self.estimators]
        for est in self.estimators_:
            est.fit(events, until)
        super().fit(events, until)
        return self

    def update(self, events: GriddedEvents, until: TimeLike) -> Ensemble:
        if not hasattr(self, "estimators_"):
            return self.fit(events, until)
        for est in self.estimators_:
            est.update(events, until)
        super().fit(events, until)
        return self

    def _fit(self, target: GriddedEvents, context: GriddedEvents) -> None:
        n = len(self.estimators_)
        weights = np.ones(n) if self.weights is None else np.asarray(self.weights, dtype=np.float64)
        if len(weights) != n or n == 0:
            raise ValueError("an ensemble needs one weight per estimator and at least one estimator")
        self.weights_ = weights / weights.sum()

    def _predict(self, start: float, horizon: float) -> NDArray[np.float64]:
        total = np.zeros(self.grid_.n_cells)
        for weight, est in zip(self.weights_, self.estimators_, strict=True):
            risk = np.clip(est.predict(start, horizon), 0.0, None)
            total += weight * risk / max(float(risk.sum()), 1e-12)
        return total
