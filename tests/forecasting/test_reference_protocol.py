"""The 730-day-counts baseline reproduces the reference figures of the shared data README.

If this fails, the grid, study area, window or tie rules differ from the
protocol the published reference used, and no other figure is comparable.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from safecity.forecasting import load_events, make_model, rolling_evaluation, to_day


def test_baseline_matches_the_published_break_and_enter_figures(shared_data: Path) -> None:
    events, _ = load_events([shared_data / "toronto_mci" / "toronto_mci_2014_2019.csv.gz"])
    assert events.grid.epsg == 32617
    start = to_day("2019-01-01")
    results, _ = rolling_evaluation(
        events,
        {"counts": make_model("counts", "Break and Enter")},
        category="Break and Enter",
        train_end=start,
        test_start=start,
        test_end=to_day("2020-01-01"),
        horizon=7.0,
        coverages=[0.01, 0.05],
    )
    by_cov = {r.coverage: r.hit_rate for r in results}
    assert by_cov[0.05] == pytest.approx(0.336, abs=0.005)
    assert by_cov[0.01] == pytest.approx(0.126, abs=0.005)
