"""Weekly count panel and the multi-scale features the learned forecaster reads.

Features for many (cell, week) rows are needed to train, so events are binned
once into a panel of weekly counts per category, aligned so that the last bin
ends exactly at the forecast start; every window sum is then a difference of
cumulative sums. A row for week boundary ``b`` reads bins before ``b`` only,
so nothing at or after the forecast start is ever seen.

Per row (target category ``t``, cell ``i``, boundary ``b``):

- counts of ``t`` in the last 1, 4, 13, 26, 52 and 104 weeks;
- the same four weeks one and two years earlier (seasonal, e.g. holidays);
- box sums of ``t`` over 3x3 and 5x5 cells (4, 52 and 104 weeks): a cell
  beside a hotspot with no event yet is not ranked as if it were empty;
- 52- and 104-week counts of every category in the cell, and of all of them
  over 3x3 cells (a busy corner is busy for every crime type);
- exponentially decayed counts of ``t`` (half-lives 2 and 8 weeks) and weeks
  since the last event, capped (near-repeat victimisation, new problem places);
- the season (sine/cosine of the week of the year).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter

from ._events import GriddedEvents

__all__ = ["MAX_LAG_WEEKS", "WeeklyPanel", "feature_names", "panel_features", "weekly_panel"]

_LAGS = (1, 4, 13, 26, 52, 104)
_BOX = ((4, 3), (52, 3), (104, 3), (104, 5))
_CROSS = (52, 104)
_HALF_LIVES = (2.0, 8.0)
_GAP_CAP = 104
_LONG = (156, 208)
MAX_LAG_WEEKS = 208  # the longest look-back of any feature


@dataclass(frozen=True)
class WeeklyPanel:
    """Weekly counts per category, bin ``j`` = [end - 7 (n - j), end - 7 (n - 1 - j))."""

    end: float
    counts: NDArray[np.float32]  # (categories, weeks, cells)
    shape: tuple[int, int]  # the grid's (rows, columns), for neighbourhood sums
    first_week: int  # first bin holding any event: records begin there, earlier zeros mean "unknown"

    @property
    def n_weeks(self) -> int:
        return int(self.counts.shape[1])

    def cumulative(self) -> NDArray[np.float32]:
        """(categories, weeks + 1, cells): entry ``b`` = events in bins before ``b``."""
        c = self.counts
        out = np.zeros((c.shape[0], c.shape[1] + 1, c.shape[2]), dtype=np.float32)
        np.cumsum(c, axis=1, out=out[:, 1:])
        return out


def weekly_panel(events: GriddedEvents, end: float, n_weeks: int) -> WeeklyPanel:
    """Bin the events of the ``n_weeks`` weeks before ``end`` (exclusive) by week, category, cell."""
    part = events.between(end - 7.0 * n_weeks, end)
    # counted from the panel's start so that an event at a bin's first instant falls in that bin
    week = np.clip(np.floor((part.day - (end - 7.0 * n_weeks)) / 7.0).astype(np.int64), 0, n_weeks - 1)
    n_cat, n_cells = len(events.categories), events.grid.n_cells
    flat = (part.category * n_weeks + week) * n_cells + part.cell
    counts = np.bincount(flat, minlength=n_cat * n_weeks * n_cells).astype(np.float32)
    first = int(week.min()) if len(week) else n_weeks
    return WeeklyPanel(
        end=end, counts=counts.reshape(n_cat, n_weeks, n_cells), shape=events.grid.shape, first_week=first
    )


def feature_names(categories: tuple[str, ...]) -> list[str]:
    names = [f"n_{w}w" for w in _LAGS] + ["n_4w_1y_ago", "n_4w_2y_ago"]
    names += [f"rate_{w}w{'' if size == 1 else '_box3'}" for w in _LONG for size in (1, 3)]
    names += ["all_rate_208w"]
    names += [f"n_{w}w_box{s}" for w, s in _BOX]
    names += [f"{c}_{w}w" for w in _CROSS for c in categories] + ["all_104w_box3"]
    names += [f"decayed_hl{h:g}w" for h in _HALF_LIVES] + ["weeks_since_last", "season_sin", "season_cos"]
    return names


def _box(values: NDArray[np.float32], shape: tuple[int, int], size: int) -> NDArray[np.float32]:
    """Sum over size x size cells for each row of ``values`` (rows = weeks, columns = cells)."""
    raster = values.reshape(len(values), *shape)
    out = uniform_filter(raster, size=(1, size, size), mode="constant") * float(size * size)
    return np.asarray(out.reshape(len(values), -1), dtype=np.float32)


def _recency_terms(target: NDArray[np.float32], bounds: NDArray[np.int64]) -> list[NDArray[np.float32]]:
    """Decayed counts and weeks since the last event at each boundary, by one pass over the weeks."""
    n_weeks, n_cells = target.shape
    decays = [np.float32(0.5 ** (1.0 / h)) for h in _HALF_LIVES]
    state = [np.zeros(n_cells, dtype=np.float32) for _ in _HALF_LIVES]
    gap = np.full(n_cells, float(_GAP_CAP), dtype=np.float32)
    wanted = {int(b): k for k, b in enumerate(bounds)}
    out = [np.zeros((len(bounds), n_cells), dtype=np.float32) for _ in range(len(_HALF_LIVES) + 1)]
    for b in range(n_weeks + 1):
        if b in wanted:
            k = wanted[b]
            for j, s in enumerate(state):
                out[j][k] = s
            out[-1][k] = gap
        if b == n_weeks:
            break
        week = target[b]
        for j, d in enumerate(decays):
            state[j] = state[j] * d + week
        gap = np.where(week > 0, 1.0, np.minimum(gap + 1.0, _GAP_CAP)).astype(np.float32)
    return out


def panel_features(
    panel: WeeklyPanel,
    cumulative: NDArray[np.float32],
    target: NDArray[np.float32],
    bounds: NDArray[np.int64],
    cells: NDArray[np.int64],
) -> NDArray[np.float32]:
    """Rows ordered boundary-major (all ``cells`` for ``bounds[0]``, then the next boundary ...).

    ``target`` is the (weeks, cells) panel of the category forecast. Each boundary
    should leave `MAX_LAG_WEEKS` bins before it, or the longest lags read as zero.
    """
    cum_t = np.zeros((target.shape[0] + 1, target.shape[1]), dtype=np.float32)
    np.cumsum(target, axis=0, out=cum_t[1:])

    def window(cum: NDArray[np.float32], weeks: int, back: int = 0) -> NDArray[np.float32]:
        hi = np.clip(bounds - back, 0, None)
        lo = np.clip(bounds - back - weeks, 0, None)
        return np.asarray(cum[hi] - cum[lo], dtype=np.float32)

    cols = [window(cum_t, w)[:, cells] for w in _LAGS]
    cols += [window(cum_t, 4, back=52 - 3)[:, cells], window(cum_t, 4, back=104 - 3)[:, cells]]
    all_cum = cumulative.sum(axis=0)
    for cum, boxes in ((cum_t, (1, 3)), (all_cum, (1,))):
        for w in _LONG if cum is cum_t else _LONG[-1:]:
            seen = np.clip(bounds - np.maximum(bounds - w, panel.first_week), 1, w).astype(np.float32)
            yearly = window(cum, w) * (52.0 / seen)[:, None]
            cols += [(yearly if size == 1 else _box(yearly, panel.shape, size))[:, cells] for size in boxes]
    cols += [_box(window(cum_t, w), panel.shape, s)[:, cells] for w, s in _BOX]
    cols += [window(cumulative[c], w)[:, cells] for w in _CROSS for c in range(cumulative.shape[0])]
    cols.append(_box(window(all_cum, 104), panel.shape, 3)[:, cells])
    cols += [term[:, cells] for term in _recency_terms(target, bounds)]
    start_day = panel.end - 7.0 * (panel.n_weeks - bounds.astype(np.float64))
    angle = 2.0 * np.pi * ((start_day % 365.25) / 365.25)
    ones = np.ones((1, len(cells)), dtype=np.float32)
    cols += [np.sin(angle)[:, None] * ones, np.cos(angle)[:, None] * ones]
    return np.stack([c.reshape(-1) for c in cols], axis=1).astype(np.float32)
