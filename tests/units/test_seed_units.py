"""The demo fleet: every agency's units at their bases, on the road network, seeded once."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from safecity.core.org import load_tree_file
from safecity.demo.seed import DEMO_ORG_FILE
from safecity.roads import RoadGraph
from safecity.units.models import UnitKind
from safecity.units.seed import seed_demo_units


def _grid() -> RoadGraph:
    """A coarse street grid over south-east Karachi (nodes every ~1 km)."""
    lons = [67.10 + 0.01 * i for i in range(26)]
    lats = [24.79 + 0.01 * j for j in range(8)]
    lon = [x for _ in lats for x in lons]
    lat = [y for y in lats for _ in lons]
    width = len(lons)
    arcs: list[tuple[int, int]] = []
    for j in range(len(lats)):
        for i in range(width):
            n = j * width + i
            if i + 1 < width:
                arcs += [(n, n + 1), (n + 1, n)]
            if j + 1 < len(lats):
                arcs += [(n, n + width), (n + width, n)]
    src, dst = zip(*arcs, strict=True)
    return RoadGraph.from_arrays(lon, lat, src, dst, [60.0] * len(arcs))


def test_the_demo_fleet_covers_every_kind_and_sits_on_road_nodes(db_session: Session) -> None:
    load_tree_file(db_session, DEMO_ORG_FILE)
    graph = _grid()
    fleet = seed_demo_units(db_session, graph)
    kinds = Counter(u.kind for u in fleet)
    assert set(UnitKind) == set(kinds)
    assert kinds[UnitKind.DOLPHIN_PAIR] > kinds[UnitKind.AMBULANCE] > kinds[UnitKind.BOMB_DISPOSAL_ROBOT]
    nodes = set(zip(graph.lon.tolist(), graph.lat.tolist(), strict=True))
    inside = [u for u in fleet if u.lon is not None and u.lon >= 67.09]
    assert inside and all((u.lon, u.lat) in nodes for u in inside)
    # District South (Clifton, ~7 km west of this grid) is off the network: its units stay at base.
    outside = [u for u in fleet if u not in inside]
    assert outside and all((u.lon, u.lat) not in nodes for u in outside)
    assert {u.agency.value for u in fleet if u.kind is UnitKind.FIRE_TENDER} == {"fire_brigade"}
    assert seed_demo_units(db_session, graph) == []


def test_without_a_road_graph_units_wait_at_their_bases(db_session: Session) -> None:
    load_tree_file(db_session, DEMO_ORG_FILE)
    fleet = seed_demo_units(db_session, None)
    assert fleet and all(u.lon is not None and abs(u.lon - 67.2) < 0.2 for u in fleet)
