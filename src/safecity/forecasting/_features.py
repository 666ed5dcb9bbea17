"""Multi-scale lagged counts per cell — what the learned forecaster sees at a forecast start.

Every feature is computed only from events strictly before ``start``: recent
counts (1/2/4/13/26/52/104 weeks), the same weeks one year earlier, days since
the last event, box-smoothed counts at several radii, and counts of all
categories (a busy corner is busy for every crime type).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter

from ._events import GriddedEvents

__all__ = ["feature_matrix", "feature_names"]

_WINDOWS = (7.0, 14.0, 28.0, 91.0, 182.0, 364.0, 730.0)
_SMOOTHED = ((28.0, 3), (28.0, 9), (364.0, 3), (364.0, 5), (364.0, 9), (730.0, 3), (730.0, 5), (730.0, 9))
_CONTEXT = ((28.0, 1), (364.0, 1), (730.0, 1), (730.0, 3), (730.0, 9))
_MAX_GAP = 730.0


def feature_names() -> list[str]:
    names = [f"n_{int(w)}d" for w in _WINDOWS]
    names += ["n_last_year_3w", "n_2y_ago_3w", "days_since_last", "n_7d_neigh3", "n_91d_neigh3"]
    names += [f"n_{int(w)}d_box{s}" for w, s in _SMOOTHED]
    names += [f"all_{int(w)}d_box{s}" for w, s in _CONTEXT]
    names += ["season_sin", "season_cos"]
    return names


def _box(grid_counts: NDArray[np.float64], shape: tuple[int, int], size: int) -> NDArray[np.float64]:
    if size == 1:
        return grid_counts
    out = uniform_filter(grid_counts.reshape(shape), size=size, mode="constant") * (size * size)
    return np.asarray(out.ravel(), dtype=np.float64)


def _days_since_last(target: GriddedEvents, start: float) -> NDArray[np.float64]:
    recent = target.between(start - _MAX_GAP, start)
    last = np.full(target.grid.n_cells, start - _MAX_GAP)
    np.maximum.at(last, recent.cell, recent.day)
    return np.asarray(start - last, dtype=np.float64)


def feature_matrix(
    target: GriddedEvents, context: GriddedEvents, start: float, cells: NDArray[np.int64]
) -> NDArray[np.float32]:
    """Rows = ``cells``, columns = `feature_names()`, as seen at ``start``."""
    shape = target.grid.shape
    counts = {w: target.counts(start - w, start) for w in _WINDOWS}
    cols = [counts[w] for w in _WINDOWS]
    cols.append(target.counts(start - 364.0 - 7.0, start - 364.0 + 14.0))
    cols.append(target.counts(start - 728.0 - 7.0, start - 728.0 + 14.0))
    cols.append(_days_since_last(target, start))
    cols.append(_box(counts[7.0], shape, 3))
    cols.append(_box(counts[91.0], shape, 3))
    cols += [_box(counts[w], shape, s) for w, s in _SMOOTHED]
    all_counts = {w: context.counts(start - w, start) for w in {w for w, _ in _CONTEXT}}
    cols += [_box(all_counts[w], shape, s) for w, s in _CONTEXT]
    angle = 2.0 * np.pi * ((start % 365.25) / 365.25)
    n = target.grid.n_cells
    cols += [np.full(n, np.sin(angle)), np.full(n, np.cos(angle))]
    return np.stack([c[cells] for c in cols], axis=1).astype(np.float32)
