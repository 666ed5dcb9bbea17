"""Prospective hotspotting (Bowers, Johnson & Pease 2004).

Burglary risk is "contagious": after an event, nearby homes are at raised
risk for a few weeks. Each past event adds ``1/(1+d)`` x ``1/(1+w)`` to a cell
``d`` cells away (within the bandwidth) ``w`` whole weeks after the event.
A small share of long-run counts keeps the ranking stable between bursts.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.signal import fftconvolve

from ._base import ForecastEstimator
from ._events import GriddedEvents

__all__ = ["ProspectiveHotspot"]


def _distance_kernel(radius_cells: float) -> NDArray[np.float64]:
    r = int(np.floor(radius_cells))
    dy, dx = np.mgrid[-r : r + 1, -r : r + 1]
    dist = np.hypot(dx, dy)
    return np.where(dist <= radius_cells, 1.0 / (1.0 + dist), 0.0)


class ProspectiveHotspot(ForecastEstimator):
    def __init__(
        self,
        bandwidth_m: float = 400.0,
        window_weeks: int = 8,
        long_run_weight: float = 0.0,
        long_run_days: float = 730.0,
        category: str | None = None,
    ) -> None:
        self.bandwidth_m = bandwidth_m
        self.window_weeks = window_weeks
        self.long_run_weight = long_run_weight
        self.long_run_days = long_run_days
        self.category = category

    def _fit(self, target: GriddedEvents, context: GriddedEvents) -> None:
        self.events_ = target.between(
            self.until_ - max(7.0 * self.window_weeks, self.long_run_days), self.until_
        )

    def _predict(self, start: float, horizon: float) -> NDArray[np.float64]:
        grid = self.events_.grid
        recent = self.events_.between(start - 7.0 * self.window_weeks, start)
        weeks_ago = np.floor((start - recent.day) / 7.0)
        weighted = np.bincount(recent.cell, weights=1.0 / (1.0 + weeks_ago), minlength=grid.n_cells).astype(
            np.float64
        )
        kernel = _distance_kernel(self.bandwidth_m / grid.cell_size)
        risk = fftconvolve(grid.raster(weighted), kernel, mode="same").ravel()
        risk = np.clip(risk, 0.0, None)
        if self.long_run_weight > 0:
            long_run = self.events_.counts(start - self.long_run_days, start)
            scale = risk.sum() / max(long_run.sum(), 1.0)
            risk = (1.0 - self.long_run_weight) * risk + self.long_run_weight * long_run * scale
        return np.asarray(risk, dtype=np.float64)
