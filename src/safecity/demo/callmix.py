"""What the synthetic city's callers report, when, and from where.

The shape follows what emergency lines see everywhere and what Karachi's
Madadgar-15 / Rescue 1122 public summaries describe in outline: street crime
and road accidents dominate, crime peaks in the evening and late night, road
accidents in the rush hours, fires and gas leaks in the working day and at
cooking times, and the gravest types (explosion, collapse, terrorism) are rare.
The numbers are hand-set for a believable demo, not fitted to any data set,
and every call made from them is marked synthetic.

Places: the demo landmarks (`safecity.calls.places.DEMO_PLACES`) and the
stations, each with a kind (industrial, junction, market, harbour…) that
makes some types likelier there — a boiler explosion in Korangi Industrial
Area, a drowning at Ibrahim Hyderi harbour, a snatching at a chowrangi.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from safecity.calls.models import CallLanguage
from safecity.calls.places import DEMO_PLACES

__all__ = [
    "CALLER_PREFIX",
    "Anchor",
    "CallPlan",
    "anchors",
    "calls_per_hour",
    "describe",
    "plan_call",
    "type_weights",
]

# "+92 000 …" is not a number any Pakistani operator issues (mobiles start 03xx, land lines
# with an area code 021, 042 …), so a synthetic caller can never be mistaken for a person.
CALLER_PREFIX = "+92 000 "

# Relative call volume by local hour, 00:00 … 23:00 (mean ≈ 1).
_VOLUME = (
    0.90, 0.70, 0.50, 0.40, 0.35, 0.40, 0.55, 0.80, 1.00, 1.00, 1.00, 1.05,
    1.10, 1.05, 1.00, 1.05, 1.15, 1.30, 1.45, 1.55, 1.55, 1.45, 1.30, 1.10,
)  # fmt: skip


def _bump(hour: int, centre: float, width: float) -> float:
    """A smooth daily peak (wraps round midnight)."""
    d = min(abs(hour - centre), 24 - abs(hour - centre))
    return math.exp(-0.5 * (d / width) ** 2)


def _evening(h: int) -> float:
    return 0.4 + 1.4 * _bump(h, 21, 3)


def _night(h: int) -> float:
    return 0.3 + 1.5 * _bump(h, 2, 2.5)


def _rush(h: int) -> float:
    return 0.5 + 1.2 * _bump(h, 9, 1.5) + 1.4 * _bump(h, 18.5, 1.8)


def _workday(h: int) -> float:
    return 0.4 + 1.2 * _bump(h, 13, 3.5)


def _cooking(h: int) -> float:
    return 0.5 + 0.9 * _bump(h, 7.5, 1.5) + 1.1 * _bump(h, 19.5, 1.5)


def _flat(h: int) -> float:
    return 1.0


# type code -> (share of calls, how the share moves through the day)
_MIX = {
    "street_crime": (22.0, _evening),
    "road_accident": (16.0, _rush),
    "medical_emergency": (14.0, _flat),
    "traffic_obstruction": (8.0, _rush),
    "robbery": (7.0, _evening),
    "assault": (6.0, _evening),
    "harassment_of_women": (5.0, _evening),
    "domestic_violence": (5.0, _night),
    "burglary": (4.0, _night),
    "fire": (4.0, _workday),
    "noise_nuisance": (3.0, _night),
    "gas_leak": (2.0, _cooking),
    "missing_child": (2.0, _workday),
    "riot": (0.8, _workday),
    "kidnapping": (0.7, _evening),
    "drowning": (0.6, _workday),
    "terrorism": (0.5, _flat),
    "explosion": (0.3, _workday),
    "building_collapse": (0.3, _flat),
}

# place kind -> type code -> how much likelier the type is there
_AFFINITY = {
    "industrial": {"fire": 5.0, "explosion": 8.0, "gas_leak": 3.0, "building_collapse": 2.0, "riot": 2.0},
    "junction": {"road_accident": 5.0, "traffic_obstruction": 5.0, "street_crime": 2.0, "riot": 1.5},
    "market": {"street_crime": 3.0, "robbery": 3.0, "harassment_of_women": 2.5, "riot": 2.0, "fire": 1.5},
    "harbour": {"drowning": 20.0, "assault": 1.5},
    "port": {"road_accident": 3.0, "traffic_obstruction": 3.0, "explosion": 2.0},
    "station": {"street_crime": 2.0, "harassment_of_women": 2.0, "missing_child": 2.0},
    "neighbourhood": {"domestic_violence": 3.0, "burglary": 3.0, "missing_child": 2.0, "noise_nuisance": 3.0},
}
_SUSPICIOUS = {"explosion": 0.3, "terrorism": 1.0}
_LANGUAGES = (
    (CallLanguage.URDU, 0.68),
    (CallLanguage.SINDHI, 0.10),
    (CallLanguage.PASHTO, 0.10),
    (CallLanguage.PUNJABI, 0.06),
    (CallLanguage.ENGLISH, 0.06),
)
_WHAT = {
    "street_crime": "two men on a motorcycle snatched a mobile phone",
    "road_accident": "collision between a rickshaw and a car, one person hurt",
    "medical_emergency": "elderly man collapsed, breathing with difficulty",
    "traffic_obstruction": "broken-down truck blocking two lanes",
    "robbery": "armed men robbed a shop and fled",
    "assault": "fight outside a hotel, one man bleeding",
    "harassment_of_women": "a woman followed and harassed by a group of men",
    "domestic_violence": "neighbours hear screaming from a house",
    "burglary": "house broken into while the family was away",
    "fire": "smoke and flames from a factory godown",
    "noise_nuisance": "loudspeakers at a wedding late at night",
    "gas_leak": "strong smell of gas in a residential block",
    "missing_child": "a seven-year-old boy has not come home from school",
    "riot": "crowd blocking the road and throwing stones",
    "kidnapping": "a man forced into a car by armed men",
    "drowning": "a boy swept off the jetty",
    "terrorism": "unattended bag left near a crowded stop",
    "explosion": "loud blast at a factory, boiler suspected, people trapped",
    "building_collapse": "part of an old building has collapsed",
}


@dataclass(frozen=True, slots=True)
class Anchor:
    name: str
    kind: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class CallPlan:
    type_code: str
    anchor: Anchor
    lon: float
    lat: float
    language: CallLanguage
    caller_number: str
    suspicious: bool


def anchors(stations: Sequence[tuple[str, float, float]]) -> list[Anchor]:
    """The demo landmarks plus the given ``(name, lon, lat)`` stations."""
    found = [Anchor(name, kind, lon, lat) for name, _, kind, lon, lat in DEMO_PLACES]
    found += [Anchor(f"near {name} police station", "station", lon, lat) for name, lon, lat in stations]
    return found


def calls_per_hour(average: float, local_hour: int) -> float:
    return average * _VOLUME[local_hour % 24]


def type_weights(local_hour: int, known: set[str] | None = None) -> dict[str, float]:
    """Share of each type at this hour (normalised); ``known`` limits it to the installed types."""
    raw = {code: share * curve(local_hour) for code, (share, curve) in _MIX.items()}
    if known is not None:
        raw = {code: w for code, w in raw.items() if code in known}
    total = sum(raw.values())
    return {code: w / total for code, w in raw.items()}


def _choose(rng: np.random.Generator, weights: Sequence[float]) -> int:
    p = np.asarray(weights, dtype=np.float64)
    return int(rng.choice(len(p), p=p / p.sum()))


def plan_call(
    rng: np.random.Generator, local_hour: int, places: Sequence[Anchor], known: set[str] | None = None
) -> CallPlan:
    """One caller: a type for the hour, a place that suits it, a spot a few hundred metres off it."""
    weights = type_weights(local_hour, known)
    codes = sorted(weights)
    code = codes[_choose(rng, [weights[c] for c in codes])]
    anchor = places[_choose(rng, [_AFFINITY.get(a.kind, {}).get(code, 1.0) for a in places])]
    spread_m = 150.0 if anchor.kind == "harbour" else 450.0
    dx, dy = rng.normal(0.0, spread_m, 2)
    lat = anchor.lat + dy / 111_320.0
    lon = anchor.lon + dx / (111_320.0 * math.cos(math.radians(anchor.lat)))
    language = _LANGUAGES[_choose(rng, [w for _, w in _LANGUAGES])][0]
    number = f"{CALLER_PREFIX}{int(rng.integers(0, 10_000_000)):07d}"
    suspicious = bool(rng.random() < _SUSPICIOUS.get(code, 0.0))
    return CallPlan(code, anchor, lon, lat, language, number, suspicious)


def describe(plan: CallPlan) -> str:
    what = _WHAT.get(plan.type_code, plan.type_code.replace("_", " "))
    return f"[synthetic demo call] {what}, {plan.anchor.name}"
