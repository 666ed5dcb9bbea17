"""Gradient-boosted forecaster over multi-scale lagged counts.

Trained on past weeks (features at each week's start, target = that week's
count) with a Poisson loss, so it predicts an expected count per cell — the
quantity that maximises hit rate when cells are ranked. Training is the slow
part, so `update` only moves the forecast start forward: features are
recomputed from events before the new start, the trees stay as learned.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingRegressor

from ._base import ForecastEstimator
from ._events import GriddedEvents, TimeLike, to_day
from ._features import feature_matrix

__all__ = ["GradientBoostingForecaster"]


class GradientBoostingForecaster(ForecastEstimator):
    def __init__(
        self,
        train_weeks: int = 104,
        horizon_days: float = 7.0,
        max_rows: int = 400_000,
        learning_rate: float = 0.05,
        max_iter: int = 300,
        max_leaf_nodes: int = 31,
        min_samples_leaf: int = 200,
        l2_regularization: float = 1.0,
        category: str | None = None,
        random_state: int = 0,
    ) -> None:
        self.train_weeks = train_weeks
        self.horizon_days = horizon_days
        self.max_rows = max_rows
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.category = category
        self.random_state = random_state

    def _training_set(
        self, target: GriddedEvents, context: GriddedEvents
    ) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
        xs, ys = [], []
        for k in range(self.train_weeks):
            start = self.until_ - self.horizon_days - 7.0 * k
            cells = np.flatnonzero(context.study_area(start))
            if len(cells) == 0:
                break
            xs.append(feature_matrix(target, context, start, cells))
            ys.append(target.counts(start, start + self.horizon_days)[cells])
        x, y = np.concatenate(xs), np.concatenate(ys)
        if len(y) > self.max_rows:
            keep = np.random.default_rng(self.random_state).choice(len(y), self.max_rows, replace=False)
            x, y = x[keep], y[keep]
        return x, y

    def _fit(self, target: GriddedEvents, context: GriddedEvents) -> None:
        x, y = self._training_set(target, context)
        self.model_ = HistGradientBoostingRegressor(
            loss="poisson",
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
        ).fit(x, y)
        self.n_training_rows_ = len(y)
        self._target, self._context = target, context

    def update(self, events: GriddedEvents, until: TimeLike) -> GradientBoostingForecaster:
        """Move the forecast start to ``until`` without re-learning (events after it stay unseen)."""
        if not hasattr(self, "model_"):
            self.fit(events, until)
            return self
        self.until_ = to_day(until)
        target = events.of_category(self.category) if self.category is not None else events
        self._target, self._context = target.before(self.until_), events.before(self.until_)
        return self

    def _predict(self, start: float, horizon: float) -> NDArray[np.float64]:
        n = self.grid_.n_cells
        cells = np.flatnonzero(self._context.study_area(start))
        risk = np.zeros(n)
        if len(cells):
            pred = self.model_.predict(feature_matrix(self._target, self._context, start, cells))
            risk[cells] = pred * (horizon / self.horizon_days)
        return risk
