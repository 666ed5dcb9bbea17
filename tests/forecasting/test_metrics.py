"""Hit rate, PAI and flagged-cell rules on hand-made grids where the answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from safecity.core.errors import InvalidInput
from safecity.forecasting import bootstrap_interval, flagged_cells, n_flagged, score_week
from safecity.forecasting._metrics import WeekScore, paired_difference


def test_flagged_cell_count_rounds_coverage_up_but_not_float_noise() -> None:
    assert n_flagged(0.05, 7000) == 350
    assert n_flagged(0.01, 150) == 2
    assert n_flagged(0.01, 10) == 1
    assert n_flagged(1.0, 10) == 10


def test_coverage_outside_zero_to_one_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        n_flagged(0.0, 100)
    with pytest.raises(InvalidInput):
        n_flagged(1.5, 100)


def test_hit_rate_counts_events_in_the_top_cells() -> None:
    study = np.ones(10, dtype=bool)
    risk = np.arange(10, dtype=float)  # cell 9 is the riskiest
    events = np.array([9, 9, 8, 0])
    score = score_week(risk, study, 0.1, events)  # one flagged cell: 9
    assert (score.hits, score.events) == (2, 4)
    score = score_week(risk, study, 0.2, events)  # cells 9 and 8
    assert (score.hits, score.events) == (3, 4)


def test_pai_is_hit_rate_over_coverage() -> None:
    study = np.ones(20, dtype=bool)
    risk = np.zeros(20)
    risk[3] = 1.0
    score = score_week(risk, study, 0.05, np.array([3, 3, 5, 7]))
    hit_rate = score.hits / score.events
    assert hit_rate == 0.5
    assert hit_rate / 0.05 == pytest.approx(10.0)


def test_events_and_cells_outside_the_study_area_are_not_counted() -> None:
    study = np.array([True, True, True, True, False])
    risk = np.array([0.0, 0.0, 0.0, 1.0, 100.0])  # cell 4 is riskiest but outside
    assert list(flagged_cells(risk, study, 0.25)) == [3]
    score = score_week(risk, study, 0.25, np.array([4, 4, 3, 1]))
    assert (score.hits, score.events) == (1, 2)


def test_ties_are_broken_by_the_lower_cell_id() -> None:
    study = np.ones(8, dtype=bool)
    risk = np.array([0.0, 2.0, 5.0, 2.0, 2.0, 0.0, 0.0, 0.0])
    assert list(flagged_cells(risk, study, 3 / 8)) == [2, 1, 3]
    assert list(flagged_cells(risk[::-1].copy(), study, 3 / 8)) == [5, 3, 4]


def test_nan_risk_ranks_last() -> None:
    study = np.ones(4, dtype=bool)
    risk = np.array([np.nan, 1.0, 0.5, 0.0])
    assert list(flagged_cells(risk, study, 0.5)) == [1, 2]


def test_bootstrap_interval_brackets_the_pooled_rate() -> None:
    rng = np.random.default_rng(1)
    weeks = [WeekScore(hits=int(h), events=20) for h in rng.integers(4, 12, size=40)]
    pooled = sum(w.hits for w in weeks) / sum(w.events for w in weeks)
    low, high = bootstrap_interval(weeks)
    assert low < pooled < high
    assert bootstrap_interval([WeekScore(3, 10)] * 5) == (0.3, 0.3)


def test_paired_difference_is_exact_when_one_model_always_wins_by_one_hit() -> None:
    base = [WeekScore(hits=h, events=10) for h in (2, 5, 3, 7)]
    better = [WeekScore(hits=s.hits + 1, events=10) for s in base]
    delta, low, high = paired_difference(better, base)
    assert delta == pytest.approx(0.1)  # 4 extra hits over 40 events
    assert (low, high) == (pytest.approx(0.1), pytest.approx(0.1))  # the same gap every week
    with pytest.raises(ValueError):
        paired_difference(better[:2], base)
