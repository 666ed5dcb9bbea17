"""Patrol plans: cells go to reachable beats, evenly, and unreachable cells are reported."""

from __future__ import annotations

import numpy as np
import pytest

from safecity.core.errors import InvalidInput
from safecity.forecasting._patrol import Beat, plan_patrols, travel_seconds
from safecity.roads.graph import RoadGraph

# Two stations 0.1 degree of longitude apart (about 10 km at this latitude).
WEST = Beat(key="DLF-W-1", station="W", lon=67.20, lat=24.80)
EAST = Beat(key="DLF-E-1", station="E", lon=67.30, lat=24.80)


def test_each_cell_goes_to_the_beat_that_reaches_it_in_time() -> None:
    lon = np.array([67.201, 67.299, 67.25])  # next to west, next to east, halfway (5 km)
    lat = np.full(3, 24.80)
    plan = plan_patrols([WEST, EAST], lon, lat, budget_s=300.0)  # 5 minutes at 25 km/h with detour
    assert plan.method == "straight-line"
    assert [i for i, _ in plan.assigned["DLF-W-1"]] == [0]
    assert [i for i, _ in plan.assigned["DLF-E-1"]] == [1]
    assert plan.uncovered == [2]


def test_cells_are_shared_out_before_one_beat_gets_them_all() -> None:
    lon = np.array([67.201, 67.202, 67.203, 67.204])  # all next to the west station
    lat = np.full(4, 24.80)
    plan = plan_patrols([WEST, EAST], lon, lat, budget_s=3600.0)
    assert len(plan.assigned["DLF-W-1"]) == 2
    assert len(plan.assigned["DLF-E-1"]) == 2
    assert [i for i, _ in plan.assigned["DLF-W-1"]] == [0, 1]  # the highest-risk cells to the nearer beat


def test_straight_line_time_is_distance_with_detour_over_speed() -> None:
    seconds, _ = travel_seconds(
        [WEST], np.array([67.20]), np.array([24.809]), graph=None, budget_s=1e9, fallback_mps=10.0
    )
    metres = 0.009 * np.pi / 180 * 6_371_008.8  # one-hundredth of a degree of latitude, roughly
    assert seconds[0, 0] == pytest.approx(metres * 1.3 / 10.0, rel=1e-3)


def test_road_times_follow_the_graph_not_the_crow() -> None:
    # A U-shaped road: from node 0 to node 3 the road goes north, east, then south again.
    lon = [67.20, 67.20, 67.21, 67.21]
    lat = [24.80, 24.81, 24.81, 24.80]
    src, dst = [0, 1, 2, 1, 2, 3], [1, 2, 3, 0, 1, 2]
    graph = RoadGraph.from_arrays(lon, lat, src, dst, [100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    beat = Beat(key="DLF-1", station="S", lon=67.20, lat=24.80)
    seconds, method = travel_seconds([beat], np.array([67.21]), np.array([24.80]), graph=graph, budget_s=1e4)
    assert method == "road"
    assert seconds[0, 0] == pytest.approx(300.0, abs=1.0)
    plan = plan_patrols([beat], np.array([67.21]), np.array([24.80]), budget_s=200.0, graph=graph)
    assert plan.uncovered == [0]


def test_a_plan_needs_beats_and_a_positive_budget() -> None:
    with pytest.raises(InvalidInput):
        plan_patrols([], np.array([67.2]), np.array([24.8]), budget_s=60.0)
    with pytest.raises(InvalidInput):
        plan_patrols([WEST], np.array([67.2]), np.array([24.8]), budget_s=0.0)
