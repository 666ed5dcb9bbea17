"""Stationary forecasters: where crime has been is where it will be.

`HistoricalCounts` (730-day counts) is the baseline every other model must
beat; `KernelDensity` spreads the same counts with a Gaussian so that a cell
next to many crimes is not ranked as if it had none.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter

from ._base import ForecastEstimator
from ._events import GriddedEvents

__all__ = ["HistoricalCounts", "KernelDensity"]


class HistoricalCounts(ForecastEstimator):
    """Events per cell over the last ``window_days`` before the forecast."""

    def __init__(self, window_days: float = 730.0, category: str | None = None) -> None:
        self.window_days = window_days
        self.category = category

    def _fit(self, target: GriddedEvents, context: GriddedEvents) -> None:
        self.counts_ = target.counts(self.until_ - self.window_days, self.until_)

    def _predict(self, start: float, horizon: float) -> NDArray[np.float64]:
        return self.counts_ * (horizon / self.window_days)


class KernelDensity(ForecastEstimator):
    """Gaussian-smoothed recent counts, plus a little of the raw counts to keep sharp peaks."""

    def __init__(
        self,
        bandwidth_m: float = 250.0,
        window_days: float = 730.0,
        raw_weight: float = 0.5,
        category: str | None = None,
    ) -> None:
        self.bandwidth_m = bandwidth_m
        self.window_days = window_days
        self.raw_weight = raw_weight
        self.category = category

    def _fit(self, target: GriddedEvents, context: GriddedEvents) -> None:
        grid = target.grid
        counts = target.counts(self.until_ - self.window_days, self.until_)
        smooth = gaussian_filter(
            grid.raster(counts), sigma=self.bandwidth_m / grid.cell_size, mode="constant"
        )
        self.density_ = self.raw_weight * counts + (1.0 - self.raw_weight) * smooth.ravel()

    def _predict(self, start: float, horizon: float) -> NDArray[np.float64]:
        return np.asarray(self.density_ * (horizon / self.window_days), dtype=np.float64)
