"""The built-in catalogue of incident types and their default response plans.

The catalogue is code so that a fresh database (or one whose seed never ran)
still knows what a robbery is; `seed_incident_types` copies it into the
``incident_types`` table, where an installation can rename or re-prioritise
types without a release. Plans here are defaults: supervisors override them
through the dispatch API.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from safecity.core.org import AgencyType

__all__ = [
    "DEFAULT_PLANS",
    "DEFAULT_TYPES",
    "PlanItemSpec",
    "Priority",
    "TypeSpec",
]


class Priority(enum.StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


@dataclass(frozen=True, slots=True)
class TypeSpec:
    code: str
    name: str
    name_ur: str
    priority: Priority
    agencies: tuple[AgencyType, ...]


@dataclass(frozen=True, slots=True)
class PlanItemSpec:
    """``count`` units of one of ``unit_kinds`` from ``agency`` holding every skill in ``skills``."""

    agency: AgencyType
    unit_kinds: tuple[str, ...]
    count: int
    skills: tuple[str, ...] = field(default=())
    only_if_suspicious: bool = False


_P, _R, _F, _T, _B, _C = (
    AgencyType.POLICE,
    AgencyType.RESCUE_1122,
    AgencyType.FIRE_BRIGADE,
    AgencyType.TRAFFIC_POLICE,
    AgencyType.BOMB_DISPOSAL,
    AgencyType.CIVIL_DEFENCE,
)

DEFAULT_TYPES: tuple[TypeSpec, ...] = (
    TypeSpec("robbery", "Robbery", "ڈکیتی", Priority.P1, (_P,)),
    TypeSpec("street_crime", "Street crime / snatching", "اسٹریٹ کرائم / چھینا جھپٹی", Priority.P2, (_P,)),
    TypeSpec("assault", "Assault", "حملہ", Priority.P2, (_P, _R)),
    TypeSpec("harassment_of_women", "Harassment of women", "خواتین کو ہراساں کرنا", Priority.P2, (_P,)),
    TypeSpec("kidnapping", "Kidnapping", "اغوا", Priority.P1, (_P,)),
    TypeSpec("missing_child", "Missing child", "لاپتہ بچہ", Priority.P1, (_P,)),
    TypeSpec("terrorism", "Terrorism / suspicious object", "دہشت گردی / مشکوک شے", Priority.P1, (_P, _B, _R)),
    TypeSpec("fire", "Fire", "آگ", Priority.P1, (_F, _R, _P)),
    TypeSpec("explosion", "Explosion", "دھماکہ", Priority.P1, (_F, _R, _P, _T, _B)),
    TypeSpec("building_collapse", "Building collapse", "عمارت گرنا", Priority.P1, (_R, _F, _C, _P)),
    TypeSpec("road_accident", "Road accident", "ٹریفک حادثہ", Priority.P2, (_R, _T, _P)),
    TypeSpec("riot", "Riot / public order", "ہنگامہ آرائی", Priority.P1, (_P,)),
    TypeSpec("medical_emergency", "Medical emergency", "طبی ایمرجنسی", Priority.P2, (_R,)),
    TypeSpec("traffic_obstruction", "Traffic obstruction", "ٹریفک میں رکاوٹ", Priority.P4, (_T,)),
    TypeSpec("domestic_violence", "Domestic violence", "گھریلو تشدد", Priority.P2, (_P,)),
    TypeSpec("burglary", "Burglary", "نقب زنی", Priority.P3, (_P,)),
    TypeSpec("drowning", "Drowning", "ڈوبنا", Priority.P1, (_R, _C)),
    TypeSpec("gas_leak", "Gas leak", "گیس کا اخراج", Priority.P2, (_F, _R, _C)),
    TypeSpec("anpr_hit", "ANPR watch-list hit", "اے این پی آر ہٹ", Priority.P2, (_P,)),
    TypeSpec("noise_nuisance", "Noise / nuisance", "شور / پریشانی", Priority.P4, (_P,)),
)


def _police(count: int = 1) -> PlanItemSpec:
    return PlanItemSpec(_P, ("response_car", "dolphin_pair", "patrol_van"), count)


_AMBULANCE = ("ambulance",)
_TENDER = ("fire_tender",)
_WARDEN = ("traffic_warden",)
_BOMB = ("bomb_disposal_robot",)
_CD_EYES = ("rescue_robot", "drone_team")  # civil defence's robots and drones: look before people go in

DEFAULT_PLANS: dict[str, tuple[PlanItemSpec, ...]] = {
    "robbery": (PlanItemSpec(_P, ("dolphin_pair",), 1), _police()),
    "street_crime": (PlanItemSpec(_P, ("dolphin_pair",), 1),),
    "assault": (_police(), PlanItemSpec(_R, _AMBULANCE, 1)),
    "harassment_of_women": (_police(),),
    "kidnapping": (PlanItemSpec(_P, ("dolphin_pair",), 2), _police(), PlanItemSpec(_P, ("drone_team",), 1)),
    "missing_child": (_police(2), PlanItemSpec(_P, ("drone_team",), 1)),
    "terrorism": (_police(2), PlanItemSpec(_B, _BOMB, 1), PlanItemSpec(_R, _AMBULANCE, 1)),
    "fire": (PlanItemSpec(_F, _TENDER, 2), PlanItemSpec(_R, _AMBULANCE, 1), _police()),
    "explosion": (
        PlanItemSpec(_F, _TENDER, 2),
        PlanItemSpec(_R, _AMBULANCE, 2),
        PlanItemSpec(_P, ("response_car",), 1),
        PlanItemSpec(_T, _WARDEN, 1),
        PlanItemSpec(_B, _BOMB, 1, only_if_suspicious=True),
    ),
    "building_collapse": (
        PlanItemSpec(_R, _AMBULANCE, 2),
        PlanItemSpec(_F, _TENDER, 1),
        PlanItemSpec(_C, ("rescue_team",), 1),
        PlanItemSpec(_C, _CD_EYES, 1),
        _police(),
    ),
    "road_accident": (PlanItemSpec(_R, _AMBULANCE, 1), PlanItemSpec(_T, _WARDEN, 1)),
    "riot": (_police(2), PlanItemSpec(_P, ("patrol_van",), 1), PlanItemSpec(_P, ("drone_team",), 1)),
    "medical_emergency": (PlanItemSpec(_R, _AMBULANCE, 1),),
    "traffic_obstruction": (PlanItemSpec(_T, _WARDEN, 1),),
    "domestic_violence": (_police(),),
    "burglary": (_police(),),
    "drowning": (PlanItemSpec(_R, _AMBULANCE, 1, skills=("water_rescue",)),),
    "gas_leak": (
        PlanItemSpec(_F, _TENDER, 1, skills=("hazmat",)),
        PlanItemSpec(_R, _AMBULANCE, 1),
        PlanItemSpec(_C, ("rescue_robot",), 1, skills=("gas_detection",)),
    ),
    "anpr_hit": (PlanItemSpec(_P, ("dolphin_pair", "response_car"), 1),),
    "noise_nuisance": (_police(),),
}
