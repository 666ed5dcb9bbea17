"""Everything the living demo city needs beyond the organisation and the logins.

`seed_demo` (in `seed`) is what every test database gets; this adds what only
``safecity demo`` wants: the incident-type catalogue in its table, the
landmarks callers name, the fleet at the real stations of the demo
organisation (on the road network), the machine account the simulation
acts as — so that the audit log says plainly which actions were synthetic —
and the synthetic registers (`registers`: persons, FIRs, cameras, vehicles,
the stolen-vehicle list).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from safecity.calls.places import seed_places
from safecity.core.auth import Role, User
from safecity.demo.registers import RegisterSeed, seed_registers
from safecity.demo.seed import machine_user
from safecity.incidents import service as incidents
from safecity.roads import RoadGraph
from safecity.units.seed import seed_demo_units

__all__ = ["SIMULATION_USER", "CitySeed", "seed_demo_city", "simulation_user"]

SIMULATION_USER = "city-sim"


@dataclass(frozen=True, slots=True)
class CitySeed:
    incident_types: int
    places: int
    units: int
    registers: RegisterSeed


def simulation_user(session: Session) -> User:
    """The machine account the simulation takes calls and dispatches as (created when missing)."""
    return machine_user(
        session,
        SIMULATION_USER,
        "Demo city simulation (synthetic calls and dispatches)",
        (Role.DISPATCHER, Role.OPERATOR),
    )


def seed_demo_city(session: Session, graph: RoadGraph | None) -> CitySeed:
    """Idempotent: each part adds only what is missing; returns how many of each were added."""
    types = incidents.seed_incident_types(session)
    places = seed_places(session)
    fleet = seed_demo_units(session, graph)
    simulation_user(session)
    registers = seed_registers(session, graph)
    return CitySeed(incident_types=types, places=places, units=len(fleet), registers=registers)
