"""Hit rate and PAI of a ranked forecast, the measures of the evaluation protocol.

Flagged cells: the ``ceil(coverage x study-area cells)`` highest-risk cells of
the study area (at least one). Ties in risk are broken by the lower cell id
(row-major from the grid's south-west corner), so a ranking never depends on
sort stability or platform.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from safecity.core.errors import InvalidInput

__all__ = [
    "WeekScore",
    "bootstrap_interval",
    "flagged_cells",
    "n_flagged",
    "paired_difference",
    "score_week",
]


def n_flagged(coverage: float, n_study_cells: int) -> int:
    if not 0.0 < coverage <= 1.0:
        raise InvalidInput(f"coverage must be in (0, 1], got {coverage}", field="coverage")
    if n_study_cells <= 0:
        raise InvalidInput("the study area is empty (no events before the test start)", field="data")
    # round first so that 0.05 x 7000 is 350, not 351 from binary floating point
    return max(1, math.ceil(round(coverage * n_study_cells, 9)))


def flagged_cells(risk: NDArray[np.float64], study: NDArray[np.bool_], coverage: float) -> NDArray[np.int64]:
    """Flat ids of the top-ranked study-area cells covering ``coverage`` of the study area."""
    ids = np.flatnonzero(study)
    values = np.nan_to_num(np.asarray(risk, dtype=np.float64)[ids], nan=-np.inf)
    order = np.lexsort((ids, -values))
    return ids[order[: n_flagged(coverage, len(ids))]]


@dataclass(frozen=True)
class WeekScore:
    hits: int
    events: int


def score_week(
    risk: NDArray[np.float64],
    study: NDArray[np.bool_],
    coverage: float,
    event_cells: NDArray[np.int64],
) -> WeekScore:
    """Hits among the week's events; events outside the study area are not counted at all."""
    counted = event_cells[study[event_cells]]
    flags = np.zeros(len(study), dtype=bool)
    flags[flagged_cells(risk, study, coverage)] = True
    return WeekScore(hits=int(flags[counted].sum()), events=len(counted))


def bootstrap_interval(
    scores: list[WeekScore], *, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile interval of total-hits/total-events when whole weeks are resampled."""
    hits = np.array([s.hits for s in scores], dtype=np.float64)
    events = np.array([s.events for s in scores], dtype=np.float64)
    if len(scores) == 0 or events.sum() == 0:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(scores), size=(n_boot, len(scores)))
    tot = events[pick].sum(axis=1)
    rates = np.divide(hits[pick].sum(axis=1), tot, out=np.zeros(n_boot), where=tot > 0)
    alpha = (1.0 - level) / 2.0
    return (float(np.quantile(rates, alpha)), float(np.quantile(rates, 1.0 - alpha)))


def paired_difference(
    scores: list[WeekScore],
    baseline: list[WeekScore],
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(difference in pooled hit rate, low, high) against a baseline scored on the same weeks.

    Both models face the same events each week, so weeks are resampled in
    pairs: the interval is much tighter than comparing two separate intervals,
    and says whether an improvement is more than week-to-week luck.
    """
    if len(scores) != len(baseline):
        raise ValueError("paired scores must cover the same weeks")
    hits = np.array([s.hits for s in scores], dtype=np.float64)
    base = np.array([s.hits for s in baseline], dtype=np.float64)
    events = np.array([s.events for s in scores], dtype=np.float64)
    if len(scores) == 0 or events.sum() == 0:
        return (math.nan, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(scores), size=(n_boot, len(scores)))
    tot = events[pick].sum(axis=1)
    diff = np.divide(
        hits[pick].sum(axis=1) - base[pick].sum(axis=1), tot, out=np.zeros(n_boot), where=tot > 0
    )
    alpha = (1.0 - level) / 2.0
    point = float((hits.sum() - base.sum()) / events.sum())
    return (point, float(np.quantile(diff, alpha)), float(np.quantile(diff, 1.0 - alpha)))
