"""Learned forecasters trained across many (cell, week) rows of the past.

Each row is one study-area cell at one past week boundary: its features are
the multi-scale counts of `_features` as they stood at that boundary, its label
the cell's count of the forecast category over the next ``horizon_weeks``
weeks (a longer label is less noisy and ranks next week's cells about as
well). Both learners predict an expected count, the quantity that maximises
hit rate when cells are ranked:

- `LinearStackForecaster` — non-negative least squares over the count
  features: a learned mix of smoothers (long-run rate, recent weeks,
  neighbours, other categories). Few parameters, so it transfers to a
  period it was not fitted on.
- `GradientBoostingForecaster` — Poisson gradient boosting over all features,
  monotone in every count so that its trees cannot chase noise in the busiest
  cells.

Almost all rows have a zero label; a random ``zero_keep`` share of them is
kept, weighted by its inverse, so the fit stays unbiased and fast. `update`
re-learns only every ``refit_every_days`` (e.g. a quarter) and otherwise just
moves the forecast start forward: features are recomputed from events before
the new start, the learned weights stay.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression

from ._base import ForecastEstimator
from ._events import GriddedEvents, TimeLike, to_day
from ._features import MAX_LAG_WEEKS, feature_names, panel_features, weekly_panel

__all__ = ["GradientBoostingForecaster", "LinearStackForecaster"]

_CHUNK_ROWS = 2_000_000  # feature rows built at once, to bound memory on city-size grids
_NOT_LINEAR = {"weeks_since_last", "season_sin", "season_cos"}  # no sign a linear mix could rely on


class _PanelForecaster(ForecastEstimator):
    train_weeks: int
    horizon_weeks: int
    refit_every_days: float
    zero_keep: float
    random_state: int

    @abstractmethod
    def _learner(self, names: list[str], n_rows: int) -> Any:
        """An unfitted scikit-learn regressor for the given feature columns and training rows."""

    def _columns(self, names: list[str]) -> list[int]:
        return list(range(len(names)))

    def _target_counts(self, context: GriddedEvents, counts: NDArray[np.float32]) -> NDArray[np.float32]:
        """(weeks, cells) counts of the forecast category (all categories when none is set)."""
        if self.category is None:
            return np.asarray(counts.sum(axis=0), dtype=np.float32)
        return np.asarray(counts[context.code_of(self.category)], dtype=np.float32)

    def _training_set(
        self, context: GriddedEvents
    ) -> tuple[NDArray[np.float32], NDArray[np.float64], NDArray[np.float64]]:
        horizon = self.horizon_weeks
        n_weeks = MAX_LAG_WEEKS + self.train_weeks + horizon - 1
        panel = weekly_panel(context, self.until_, n_weeks)
        cumulative = panel.cumulative()
        target = self._target_counts(context, panel.counts)
        cum_t = np.concatenate([np.zeros((1, target.shape[1]), np.float32), np.cumsum(target, axis=0)])
        cells = np.flatnonzero(context.study_area(self.until_))
        bounds = np.arange(MAX_LAG_WEEKS, n_weeks - horizon + 1, dtype=np.int64)
        rng = np.random.default_rng(self.random_state)
        per_chunk = max(1, _CHUNK_ROWS // max(len(cells), 1))
        xs, ys, ws = [], [], []
        for lo in range(0, len(bounds), per_chunk):
            part = bounds[lo : lo + per_chunk]
            y = (cum_t[part + horizon] - cum_t[part])[:, cells].reshape(-1).astype(np.float64)
            keep = (y > 0) | (rng.random(len(y)) < self.zero_keep)
            x = panel_features(panel, cumulative, target, part, cells)
            xs.append(x[keep])
            ys.append(y[keep])
            ws.append(np.where(y[keep] > 0, 1.0, 1.0 / self.zero_keep))
        return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)

    def _fit(self, target: GriddedEvents, context: GriddedEvents) -> None:
        if not 0.0 < self.zero_keep <= 1.0:
            raise ValueError("zero_keep must be in (0, 1]")
        if self.train_weeks < 1 or self.horizon_weeks < 1:
            raise ValueError("train_weeks and horizon_weeks must be at least 1")
        names = feature_names(context.categories)
        self.columns_ = self._columns(names)
        x, y, w = self._training_set(context)
        self.model_ = self._learner([names[i] for i in self.columns_], len(y)).fit(
            x[:, self.columns_], y, sample_weight=w
        )
        self.n_training_rows_ = len(y)
        self.fitted_at_ = self.until_
        self._context = context

    def update(self, events: GriddedEvents, until: TimeLike) -> _PanelForecaster:
        """Re-learn when the weights are ``refit_every_days`` old; else only move the forecast start."""
        day = to_day(until)
        if not hasattr(self, "model_") or day - self.fitted_at_ >= self.refit_every_days:
            self.fit(events, day)
            return self
        self.until_ = day
        self._context = events.before(day)
        return self

    def _predict(self, start: float, horizon: float) -> NDArray[np.float64]:
        panel = weekly_panel(self._context, start, MAX_LAG_WEEKS)
        cells = np.flatnonzero(self._context.study_area(start))
        risk = np.zeros(self.grid_.n_cells)
        if len(cells):
            target = self._target_counts(self._context, panel.counts)
            bounds = np.asarray([MAX_LAG_WEEKS], dtype=np.int64)
            x = panel_features(panel, panel.cumulative(), target, bounds, cells)[:, self.columns_]
            expected = np.clip(self.model_.predict(x), 0.0, None)
            risk[cells] = expected * (horizon / (7.0 * self.horizon_weeks))
        return risk


class LinearStackForecaster(_PanelForecaster):
    def __init__(
        self,
        train_weeks: int = 104,
        horizon_weeks: int = 4,
        refit_every_days: float = 91.0,
        zero_keep: float = 0.1,
        category: str | None = None,
        random_state: int = 0,
    ) -> None:
        self.train_weeks = train_weeks
        self.horizon_weeks = horizon_weeks
        self.refit_every_days = refit_every_days
        self.zero_keep = zero_keep
        self.category = category
        self.random_state = random_state

    def _columns(self, names: list[str]) -> list[int]:
        return [i for i, name in enumerate(names) if name not in _NOT_LINEAR]

    def _learner(self, names: list[str], n_rows: int) -> LinearRegression:
        return LinearRegression(positive=True)

    def weights(self) -> dict[str, float]:
        """The learned weight of each feature (zero ones left out): what the forecast is made of."""
        names = feature_names(self._context.categories)
        coef = self.model_.coef_
        return {names[i]: float(c) for i, c in zip(self.columns_, coef, strict=True) if c > 0}


class GradientBoostingForecaster(_PanelForecaster):
    def __init__(
        self,
        train_weeks: int = 104,
        horizon_weeks: int = 13,
        refit_every_days: float = 91.0,
        zero_keep: float = 0.1,
        learning_rate: float = 0.1,
        max_iter: int = 150,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 1000,
        l2_regularization: float = 1.0,
        monotonic: bool = True,
        category: str | None = None,
        random_state: int = 0,
    ) -> None:
        self.train_weeks = train_weeks
        self.horizon_weeks = horizon_weeks
        self.refit_every_days = refit_every_days
        self.zero_keep = zero_keep
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.monotonic = monotonic
        self.category = category
        self.random_state = random_state

    def _learner(self, names: list[str], n_rows: int) -> HistGradientBoostingRegressor:
        # more past events never lower the forecast, a longer quiet spell never raises it
        signs = {"weeks_since_last": -1, "season_sin": 0, "season_cos": 0}
        # a small town's few thousand rows would leave no room for a single split at the city default
        self.min_samples_leaf_ = max(1, min(self.min_samples_leaf, n_rows // 50))
        return HistGradientBoostingRegressor(
            loss="poisson",
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf_,
            l2_regularization=self.l2_regularization,
            monotonic_cst=[signs.get(n, 1) for n in names] if self.monotonic else None,
            early_stopping=False,
            random_state=self.random_state,
        )
