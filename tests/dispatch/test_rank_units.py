"""rank_units: road travel time, not straight-line distance, decides who goes."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from safecity.core.errors import InvalidInput
from safecity.dispatch import rank_units
from safecity.dispatch.ranking import ACCESS_SPEED_KPH
from safecity.roads import RoadGraph


def _river_town() -> RoadGraph:
    """Incident at node 0 on the south bank of a river.

    Node 1 (unit A) faces it across the water, the bridge (node 2) is far
    east; node 3 (unit B) is on the same bank; node 4 (unit C) is just west
    but its street is one-way away from the incident; node 5 (unit D) can be
    driven to but not back.
    """
    lon = [67.000, 67.000, 67.010, 67.003, 66.999, 67.050]
    lat = [24.800, 24.801, 24.8005, 24.800, 24.800, 24.850]
    arcs = [
        (1, 2, 120), (2, 1, 120), (2, 0, 60), (0, 2, 60), (3, 0, 30), (0, 3, 30),
        (3, 2, 40), (2, 3, 40), (0, 4, 10), (4, 2, 200), (0, 5, 5),
    ]  # fmt: skip
    src, dst, seconds = zip(*arcs, strict=True)
    return RoadGraph.from_arrays(lon, lat, src, dst, seconds)


def _units_at_nodes(graph: RoadGraph, named: dict[str, int]) -> list[tuple[str, float, float]]:
    return [(name, float(graph.lon[n]), float(graph.lat[n])) for name, n in named.items()]


RIVER_UNITS = {"A": 1, "B": 3, "C": 4, "D": 5}


def test_the_fastest_unit_by_road_is_not_the_nearest_in_a_straight_line() -> None:
    graph = _river_town()
    units = _units_at_nodes(graph, RIVER_UNITS)
    incident = (67.0, 24.8)
    crow = min(units, key=lambda u: np.hypot(u[1] - incident[0], u[2] - incident[1]))
    ranked = rank_units(graph, incident, units, k=3)
    assert [name for name, _ in ranked] == ["B", "A", "C"]
    assert crow[0] != ranked[0][0]
    assert [eta for _, eta in ranked] == pytest.approx([30, 180, 260])


def test_units_that_cannot_reach_the_incident_are_left_out() -> None:
    graph = _river_town()
    ranked = rank_units(graph, (67.0, 24.8), _units_at_nodes(graph, RIVER_UNITS), k=10)
    assert "D" not in {name for name, _ in ranked}
    assert len(ranked) == 3


def test_k_larger_than_the_number_of_units_returns_every_reachable_unit_in_order() -> None:
    graph = _river_town()
    ranked = rank_units(graph, (67.0, 24.8), _units_at_nodes(graph, {"A": 1, "B": 3}), k=50)
    assert [name for name, _ in ranked] == ["B", "A"]
    assert rank_units(graph, (67.0, 24.8), [], k=5) == []


def test_slowing_roads_changes_the_ranking_and_reset_restores_it() -> None:
    graph = _river_town()
    units = _units_at_nodes(graph, RIVER_UNITS)
    before = rank_units(graph, (67.0, 24.8), units, k=3)
    graph.set_edge_factor([(3, 0), (3, 2)], 10.0)
    slowed = rank_units(graph, (67.0, 24.8), units, k=3)
    assert [name for name, _ in slowed] == ["A", "C", "B"]
    assert dict(slowed)["B"] == pytest.approx(300)
    graph.close_edges([(3, 0), (3, 2)])
    assert "B" not in dict(rank_units(graph, (67.0, 24.8), units, k=3))
    graph.reset_weights()
    assert rank_units(graph, (67.0, 24.8), units, k=3) == before


def test_a_unit_off_the_road_pays_its_access_distance_at_the_nominal_speed() -> None:
    graph = _river_town()
    on_node = rank_units(graph, (67.0, 24.8), [("B", 67.003, 24.800)], k=1)[0][1]
    gap = rank_units(graph, (67.0, 24.8), [("B", 67.003, 24.8003)], k=1)[0][1] - on_node
    metres = 0.0003 * np.pi / 180 * 6_371_008.8
    assert gap == pytest.approx(metres / (ACCESS_SPEED_KPH / 3.6), rel=1e-3)


@pytest.mark.parametrize(
    ("incident", "units", "k"),
    [
        ((67.0, 24.8), [("A", 67.0, 24.8)], 0),
        ((67.0, 24.8), [("A", 67.0)], 1),
        ((67.0, 24.8), [("A", 67.0, 24.8), ("A", 67.0, 24.8)], 1),
        ((67.0, 24.8), [(7, 67.0, 24.8)], 1),
        ((float("nan"), 24.8), [("A", 67.0, 24.8)], 1),
        ((67.0, 24.8), [("A", "east", 24.8)], 1),
        ((67.0, 124.8), [("A", 67.0, 24.8)], 1),
        ((67.0, 24.8), [("A", 67.0, 24.8), ("B", 67.0, float("inf"))], 1),
    ],
)
def test_bad_requests_are_refused_with_the_field_named(
    incident: tuple[float, float], units: list[tuple[str, float, float]], k: int
) -> None:
    with pytest.raises(InvalidInput) as err:
        rank_units(_river_town(), incident, units, k=k)
    assert err.value.field in {"k", "units", "incident"}


@functools.lru_cache(maxsize=1)
def _karachi(path: Path) -> RoadGraph:
    return RoadGraph.from_file(path)


def _scipy_ranking(
    graph: RoadGraph,
    matrix: Any,
    incident: tuple[float, float],
    units: list[tuple[str, float, float]],
    k: int,
) -> list[tuple[str, float]]:
    """One-to-all Dijkstra on the transposed graph: the obvious, slow reference."""
    speed = ACCESS_SPEED_KPH / 3.6
    inc_node, inc_gap = graph.snap_many([incident[0]], [incident[1]])
    dist = dijkstra(matrix, indices=int(inc_node[0]))
    nodes, gaps = graph.snap_many([u[1] for u in units], [u[2] for u in units])
    etas = dist[nodes] + gaps / speed + inc_gap[0] / speed
    rows = sorted((float(eta), unit[0]) for eta, unit in zip(etas, units, strict=True) if np.isfinite(eta))
    return [(name, eta) for eta, name in rows[:k]]


def _random_town(seed: int) -> RoadGraph:
    """A 30 x 30 street grid (about 100 m blocks) with random one-way streets and speeds."""
    rng = np.random.default_rng(seed)
    side = 30
    ix, iy = np.meshgrid(np.arange(side), np.arange(side))
    lon, lat = 67.0 + ix.ravel() * 0.001, 24.8 + iy.ravel() * 0.0009
    node = np.arange(side * side).reshape(side, side)
    pairs = np.concatenate(
        [
            np.column_stack((node[:, :-1].ravel(), node[:, 1:].ravel())),
            np.column_stack((node[:-1].ravel(), node[1:].ravel())),
        ]
    )
    direction = rng.integers(0, 4, len(pairs))  # 0: u->v only, 1: v->u only, else both ways
    src = np.concatenate([pairs[direction != 1, 0], pairs[direction != 0, 1]])
    dst = np.concatenate([pairs[direction != 1, 1], pairs[direction != 0, 0]])
    return RoadGraph.from_arrays(lon, lat, src, dst, rng.uniform(5, 40, len(src)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ranking_agrees_with_scipy_dijkstra_on_random_one_way_towns(seed: int) -> None:
    graph = _random_town(seed)
    rng = np.random.default_rng(seed)
    graph.close_edges(rng.integers(0, graph.n_edges, 40).tolist())
    matrix = graph.to_csr_matrix(transpose=True)
    points = np.column_stack((rng.uniform(66.999, 67.03, 220), rng.uniform(24.799, 24.827, 220)))
    units = [(f"U{i:03d}", float(x), float(y)) for i, (x, y) in enumerate(points[:200])]
    for x, y in points[200:]:
        for k in (1, 5, 40):
            ours = rank_units(graph, (float(x), float(y)), units, k=k)
            expected = _scipy_ranking(graph, matrix, (float(x), float(y)), units, k=k)
            assert [name for name, _ in ours] == [name for name, _ in expected]
            assert [eta for _, eta in ours] == pytest.approx([eta for _, eta in expected], abs=1e-6)


def _motorway_town(
    segments: int,
) -> tuple[RoadGraph, list[tuple[str, float, float]], list[tuple[int, int]]]:
    """Incident at node 0; a motorway of 2 km / 60 s segments runs east to unit FAR;
    60 units sit 1-2 km away in side streets jammed to 1.4 m/s."""
    rng = np.random.default_rng(5)
    lon, lat, src, dst, seconds = [67.0], [24.8], [], [], []
    for i in range(1, segments + 1):
        lon.append(67.0 + i * 0.0198)
        lat.append(24.8)
        src += [i - 1, i]
        dst += [i, i - 1]
        seconds += [60.0, 60.0]
    for _ in range(60):
        angle, metres = rng.uniform(0, 2 * np.pi), rng.uniform(1000, 2000)
        lon.append(67.0 + metres * np.cos(angle) / 101_000)
        lat.append(24.8 + metres * np.sin(angle) / 111_000)
        src += [len(lon) - 1, 0]
        dst += [0, len(lon) - 1]
        seconds += [metres / 1.4] * 2
    graph = RoadGraph.from_arrays(lon, lat, src, dst, seconds)
    units = [(f"J{i:02d}", lon[i], lat[i]) for i in range(segments + 1, len(lon))]
    units.append(("FAR", lon[segments], lat[segments]))
    motorway = [(i - 1, i) for i in range(1, segments + 1)] + [(i, i - 1) for i in range(1, segments + 1)]
    return graph, units, motorway


def _assert_agrees_with_scipy(graph: RoadGraph, units: list[tuple[str, float, float]], k: int) -> str:
    ranked = rank_units(graph, (67.0, 24.8), units, k=k)
    expected = _scipy_ranking(graph, graph.to_csr_matrix(transpose=True), (67.0, 24.8), units, k)
    assert [name for name, _ in ranked] == [name for name, _ in expected]
    assert [eta for _, eta in ranked] == pytest.approx([eta for _, eta in expected])
    return ranked[0][0]


def test_a_distant_unit_on_a_motorway_beats_many_units_stuck_in_nearby_jams() -> None:
    graph, units, _ = _motorway_town(10)
    assert _assert_agrees_with_scipy(graph, units, k=3) == "FAR"
    assert rank_units(graph, (67.0, 24.8), units, k=1)[0][1] == pytest.approx(600.0)


def test_speeding_up_a_road_is_seen_by_the_ranking() -> None:
    graph, units, motorway = _motorway_town(20)
    assert _assert_agrees_with_scipy(graph, units, k=1) != "FAR"  # 1,200 s: the jams win
    graph.set_edge_factor(motorway, 0.25)  # e.g. a cleared emergency lane
    assert _assert_agrees_with_scipy(graph, units, k=1) == "FAR"


def test_ranking_agrees_with_scipy_dijkstra_on_the_karachi_network(shared_data: Path) -> None:
    graph = _karachi(shared_data / "roads/karachi_southeast_drive.graphml.gz")
    graph.reset_weights()
    rng = np.random.default_rng(2026)
    spots = rng.integers(0, graph.n_nodes, 330)
    jitter = rng.normal(scale=3e-4, size=(330, 2))
    points = np.column_stack((graph.lon[spots], graph.lat[spots])) + jitter
    units = [(f"U{i:03d}", float(x), float(y)) for i, (x, y) in enumerate(points[:300])]
    graph.close_edges(rng.integers(0, graph.n_edges, 200).tolist())
    matrix = graph.to_csr_matrix(transpose=True)
    for x, y in points[300:]:
        incident = (float(x), float(y))
        ours = rank_units(graph, incident, units, k=5)
        expected = _scipy_ranking(graph, matrix, incident, units, k=5)
        assert [name for name, _ in ours] == [name for name, _ in expected]
        assert [eta for _, eta in ours] == pytest.approx([eta for _, eta in expected], abs=1e-6)
    graph.reset_weights()


def test_restoring_a_slowed_road_to_its_base_speed_is_seen_by_the_ranking() -> None:
    graph, units, motorway = _motorway_town(10)
    graph.set_edge_factor(motorway, 4.0)  # jammed motorway: 2,400 s, the side streets win
    assert _assert_agrees_with_scipy(graph, units, k=1) != "FAR"
    graph.set_edge_factor(motorway, 1.0)  # faster than now, though not faster than base
    assert _assert_agrees_with_scipy(graph, units, k=1) == "FAR"


def test_resetting_a_jammed_network_is_seen_by_the_ranking() -> None:
    graph, units, motorway = _motorway_town(10)
    graph.set_edge_factor(motorway, 4.0)
    assert _assert_agrees_with_scipy(graph, units, k=1) != "FAR"
    graph.reset_weights()
    assert _assert_agrees_with_scipy(graph, units, k=1) == "FAR"


def test_ranking_stays_exact_through_a_sequence_of_weight_changes() -> None:
    """Only a few units are snapped per query (k=1), so a stale pruning bound would show."""
    graph, units, motorway = _motorway_town(10)
    winners = []
    for factor in [3.0, 1.0, 0.25, float("inf"), 1.0, 6.0, None, 0.5, 2.0, 1.0]:
        if factor is None:
            graph.reset_weights()
        else:
            graph.set_edge_factor(motorway, factor)
        winners.append(_assert_agrees_with_scipy(graph, units, k=1) == "FAR")
    assert winners == [False, True, True, False, True, False, True, True, False, True]
