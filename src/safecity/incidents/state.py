"""The incident life cycle: which status may follow which.

Field progress (dispatched → en route → on scene) can skip a step because a
unit may report "on scene" without ever pressing "en route"; it never goes
backwards. Closing needs a cleared incident; cancelling is possible until
someone is on scene.
"""

from __future__ import annotations

from safecity.core.errors import Conflict
from safecity.incidents.models import IncidentStatus

__all__ = ["OPEN_STATUSES", "InvalidTransition", "check_transition", "is_progress"]

S = IncidentStatus

_ALLOWED: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    S.NEW: frozenset({S.DISPATCHED, S.CANCELLED}),
    S.DISPATCHED: frozenset({S.EN_ROUTE, S.ON_SCENE, S.CLEARED, S.CANCELLED}),
    S.EN_ROUTE: frozenset({S.ON_SCENE, S.CLEARED, S.CANCELLED}),
    S.ON_SCENE: frozenset({S.CLEARED}),
    S.CLEARED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

_ORDER = [S.NEW, S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE, S.CLEARED, S.CLOSED]

OPEN_STATUSES = frozenset({S.NEW, S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE})


class InvalidTransition(Conflict):
    """The incident's current status does not allow the requested one."""


def check_transition(current: IncidentStatus, wanted: IncidentStatus) -> None:
    if wanted not in _ALLOWED[current]:
        allowed = ", ".join(sorted(s.value for s in _ALLOWED[current])) or "nothing (final)"
        raise InvalidTransition(
            f"an incident that is {current.value} cannot become {wanted.value}; allowed: {allowed}",
            field="status",
        )


def is_progress(current: IncidentStatus, reported: IncidentStatus) -> bool:
    """True when a unit's report moves the incident forward (never backwards, never past on scene)."""
    if current not in OPEN_STATUSES or reported not in (S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE):
        return False
    return _ORDER.index(reported) > _ORDER.index(current)
