"""Travel speeds for OSM highway classes when a file carries no travel times.

The defaults are free-flow *urban* speeds for Pakistani cities, deliberately
below the legal limits: Karachi's and Lahore's arterials rarely run at their
posted 60-80 km/h, and a dispatch ETA that is too optimistic sends the wrong
unit. A tagged ``maxspeed`` wins over the table because it is the only local
evidence we have; it is capped by nothing, exactly as OSMnx does.

| class                    | km/h | why                                          |
|--------------------------|------|----------------------------------------------|
| motorway (M-2, M-9 …)    | 100  | access-controlled, limit 120                 |
| trunk (N-5, N-25 …)      | 70   | national highways through built-up areas     |
| primary                  | 50   | main city arterials (Shahrah-e-Faisal class) |
| secondary                | 40   |                                              |
| tertiary                 | 35   |                                              |
| unclassified / road      | 30   |                                              |
| residential              | 25   | mohalla streets, speed breakers              |
| service / track          | 15   |                                              |
| living_street            | 10   |                                              |
| ``*_link``               | 0.7 × parent class                          ||
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

__all__ = [
    "CLASS_IMPORTANCE",
    "DEFAULT_SPEED_KPH",
    "SPEED_KPH",
    "importance",
    "main_class",
    "parse_maxspeed",
    "speed_kph",
]

SPEED_KPH: dict[str, float] = {
    "motorway": 100.0,
    "trunk": 70.0,
    "primary": 50.0,
    "secondary": 40.0,
    "tertiary": 35.0,
    "unclassified": 30.0,
    "road": 30.0,
    "busway": 40.0,
    "residential": 25.0,
    "service": 15.0,
    "track": 15.0,
    "living_street": 10.0,
}
for _parent in ("motorway", "trunk", "primary", "secondary", "tertiary"):
    SPEED_KPH[f"{_parent}_link"] = round(0.7 * SPEED_KPH[_parent], 1)

DEFAULT_SPEED_KPH = 25.0

# Lower number = more important road; used to pick one class for merged edges
# and to thin a basemap at small scales.
CLASS_IMPORTANCE: dict[str, int] = {
    "motorway": 0,
    "trunk": 1,
    "primary": 2,
    "secondary": 3,
    "tertiary": 4,
    "motorway_link": 5,
    "trunk_link": 5,
    "primary_link": 5,
    "secondary_link": 6,
    "tertiary_link": 6,
    "unclassified": 7,
    "road": 7,
    "busway": 7,
    "residential": 8,
    "living_street": 9,
    "service": 9,
    "track": 10,
}
_UNKNOWN_IMPORTANCE = 11

_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(mph|knots)?", re.IGNORECASE)
_LIST_ITEM = re.compile(r"[^\[\]',;|]+")


def _items(value: str) -> list[str]:
    """OSMnx writes merged attributes as Python list literals; OSM uses ';'."""
    return [part.strip() for part in _LIST_ITEM.findall(value) if part.strip()]


@functools.lru_cache(maxsize=1024)
def main_class(value: str | None) -> str:
    """The most important class of a possibly merged ``highway`` value."""
    if not value:
        return ""
    items = _items(value)
    if not items:
        return ""
    return min(items, key=lambda item: CLASS_IMPORTANCE.get(item, _UNKNOWN_IMPORTANCE))


def parse_maxspeed(value: str | None) -> float | None:
    """Mean of the numeric speeds in a ``maxspeed`` value, in km/h; None if there is none."""
    if not value:
        return None
    speeds: list[float] = []
    for item in _items(value):
        match = _NUMBER.search(item)
        if match is None:
            continue
        kph = float(match.group(1))
        unit = (match.group(2) or "").lower()
        if unit == "mph":
            kph *= 1.609344
        elif unit == "knots":
            kph *= 1.852
        if kph > 0:
            speeds.append(kph)
    if not speeds:
        return None
    return sum(speeds) / len(speeds)


def speed_kph(highway: str | None, maxspeed: str | None) -> float:
    """Speed used to turn a length into a travel time."""
    tagged = parse_maxspeed(maxspeed)
    if tagged is not None:
        return tagged
    return SPEED_KPH.get(main_class(highway), DEFAULT_SPEED_KPH)


def importance(classes: Iterable[str]) -> list[int]:
    return [CLASS_IMPORTANCE.get(name, _UNKNOWN_IMPORTANCE) for name in classes]
