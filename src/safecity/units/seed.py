"""A realistic synthetic fleet for the demo city, placed at the demo stations.

Police stations get Dolphin motorcycle pairs and a response car (the larger
ones a patrol van too), Rescue 1122 stations ambulances, the Fire Brigade
tenders, the traffic section wardens, the bomb-disposal unit a robot
team, Civil Defence a rescue team and a gas-detecting rescue robot; a
police drone team works from Korangi. Units start at their base, snapped
onto the road network when a graph is given so the simulation can drive
them at once. Idempotent by call sign.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.core.org import AgencyType, OrgKind, OrgUnit
from safecity.roads import RoadGraph
from safecity.units import service
from safecity.units.models import Unit, UnitKind

__all__ = ["FleetSpec", "seed_demo_units"]


@dataclass(frozen=True, slots=True)
class FleetSpec:
    kind: UnitKind
    prefix: str
    count: int
    skills: tuple[str, ...]
    crew: tuple[str, ...]


_POLICE = (
    FleetSpec(UnitKind.DOLPHIN_PAIR, "DLF", 2, ("armed_response", "pursuit"), ("Constable", "Constable")),
    FleetSpec(
        UnitKind.RESPONSE_CAR, "RC", 1, ("armed_response", "first_aid"), ("ASI", "Constable", "Driver")
    ),
)
_BIG_STATIONS = {"KOR-KRG", "KOR-LND", "KOR-KIA", "MLR-BQS"}
_VAN = FleetSpec(UnitKind.PATROL_VAN, "PV", 1, ("crowd_control",), ("SI", "Constable", "Constable", "Driver"))
_BY_AGENCY: dict[AgencyType, tuple[FleetSpec, ...]] = {
    AgencyType.RESCUE_1122: (
        FleetSpec(UnitKind.AMBULANCE, "AMB", 3, ("paramedic", "bls"), ("EMT", "EMT", "Driver")),
        FleetSpec(UnitKind.AMBULANCE, "AMW", 1, ("paramedic", "water_rescue"), ("EMT", "Rescuer", "Driver")),
    ),
    AgencyType.FIRE_BRIGADE: (
        FleetSpec(
            UnitKind.FIRE_TENDER, "FT", 2, ("firefighting",), ("Fire officer", "Firefighter", "Firefighter")
        ),
        FleetSpec(
            UnitKind.FIRE_TENDER, "FTH", 1, ("firefighting", "hazmat"), ("Fire officer", "Firefighter")
        ),
    ),
    AgencyType.TRAFFIC_POLICE: (
        FleetSpec(UnitKind.TRAFFIC_WARDEN, "TW", 4, ("traffic_control",), ("Warden",)),
    ),
    AgencyType.BOMB_DISPOSAL: (
        FleetSpec(UnitKind.BOMB_DISPOSAL_ROBOT, "BDR", 1, ("eod", "robot"), ("BDU inspector", "Technician")),
    ),
    AgencyType.CIVIL_DEFENCE: (
        FleetSpec(
            UnitKind.RESCUE_TEAM, "CDR", 1, ("search_and_rescue",), ("Warden", "Volunteer", "Volunteer")
        ),
        FleetSpec(
            UnitKind.RESCUE_ROBOT,
            "CDRB",
            1,
            ("gas_detection", "robot", "search_and_rescue"),
            ("Operator", "Technician"),
        ),
    ),
}
_DRONE = FleetSpec(UnitKind.DRONE_TEAM, "DRN", 1, ("aerial_surveillance", "thermal"), ("Pilot", "Observer"))
_DRONE_BASE = "KOR-KRG"


def _specs(base: OrgUnit) -> tuple[FleetSpec, ...]:
    if base.kind is OrgKind.STATION:
        extra = ((_VAN,) if base.code in _BIG_STATIONS else ()) + (
            (_DRONE,) if base.code == _DRONE_BASE else ()
        )
        return _POLICE + extra
    if base.kind is OrgKind.AGENCY:
        return _BY_AGENCY.get(base.agency, ())
    return ()


# A base further than this from every road node is outside the loaded network: its units stay put
# rather than being "snapped" kilometres away onto the edge of someone else's map.
_MAX_SNAP_M = 1500.0


def _place(base: OrgUnit, n: int, graph: RoadGraph | None) -> tuple[float, float]:
    """A few tens of metres apart around the base (a yard), then onto the nearest road node."""
    assert base.lon is not None and base.lat is not None
    lon, lat = base.lon + 0.0004 * (n % 3 - 1), base.lat + 0.0004 * (n // 3 % 3 - 1)
    if graph is None:
        return round(lon, 6), round(lat, 6)
    nodes, gaps = graph.snap_many([lon], [lat])
    if float(gaps[0]) > _MAX_SNAP_M:
        return round(lon, 6), round(lat, 6)
    node = int(nodes[0])
    return float(graph.lon[node]), float(graph.lat[node])


def seed_demo_units(session: Session, graph: RoadGraph | None = None) -> list[Unit]:
    """Create the demo fleet (missing call signs only); returns the units created."""
    bases = session.scalars(
        select(OrgUnit).where(OrgUnit.lon.is_not(None), OrgUnit.lat.is_not(None)).order_by(OrgUnit.code)
    )
    taken = set(session.scalars(select(Unit.call_sign)))
    created: list[Unit] = []
    for base in bases:
        n = 0
        agency = base.agency
        for spec in _specs(base):
            for i in range(1, spec.count + 1):
                call_sign = f"{spec.prefix}-{base.code}-{i}"
                n += 1
                if call_sign in taken:
                    continue
                lon, lat = _place(base, n, graph)
                unit = service.create_unit(
                    session,
                    call_sign=call_sign,
                    kind=spec.kind,
                    agency=agency,
                    home_station=base.code,
                    actor=None,
                    crew=spec.crew,
                    skills=spec.skills,
                    lon=lon,
                    lat=lat,
                )
                created.append(unit)
    return created
