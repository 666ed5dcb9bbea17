"""Fairness checks: Gini on known shares, and the feedback-loop mitigation on a planted trap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from safecity.forecasting import Grid, GriddedEvents
from safecity.forecasting._fairness import gini, simulate_feedback
from safecity.forecasting.cli import app


def test_gini_is_zero_for_equal_shares_and_high_for_one_area() -> None:
    assert gini(np.array([5.0, 5.0, 5.0, 5.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 12.0])) == pytest.approx(0.75)


def _shifting_city() -> GriddedEvents:
    """Crime moves from the west half to the east half on day 400."""
    rng = np.random.default_rng(2)
    grid = Grid(epsg=32617, origin_x=0.0, origin_y=0.0, cell_size=250.0, nx=20, ny=10)
    day = rng.uniform(0, 800, size=6000)
    east = rng.random(6000) < np.where(day < 400, 0.1, 0.9)
    ix = np.where(east, rng.integers(10, 20, size=6000), rng.integers(0, 10, size=6000))
    iy = rng.integers(0, 10, size=6000)
    return GriddedEvents.build(grid, day, iy * grid.nx + ix, ["B"] * 6000)


def test_weighting_recorded_events_limits_the_feedback_loop() -> None:
    events = _shifting_city()
    kwargs = {"category": "B", "start": 400.0, "weeks": 50, "coverage": 0.2, "p_unflagged": 0.2}
    plain = simulate_feedback(events, correct=False, window_days=365.0, **kwargs)  # type: ignore[arg-type]
    fixed = simulate_feedback(events, correct=True, window_days=365.0, **kwargs)  # type: ignore[arg-type]
    assert fixed.overlap_with_truth_fed[-1] > plain.overlap_with_truth_fed[-1]
    assert plain.lock_in[-1] > fixed.lock_in[-1]


def test_fairness_command_writes_a_report(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    lines = ["occurred_at,category,lat,lon"]
    for _ in range(300):
        when = np.datetime64("2019-01-01") + np.timedelta64(int(rng.integers(0, 120)), "D")
        lines.append(
            f"{when}T12:00:00,Robbery,{43.69 + rng.random() * 0.02:.5f},{-79.41 + rng.random() * 0.02:.5f}"
        )
    data = tmp_path / "tiny.csv"
    data.write_text("\n".join(lines) + "\n")
    args = ["fairness", "--data", str(data), "--category", "Robbery", "--test-start", "2019-03-01"]
    result = CliRunner().invoke(app, [*args, "--test-end", "2019-04-30", "--out", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    report = (tmp_path / "rep" / "fairness.md").read_text()
    assert "inverse-probability weighted" in report
    assert "Gini" in report


def test_each_cell_takes_the_area_most_of_its_events_name(tmp_path: Path) -> None:
    from safecity.forecasting import load_events
    from safecity.forecasting._areas import cell_areas

    rows = ["occurred_at,category,lat,lon,neighbourhood"]
    rows += ["2019-01-01T10:00:00,Robbery,43.7000,-79.4000,Annex"] * 2
    rows += ["2019-01-02T10:00:00,Robbery,43.7000,-79.4000,Yorkville"]  # outvoted in the same cell
    rows += ["2019-01-03T10:00:00,Robbery,43.7100,-79.3800,Yorkville"]
    data = tmp_path / "areas.csv"
    data.write_text("\n".join(rows) + "\n")
    events, _ = load_events([data])
    area, names = cell_areas([data], events.grid, "neighbourhood")
    assert names == ["Annex", "Yorkville", "unlabelled"]
    first, last = int(events.cell[0]), int(events.cell[-1])
    assert names[area[first]] == "Annex"
    assert names[area[last]] == "Yorkville"
    assert (area == 2).sum() == events.grid.n_cells - 2


def test_fairness_report_can_use_named_neighbourhoods(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    lines = ["occurred_at,category,lat,lon,neighbourhood"]
    for _ in range(300):
        when = np.datetime64("2019-01-01") + np.timedelta64(int(rng.integers(0, 120)), "D")
        lon = -79.41 + rng.random() * 0.02
        lines.append(
            f"{when}T12:00:00,Robbery,{43.69 + rng.random() * 0.02:.5f},{lon:.5f},N{int(lon > -79.4)}"
        )
    data = tmp_path / "tiny.csv"
    data.write_text("\n".join(lines) + "\n")
    args = ["fairness", "--data", str(data), "--category", "Robbery", "--test-start", "2019-03-01"]
    args += ["--test-end", "2019-04-30", "--area-column", "neighbourhood", "--out", str(tmp_path / "rep")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = (tmp_path / "rep" / "fairness.md").read_text()
    assert "areas = neighbourhood" in report
    assert "areas with events: 2" in report
