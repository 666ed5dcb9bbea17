"""Panel features and the learned models on hand-made events whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from safecity.forecasting import GradientBoostingForecaster, Grid, GriddedEvents, LinearStackForecaster
from safecity.forecasting._features import MAX_LAG_WEEKS, feature_names, panel_features, weekly_panel

_GRID = Grid(epsg=32617, origin_x=0.0, origin_y=0.0, cell_size=250.0, nx=5, ny=5)
_CENTRE = 12  # row 2, column 2
_END = 3000.0


def _features(days: list[float], cells: list[int], labels: list[str]) -> dict[str, np.ndarray]:
    events = GriddedEvents.build(_GRID, np.asarray(days), np.asarray(cells, dtype=np.int64), labels)
    panel = weekly_panel(events, _END, MAX_LAG_WEEKS)
    code = events.code_of("Burglary")
    x = panel_features(
        panel, panel.cumulative(), panel.counts[code], np.asarray([MAX_LAG_WEEKS]), np.arange(_GRID.n_cells)
    )
    return dict(zip(feature_names(events.categories), x.T, strict=True))


def test_an_event_three_weeks_ago_counts_in_the_four_week_window_only() -> None:
    f = _features([_END - 7.0 * 2.5, 10.0], [_CENTRE, 0], ["Burglary", "Robbery"])
    assert f["n_1w"][_CENTRE] == 0
    assert f["n_4w"][_CENTRE] == 1
    assert f["n_104w"][_CENTRE] == 1
    assert f["weeks_since_last"][_CENTRE] == 3
    assert f["decayed_hl2w"][_CENTRE] == pytest.approx(0.5)  # two whole weeks after its own week


def test_neighbourhood_sums_reach_the_adjacent_cells_but_not_further() -> None:
    f = _features([_END - 10.0, 10.0], [_CENTRE, 0], ["Burglary", "Robbery"])
    box = f["n_4w_box3"].reshape(5, 5)
    assert box[1:4, 1:4].sum() == 9  # the centre and its 8 neighbours each see the one event
    assert box.sum() == 9
    assert f["n_104w_box5"].reshape(5, 5)[0, 0] == 1


def test_other_categories_are_features_of_their_own() -> None:
    f = _features([_END - 100.0, _END - 50.0, _END - 20.0], [3, 3, 3], ["Robbery", "Robbery", "Burglary"])
    assert f["Robbery_52w"][3] == 2
    assert f["Burglary_52w"][3] == 1
    assert f["n_52w"][3] == 1


def test_long_run_rate_counts_only_the_weeks_since_records_began() -> None:
    # records begin 52 weeks before the end: 3 events in that year are 3 a year, not 3 per 4 years
    days = [_END - 7.0 * 52 + 1.0, _END - 100.0, _END - 30.0, _END - 2.0]
    f = _features(days, [7, 7, 7, 7], ["Robbery", "Burglary", "Burglary", "Burglary"])
    assert f["rate_208w"][7] == pytest.approx(3.0)


def test_events_on_or_after_the_boundary_are_never_read() -> None:
    before = _features([_END - 30.0, 1.0], [4, 0], ["Burglary", "Burglary"])
    after = _features([_END - 30.0, _END, _END + 3.0, 1.0], [4, 4, 4, 0], ["Burglary"] * 4)
    for name in before:
        np.testing.assert_array_equal(before[name], after[name])


def test_an_event_at_a_week_boundary_belongs_to_the_week_it_opens() -> None:
    days = np.asarray([_END - 7.0, _END - 7.0 - 1e-6])
    events = GriddedEvents.build(_GRID, days, np.asarray([1, 2]), ["Burglary", "Burglary"])
    counts = weekly_panel(events, _END, 4).counts[0]
    assert counts[3, 1] == 1  # [end - 7, end) opens with the first event
    assert counts[2, 2] == 1  # the other is a microsecond earlier: the week before


def _steady_city() -> GriddedEvents:
    """Cell 6 has a burglary every week for three years, the rest a few scattered ones."""
    rng = np.random.default_rng(1)
    steady = np.arange(0.0, 1100.0, 7.0) + 0.5
    scattered = rng.uniform(0.0, 1100.0, 60)
    days = np.concatenate([steady, scattered])
    cells = np.concatenate([np.full(len(steady), 6), rng.integers(0, _GRID.n_cells, 60)])
    labels = ["Burglary"] * len(steady) + list(rng.choice(["Burglary", "Robbery"], 60))
    return GriddedEvents.build(_GRID, days, cells, labels)


def test_learned_models_re_learn_only_once_their_weights_are_a_refit_period_old() -> None:
    events = _steady_city()
    model = LinearStackForecaster(category="Burglary", train_weeks=30, refit_every_days=28.0)
    model.fit(events, until=1000.0)
    model.update(events, until=1021.0)
    assert model.fitted_at_ == 1000.0 and model.until_ == 1021.0
    model.update(events, until=1028.0)
    assert model.fitted_at_ == 1028.0


@pytest.mark.parametrize("model_class", [LinearStackForecaster, GradientBoostingForecaster])
def test_learned_models_put_the_steady_cell_first(model_class: type) -> None:
    model = model_class(category="Burglary", train_weeks=30).fit(_steady_city(), until=1000.0)
    assert int(np.argmax(model.predict(1000.0, 7.0))) == 6


def test_the_linear_model_expects_about_one_event_a_week_in_the_steady_cell() -> None:
    model = LinearStackForecaster(category="Burglary", train_weeks=30).fit(_steady_city(), until=1000.0)
    assert model.predict(1000.0, 7.0)[6] == pytest.approx(1.0, rel=0.3)
    assert model.predict(1000.0, 14.0)[6] == pytest.approx(2.0, rel=0.3)


def test_linear_weights_are_non_negative_and_named() -> None:
    model = LinearStackForecaster(category="Burglary", train_weeks=30).fit(_steady_city(), until=1000.0)
    weights = model.weights()
    assert weights and all(w > 0 for w in weights.values())
    assert set(weights) <= set(feature_names(("Burglary", "Robbery")))
