"""Rolling weekly evaluation — the protocol of the shared data README.

Each test window [w, w + horizon) is forecast by a model brought up to ``w``
(``update``: simple models refit on every event before ``w``; the learned
models re-learn only every ``refit_every_days`` and otherwise recompute
features from events before ``w``). Hits are pooled over windows:
hit rate = total hits / total events, not a mean of weekly rates, so quiet
weeks weigh less. The 95% interval resamples whole windows (bootstrap).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from safecity.core.errors import InvalidInput

from ._base import ForecastEstimator
from ._events import GriddedEvents
from ._metrics import WeekScore, bootstrap_interval, paired_difference, score_week

__all__ = ["EvaluationResult", "rolling_evaluation", "window_starts"]

Progress = Callable[[str, int, int], None]  # (model, windows done, windows in all)


@dataclass
class EvaluationResult:
    model: str
    category: str
    coverage: float
    hit_rate: float
    pai: float
    weeks: int
    hits: int
    events: int
    ci_low: float
    ci_high: float
    weekly: list[WeekScore] = field(default_factory=list, repr=False)
    baseline: str | None = None  # the model the delta is against (None for the baseline itself)
    delta: float | None = None  # hit rate minus the baseline's, same weeks
    delta_ci_low: float | None = None
    delta_ci_high: float | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "model": self.model,
            "category": self.category,
            "coverage": self.coverage,
            "hit_rate": round(self.hit_rate, 6),
            "pai": round(self.pai, 4),
            "weeks": self.weeks,
            "ci_low": round(self.ci_low, 6),
            "ci_high": round(self.ci_high, 6),
            "events": self.events,
            "hits": self.hits,
            "vs_baseline": None if self.delta is None else self._delta_json(),
        }

    def _delta_json(self) -> dict[str, object]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 6)

        return {
            "baseline": self.baseline,
            "delta": r(self.delta),
            "ci_low": r(self.delta_ci_low),
            "ci_high": r(self.delta_ci_high),
        }


def window_starts(test_start: float, test_end: float, horizon: float) -> list[float]:
    """Starts of consecutive windows in [test_start, test_end); the last one may be cut short."""
    if test_end <= test_start:
        raise InvalidInput("test end must be after test start", field="test_end")
    count = int(np.ceil((test_end - test_start) / horizon - 1e-9))
    return [test_start + i * horizon for i in range(count)]


def rolling_evaluation(
    events: GriddedEvents,
    models: Mapping[str, ForecastEstimator],
    *,
    category: str,
    train_end: float,
    test_start: float,
    test_end: float,
    horizon: float,
    coverages: Sequence[float],
    progress: Progress | None = None,
    baseline: str | None = None,
) -> tuple[list[EvaluationResult], dict[str, NDArray[np.float64]]]:
    """Scores per (model, coverage) and each model's last forecast (for maps).

    With ``baseline`` (a key of ``models``), every other model also gets its
    difference from the baseline with a paired bootstrap interval.
    """
    if train_end > test_start:
        raise InvalidInput("train end must not be after test start", field="train_end")
    target = events.of_category(category)
    study = events.study_area(test_start)
    starts = window_starts(test_start, test_end, horizon)
    scores: dict[tuple[str, float], list[WeekScore]] = {(m, c): [] for m in models for c in coverages}
    last: dict[str, NDArray[np.float64]] = {}
    for name, model in models.items():
        model.fit(events, until=train_end)
        for i, start in enumerate(starts):
            end = min(start + horizon, test_end)
            model.update(events, until=start)
            risk = model.predict(start, end - start)
            week_cells = target.between(start, end).cell
            for cov in coverages:
                scores[(name, cov)].append(score_week(risk, study, cov, week_cells))
            last[name] = risk
            if progress is not None:
                progress(name, i + 1, len(starts))
    results = []
    for (name, cov), weekly in scores.items():
        hits = sum(s.hits for s in weekly)
        total = sum(s.events for s in weekly)
        rate = hits / total if total else float("nan")
        low, high = bootstrap_interval(weekly)
        results.append(
            EvaluationResult(
                model=name,
                category=events.categories[events.code_of(category)],
                coverage=cov,
                hit_rate=rate,
                pai=rate / cov,
                weeks=len(weekly),
                hits=hits,
                events=total,
                ci_low=low,
                ci_high=high,
                weekly=weekly,
            )
        )
    if baseline is not None and baseline in models:
        for res in results:
            if res.model != baseline:
                ref = scores[(baseline, res.coverage)]
                res.baseline = baseline
                res.delta, res.delta_ci_low, res.delta_ci_high = paired_difference(res.weekly, ref)
    return results, last
