"""Every forecaster follows the estimator contract and never looks past ``until``."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from safecity.core.errors import InvalidInput
from safecity.forecasting import (
    MODEL_NAMES,
    ForecastEstimator,
    Grid,
    GriddedEvents,
    SelfExcitingPointProcess,
    make_model,
)

_UNTIL = 800.0


def _synthetic(seed: int = 0, n: int = 1500) -> GriddedEvents:
    """Two categories on a 12 x 10 grid over ~3 years, with two persistent hotspots."""
    rng = np.random.default_rng(seed)
    grid = Grid(epsg=32617, origin_x=0.0, origin_y=0.0, cell_size=250.0, nx=12, ny=10)
    hot = rng.random(n) < 0.4
    cell = np.where(hot, rng.choice([13, 77], size=n), rng.integers(0, grid.n_cells, size=n))
    labels = np.where(rng.random(n) < 0.5, "Burglary", "Robbery")
    return GriddedEvents.build(grid, rng.uniform(0.0, 1000.0, size=n), cell, labels)


def _model(name: str) -> ForecastEstimator:
    model = make_model(name, "Burglary")
    if name == "gbm":
        model.set_params(max_iter=15, train_weeks=20)
    if name == "ensemble":
        fast = [
            (n, clone(e).set_params(max_iter=15, train_weeks=20) if n == "gbm" else e)
            for n, e in model.get_params()["estimators"]
        ]
        model.set_params(estimators=fast)
    return model


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_forecasts_ignore_events_on_or_after_until(name: str) -> None:
    events = _synthetic()
    future = _synthetic(seed=9).subset(_synthetic(seed=9).day >= _UNTIL)
    tampered = GriddedEvents.build(
        events.grid,
        np.concatenate([events.day[events.day < _UNTIL], future.day, np.full(200, _UNTIL)]),
        np.concatenate([events.cell[events.day < _UNTIL], future.cell, np.full(200, 5)]),
        [events.categories[c] for c in events.category[events.day < _UNTIL]]
        + [future.categories[c] for c in future.category]
        + ["Burglary"] * 200,
    )
    a = _model(name).fit(events, until=_UNTIL).predict(_UNTIL, 7.0)
    b = _model(name).fit(tampered, until=_UNTIL).predict(_UNTIL, 7.0)
    np.testing.assert_allclose(a, b)
    assert a.shape == (events.grid.n_cells,)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_forecasts_rank_a_persistent_hotspot_high(name: str) -> None:
    risk = _model(name).fit(_synthetic(), until=_UNTIL).predict(_UNTIL, 7.0)
    top = set(np.argsort(-risk)[:6].tolist())
    assert {13, 77} & top


def test_forecasting_a_period_already_seen_is_refused() -> None:
    model = make_model("counts").fit(_synthetic(), until=_UNTIL)
    with pytest.raises(InvalidInput):
        model.predict(_UNTIL - 1.0, 7.0)


def test_hyper_parameters_round_trip_through_get_params() -> None:
    model = SelfExcitingPointProcess(sigma_m=50.0)
    assert clone(model).get_params()["sigma_m"] == 50.0
    assert not hasattr(clone(model), "mu_")


def test_sepp_learns_self_excitation_from_bursty_data() -> None:
    rng = np.random.default_rng(3)
    grid = Grid(epsg=32617, origin_x=0.0, origin_y=0.0, cell_size=250.0, nx=10, ny=10)
    parents = rng.uniform(0, 700, size=300)
    kids = np.repeat(parents, 3) + rng.exponential(3.0, size=900) + 1.0
    parent_cells = rng.integers(0, 100, size=300)
    days = np.concatenate([parents, kids])
    cells = np.concatenate([parent_cells, np.repeat(parent_cells, 3)])
    events = GriddedEvents.build(grid, days, cells, ["B"] * len(days))
    model = SelfExcitingPointProcess(window_days=730, background_bandwidth_m=0.0).fit(events, until=730.0)
    assert model.theta_ > 0.3
    assert 0.05 < model.omega_ < 2.0
