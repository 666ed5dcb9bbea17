"""Who gets flagged, and does flagging feed itself?

Two checks for a deployed hotspot model:

* Concentration — how flagged cells spread over areas (coarse blocks of cells,
  standing in for neighbourhoods) week after week, compared with where events
  actually happen: the Gini of flag-weeks versus the Gini of events, and the
  share of flags that stay in place from one week to the next.
* Feedback loop (Lum & Isaac 2016; Ensign et al. 2018) — a simulation in which
  patrols *record* every event in flagged cells but only ``p_unflagged`` of
  the others, and the model learns from what was recorded. Flags then drift
  towards where police already were. The mitigation weights each recorded
  event by the inverse of its chance of being recorded (Ensign et al.'s
  correction), which makes the recorded counts unbiased for the true ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ._base import ForecastEstimator
from ._evaluation import window_starts
from ._events import GriddedEvents
from ._metrics import flagged_cells

__all__ = [
    "ConcentrationReport",
    "FeedbackRun",
    "block_of_cells",
    "concentration",
    "gini",
    "simulate_feedback",
]


def gini(values: NDArray[np.float64]) -> float:
    """0 when every area gets the same share, towards 1 when one area gets everything."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    if v.sum() <= 0:
        return 0.0
    n = len(v)
    return float((2.0 * np.arange(1, n + 1) - n - 1) @ v / (n * v.sum()))


def block_of_cells(events: GriddedEvents, block: int) -> NDArray[np.int64]:
    """Area id of every cell: ``block`` x ``block`` squares of cells."""
    grid = events.grid
    iy, ix = np.divmod(np.arange(grid.n_cells), grid.nx)
    per_row = -(-grid.nx // block)
    return np.asarray((iy // block) * per_row + ix // block, dtype=np.int64)


@dataclass
class ConcentrationReport:
    weeks: int
    areas_with_events: int
    areas_ever_flagged: int
    gini_flags: float
    gini_events: float
    persistence: float
    weekly_gini: list[float] = field(default_factory=list)


def concentration(
    weekly_flags: list[NDArray[np.int64]],
    weekly_event_cells: list[NDArray[np.int64]],
    area: NDArray[np.int64],
    study: NDArray[np.bool_],
) -> ConcentrationReport:
    n_areas = int(area.max()) + 1
    in_study = np.bincount(area[study], minlength=n_areas) > 0
    flag_weeks = np.zeros(n_areas)
    event_counts = np.zeros(n_areas)
    weekly_gini, kept = [], []
    for i, flags in enumerate(weekly_flags):
        per_area = np.bincount(area[flags], minlength=n_areas).astype(np.float64)
        flag_weeks += per_area
        cells = weekly_event_cells[i]
        event_counts += np.bincount(area[cells[study[cells]]], minlength=n_areas)
        weekly_gini.append(gini(per_area[in_study]))
        if i:
            kept.append(len(np.intersect1d(flags, weekly_flags[i - 1])) / max(len(flags), 1))
    return ConcentrationReport(
        weeks=len(weekly_flags),
        areas_with_events=int((event_counts > 0).sum()),
        areas_ever_flagged=int((flag_weeks > 0).sum()),
        gini_flags=gini(flag_weeks[in_study]),
        gini_events=gini(event_counts[in_study]),
        persistence=float(np.mean(kept)) if kept else float("nan"),
        weekly_gini=weekly_gini,
    )


def flag_concentration(
    events: GriddedEvents,
    model: ForecastEstimator,
    category: str,
    start: float,
    end: float,
    coverage: float,
    block: int,
    area: NDArray[np.int64] | None = None,
) -> ConcentrationReport:
    """Run ``model`` week by week over [start, end) and measure how its flags spread over areas.

    Areas are ``area`` (an id per cell, e.g. neighbourhoods) when given, else
    ``block`` x ``block`` squares of cells.
    """
    target = events.of_category(category)
    study = events.study_area(start)
    flags, cells = [], []
    model.fit(events, until=start)
    for w in window_starts(start, end, 7.0):
        model.update(events, until=w)
        flags.append(flagged_cells(model.predict(w, 7.0), study, coverage))
        cells.append(target.between(w, min(w + 7.0, end)).cell)
    areas = block_of_cells(events, block) if area is None else area
    return concentration(flags, cells, areas, study)


@dataclass
class FeedbackRun:
    label: str
    hit_rate: float
    lock_in: list[float]
    overlap_with_truth_fed: list[float]


def simulate_feedback(
    events: GriddedEvents,
    *,
    category: str,
    start: float,
    weeks: int,
    coverage: float,
    p_unflagged: float,
    correct: bool,
    window_days: float = 730.0,
) -> FeedbackRun:
    """Counts model fed only by recorded events (optionally inverse-probability weighted)."""
    target = events.of_category(category)
    study = events.study_area(start)
    past = target.between(start - window_days, start)
    # (day, cell, weight) of what the model knows; history before `start` is taken as fully recorded
    days, cells, weights = list(past.day), list(past.cell), [1.0] * len(past)
    rng = np.random.default_rng(0)
    hits = total = 0
    lock_in: list[float] = []
    overlap: list[float] = []
    first: NDArray[np.int64] | None = None
    for k in range(weeks):
        w = start + 7.0 * k
        d, c, wt = np.asarray(days), np.asarray(cells, dtype=np.int64), np.asarray(weights)
        known = d >= w - window_days
        risk = np.bincount(c[known], weights=wt[known], minlength=events.grid.n_cells).astype(np.float64)
        flags = flagged_cells(risk, study, coverage)
        truth = flagged_cells(target.counts(w - window_days, w), study, coverage)
        week = target.between(w, w + 7.0)
        inside = np.isin(week.cell, flags)
        hits += int(inside[study[week.cell]].sum())
        total += int(study[week.cell].sum())
        recorded = inside | (rng.random(len(week)) < p_unflagged)
        p = np.where(inside, 1.0, p_unflagged)
        days += list(week.day[recorded])
        cells += list(week.cell[recorded])
        weights += list((1.0 / p[recorded]) if correct else np.ones(int(recorded.sum())))
        first = flags if first is None else first
        lock_in.append(len(np.intersect1d(flags, first)) / len(flags))
        overlap.append(len(np.intersect1d(flags, truth)) / len(flags))
    return FeedbackRun(
        label="inverse-probability weighted" if correct else "uncorrected",
        hit_rate=hits / max(total, 1),
        lock_in=lock_in,
        overlap_with_truth_fed=overlap,
    )
