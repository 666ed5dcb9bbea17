"""The map layer: top cells as GeoJSON squares, and a backtest that refuses to guess."""

from __future__ import annotations

import numpy as np
import pytest

from safecity.forecasting._layer import backtest, cells_geojson, weekly_layer
from safecity.forecasting._loading import grid_points


def _city(n: int = 600, days: float = 140.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Half the events at one corner in Karachi, the rest spread over about 2 km x 2 km."""
    rng = np.random.default_rng(4)
    hot = rng.random(n) < 0.5
    lon = np.where(hot, 67.2101, 67.20 + rng.random(n) * 0.02)
    lat = np.where(hot, 24.8101, 24.80 + rng.random(n) * 0.02)
    return lon, lat, np.sort(rng.uniform(0.0, days, n))


def test_the_hot_corner_is_rank_one_and_its_square_contains_it() -> None:
    lon, lat, day = _city()
    events = grid_points(lon, lat, day, ["Robbery"] * len(day))
    layer = weekly_layer(events, model="counts", category="robbery", start=140.0, coverage=0.05)
    assert layer.category == "Robbery"
    assert len(layer.cells) == int(np.ceil(round(0.05 * layer.study_cells, 9)))
    doc = cells_geojson(layer)
    first = doc["features"][0]  # type: ignore[index]
    assert first["properties"]["rank"] == 1
    ring = np.array(first["geometry"]["coordinates"][0])
    assert ring[:, 0].min() <= 67.2101 <= ring[:, 0].max()
    assert ring[:, 1].min() <= 24.8101 <= ring[:, 1].max()
    side_m = (ring[:, 1].max() - ring[:, 1].min()) * 111_000
    assert side_m == pytest.approx(250.0, rel=0.05)


def test_backtest_scores_the_weeks_before_the_forecast() -> None:
    lon, lat, day = _city()
    events = grid_points(lon, lat, day, ["Robbery"] * len(day))
    measured = backtest(events, model="recency", category="Robbery", start=140.0, coverage=0.05, weeks=8)
    study = events.study_area(84.0)  # cells first hit later are outside the study area: not counted
    in_weeks = events.between(84.0, 140.0)
    assert measured.events == int(study[in_weeks.cell].sum())
    assert measured.hit_rate is not None and measured.hit_rate >= 0.5  # the hot corner alone holds half
    assert measured.baseline_hit_rate is not None


def test_backtest_gives_no_figure_when_history_is_too_thin() -> None:
    lon, lat, day = _city(n=40, days=140.0)
    events = grid_points(lon, lat, day, ["Robbery"] * len(day))
    measured = backtest(events, model="counts", category="Robbery", start=140.0, coverage=0.05, weeks=8)
    assert measured.hit_rate is None
    assert measured.events < 30
