"""Long-run counts plus a decaying memory of recent events — the week-level signal made explicit.

Where crime has been for years explains most of next week's ranking; what
changes week to week are recent bursts (near-repeat victimisation, a new
problem address). The score of a cell is::

    long-run yearly rate
    + recent_weight x (events of the last year, each weighted 0.5 ** (age / half_life))
                      x (10 / half_life)
    + context_weight x yearly rate of events of *every* category

The recent term is scaled by ``10 / half_life`` so that ``recent_weight`` means
about the same thing whatever the half-life. Hyper-parameters were chosen on
Toronto 2018 (training events up to 2017-12-31), never on 2019.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._base import ForecastEstimator
from ._events import GriddedEvents

__all__ = ["RecencyWeightedCounts"]


class RecencyWeightedCounts(ForecastEstimator):
    def __init__(
        self,
        long_window_days: float = 1460.0,
        half_life_days: float = 30.0,
        recent_weight: float = 4.0,
        memory_days: float = 365.0,
        context_weight: float = 0.05,
        context_window_days: float = 730.0,
        category: str | None = None,
    ) -> None:
        self.long_window_days = long_window_days
        self.half_life_days = half_life_days
        self.recent_weight = recent_weight
        self.memory_days = memory_days
        self.context_weight = context_weight
        self.context_window_days = context_window_days
        self.category = category

    def _fit(self, target: GriddedEvents, context: GriddedEvents) -> None:
        end = self.until_
        n = target.grid.n_cells
        long_run = target.counts(end - self.long_window_days, end) * (365.0 / self.long_window_days)
        recent = target.between(end - self.memory_days, end)
        decay = 0.5 ** ((end - recent.day) / self.half_life_days)
        memory = np.bincount(recent.cell, weights=decay, minlength=n) * (10.0 / self.half_life_days)
        busy = context.counts(end - self.context_window_days, end) * (365.0 / self.context_window_days)
        self.score_ = long_run + self.recent_weight * memory + self.context_weight * busy
        # expected events per day if the long-run rate held: keeps predict() on a count scale
        self.rate_per_day_ = float(long_run.sum()) / 365.0

    def _predict(self, start: float, horizon: float) -> NDArray[np.float64]:
        total = float(self.score_.sum())
        if total <= 0:
            return np.zeros_like(self.score_)
        return np.asarray(self.score_ / total * self.rate_per_day_ * horizon, dtype=np.float64)
