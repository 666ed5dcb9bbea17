"""The knobs of the simulated city and what one step of it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from safecity.units.models import UnitKind

__all__ = ["SimulationConfig", "StepReport", "write_lock_first"]


def write_lock_first(session: Session) -> None:
    """On SQLite, take the write lock when a step begins, waiting for it (``busy_timeout``).

    A step reads, then writes. SQLite refuses at once — "database is locked",
    no waiting — to turn a read snapshot into a write once another writer
    (the outbox relay, a dispatcher, the other simulation) has committed
    since; taking the lock up front makes the step wait its turn instead.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    calls_per_hour: float = 30.0  # the city-wide average; the hour of day scales it
    warm_start_calls: int = 3  # so that the map is busy from the first minute of a demo
    auto_dispatch_share: float = 0.6
    dispatcher_grace_s: float = 120.0  # how long a call waits for a person before the simulation sends units
    avl_interval_s: float = 5.0
    scene_minutes: tuple[float, float] = (6.0, 20.0)
    blue_light_pace: float = 1.3  # on blue lights, faster than the free-flow road time
    patrol_pace: float = 0.55  # patrolling, slower than the traffic
    patrol_kinds: frozenset[UnitKind] = frozenset({UnitKind.DOLPHIN_PAIR, UnitKind.PATROL_VAN})
    patrol_radius_m: float = 2500.0
    max_fixes_per_step: int = 30
    bbox: tuple[float, float, float, float] = (66.6, 24.6, 67.8, 25.3)


@dataclass(slots=True)
class StepReport:
    at: datetime
    calls: int = 0
    incidents_opened: int = 0
    duplicates_linked: int = 0
    dispatched_units: int = 0
    patrols: int = 0
    fixes: int = 0
    arrived: int = 0
    cleared: int = 0
    closed: int = 0
    skipped: list[str] = field(default_factory=list)
