"""Self-exciting point process (Mohler et al. 2011), fitted by expectation-maximisation.

Intensity in cell c on day d: ``mu[c] + theta * sum_L q(L) (H * C)[d - L, c]``
— a stationary background plus offspring of past events, spread in space by
a Gaussian ``H`` (``sigma_m``) and in time by a geometric kernel
``q(L) = (1 - a) a**(L - 1)`` over whole days (``a = exp(-omega)``). Counts are
binned per cell and day so that an EM step is two recursive filters over the
window instead of a loop over event pairs: 250k events cost the same as 25k.
EM estimates ``mu`` (smoothed by ``background_bandwidth_m``), ``theta`` (mean
offspring per event) and ``omega``; ``sigma_m`` is a hyper-parameter.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter
from scipy.signal import lfilter

from ._base import ForecastEstimator
from ._events import GriddedEvents

__all__ = ["SelfExcitingPointProcess"]


def _recursions(hc: NDArray[np.float64], a: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """P[d] = sum_L a^(L-1) hc[d-L] and R[d] = sum_L L a^(L-1) hc[d-L]; ``hc`` is (cells, days)."""
    p = lfilter([0.0, 1.0], [1.0, -a], hc, axis=-1)
    r = lfilter([1.0], [1.0, -a], p, axis=-1)
    return np.asarray(p, dtype=np.float64), np.asarray(r, dtype=np.float64)


def _kernel_mass(per_day: NDArray[np.float64], a: float) -> float:
    """Total of P over the window: each day's spread counts feed the days after it."""
    remaining = np.arange(len(per_day) - 1, -1, -1, dtype=np.float64)
    return float(per_day @ ((1.0 - a**remaining) / (1.0 - a)))


class SelfExcitingPointProcess(ForecastEstimator):
    def __init__(
        self,
        window_days: int = 365,
        sigma_m: float = 100.0,
        background_bandwidth_m: float = 125.0,
        n_iter: int = 20,
        tol: float = 1e-3,
        initial_omega: float = 0.1,
        category: str | None = None,
    ) -> None:
        self.window_days = window_days
        self.sigma_m = sigma_m
        self.background_bandwidth_m = background_bandwidth_m
        self.n_iter = n_iter
        self.tol = tol
        self.initial_omega = initial_omega
        self.category = category

    def _daily_counts(self, target: GriddedEvents) -> NDArray[np.float32]:
        grid = target.grid
        first = np.floor(self.until_) - self.window_days
        recent = target.between(first, self.until_)
        n_days = int(np.ceil(self.until_ - first))
        day = np.minimum((recent.day - first).astype(np.int64), n_days - 1)
        flat = np.bincount(day * grid.n_cells + recent.cell, minlength=n_days * grid.n_cells)
        return flat.reshape(n_days, grid.n_cells).astype(np.float32)

    def _spread(self, counts: NDArray[np.float32]) -> NDArray[np.float32]:
        grid = self.grid_
        sigma = self.sigma_m / grid.cell_size
        cube = counts.reshape(counts.shape[0], *grid.shape)
        out = gaussian_filter(cube, sigma=(0.0, sigma, sigma), mode="constant", truncate=3.0)
        return np.asarray(out.reshape(counts.shape), dtype=np.float32)

    def _smooth_background(self, per_cell: NDArray[np.float64]) -> NDArray[np.float64]:
        sigma = self.background_bandwidth_m / self.grid_.cell_size
        if sigma <= 0:
            return per_cell
        out = gaussian_filter(self.grid_.raster(per_cell), sigma=sigma, mode="constant")
        return np.asarray(out.ravel(), dtype=np.float64)

    def _fit(self, target: GriddedEvents, context: GriddedEvents) -> None:
        counts = self._daily_counts(target)
        n_days = counts.shape[0]
        spread = self._spread(counts)
        per_day = spread.sum(axis=1).astype(np.float64)
        observed = np.flatnonzero(counts.sum(axis=0) > 0)  # the E-step needs P only where events are
        hc = np.ascontiguousarray(spread[:, observed].T, dtype=np.float64)
        mu = self._smooth_background(counts.sum(axis=0).astype(np.float64)) / n_days
        theta, a = 0.1, float(np.exp(-self.initial_omega))
        days, local = np.nonzero(counts[:, observed])
        c = counts[days, observed[local]].astype(np.float64)
        cells = observed[local]
        for _ in range(self.n_iter if len(c) else 0):
            p, r = _recursions(hc, a)
            excite = (1.0 - a) * p[local, days]
            lam = mu[cells] + theta * excite
            offspring = c * theta * excite / lam
            background = np.bincount(cells, weights=c - offspring, minlength=len(mu)).astype(np.float64)
            mu = np.maximum(self._smooth_background(background) / n_days, 1e-12)
            mass = (1.0 - a) * _kernel_mass(per_day, a)
            new_theta = float(offspring.sum()) / mass if mass > 0 else 0.0
            lag_sum = float((c * theta * (1.0 - a) * r[local, days] / lam).sum())
            mean_lag = lag_sum / max(float(offspring.sum()), 1e-12)
            new_a = 1.0 - 1.0 / float(np.clip(mean_lag, 1.0 + 1e-6, 365.0))
            converged = abs(new_theta - theta) < self.tol * max(theta, 1e-6) and abs(new_a - a) < self.tol
            theta, a = new_theta, new_a
            if converged:
                break
        self.mu_, self.theta_, self.omega_ = mu, theta, -float(np.log(max(a, 1e-12)))
        ages = np.arange(n_days - 1, -1, -1, dtype=np.float64)
        self.state_ = np.asarray((a**ages) @ spread, dtype=np.float64)  # P on the day `until` falls in

    def _predict(self, start: float, horizon: float) -> NDArray[np.float64]:
        a = float(np.exp(-self.omega_))
        gap = max(start - np.ceil(self.until_), 0.0)
        triggered = self.theta_ * self.state_ * a**gap * (1.0 - a**horizon)
        return np.asarray(horizon * self.mu_ + triggered, dtype=np.float64)
