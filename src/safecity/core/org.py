"""The organisation tree: province → region → district → police station, plus agencies.

The hierarchy is data, not code: a province loads its own tree from a TOML
file (`safecity org load`), so Punjab's 712 stations or Sindh's Korangi
district are configuration. Agencies (Rescue 1122, Fire Brigade, …) hang
under the level they serve, so district scoping covers them too.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Float, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from safecity.core.db import Base, enum_type
from safecity.core.errors import InvalidInput, NotFound

__all__ = [
    "AgencyType",
    "OrgKind",
    "OrgUnit",
    "descendant_ids",
    "get_unit",
    "load_tree",
    "load_tree_file",
]


class OrgKind(enum.StrEnum):
    PROVINCE = "province"
    REGION = "region"
    DISTRICT = "district"
    STATION = "station"
    AGENCY = "agency"


class AgencyType(enum.StrEnum):
    POLICE = "police"
    RESCUE_1122 = "rescue_1122"
    FIRE_BRIGADE = "fire_brigade"
    TRAFFIC_POLICE = "traffic_police"
    BOMB_DISPOSAL = "bomb_disposal"
    CIVIL_DEFENCE = "civil_defence"
    SAFE_CITY_AUTHORITY = "safe_city_authority"


_CHILD_KINDS: dict[OrgKind, set[OrgKind]] = {
    OrgKind.PROVINCE: {OrgKind.REGION, OrgKind.AGENCY},
    OrgKind.REGION: {OrgKind.DISTRICT, OrgKind.AGENCY},
    OrgKind.DISTRICT: {OrgKind.STATION, OrgKind.AGENCY},
    OrgKind.STATION: set(),
    OrgKind.AGENCY: {OrgKind.AGENCY},
}


class OrgUnit(Base):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ur: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[OrgKind] = mapped_column(enum_type(OrgKind, 20))
    agency: Mapped[AgencyType] = mapped_column(enum_type(AgencyType, 30), default=AgencyType.POLICE)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))


def get_unit(session: Session, *, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise NotFound(f"no organisation unit with code {code!r}", field="code")
    return unit


def descendant_ids(session: Session, root_ids: Iterable[int]) -> set[int]:
    """The given units and everything below them (the reach of a membership)."""
    rows = session.execute(select(OrgUnit.id, OrgUnit.parent_id)).all()
    children: dict[int, list[int]] = {}
    for unit_id, parent_id in rows:
        if parent_id is not None:
            children.setdefault(parent_id, []).append(unit_id)
    seen: set[int] = set()
    stack = list(root_ids)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(children.get(current, ()))
    return seen


def _upsert(session: Session, node: Mapping[str, Any], parent: OrgUnit | None, path: str) -> OrgUnit:
    try:
        kind = OrgKind(node["kind"])
        code = str(node["code"])
        name = str(node["name"])
    except KeyError as exc:
        raise InvalidInput(f"{path}: missing key {exc.args[0]!r}", field=f"{path}.{exc.args[0]}") from exc
    except ValueError as exc:
        raise InvalidInput(f"{path}: unknown kind {node.get('kind')!r}", field=f"{path}.kind") from exc
    if parent is None and kind is not OrgKind.PROVINCE:
        raise InvalidInput(f"{path}: a {kind} needs a parent", field=f"{path}.parent")
    if parent is not None and kind not in _CHILD_KINDS[parent.kind]:
        raise InvalidInput(f"{path}: a {kind} cannot sit under a {parent.kind}", field=f"{path}.kind")
    try:
        agency = AgencyType(node.get("agency", parent.agency if parent else AgencyType.POLICE))
    except ValueError as exc:
        raise InvalidInput(f"{path}: unknown agency {node.get('agency')!r}", field=f"{path}.agency") from exc
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        unit = OrgUnit(code=code, kind=kind, name=name)
        session.add(unit)
    unit.name, unit.kind, unit.agency = name, kind, agency
    unit.name_ur = node.get("name_ur")
    unit.lon, unit.lat = node.get("lon"), node.get("lat")
    unit.address = node.get("address")
    unit.parent_id = parent.id if parent else None
    session.flush()
    return unit


def load_tree(session: Session, units: Sequence[Mapping[str, Any]]) -> list[OrgUnit]:
    """Create or update units from a flat list (each names its ``parent`` code); idempotent by ``code``.

    A parent must appear before its children, as in a printed organisation chart.
    """
    loaded: dict[str, OrgUnit] = {}
    for i, node in enumerate(units):
        parent_code = node.get("parent")
        parent = None
        if parent_code is not None:
            parent = loaded.get(str(parent_code)) or session.scalar(
                select(OrgUnit).where(OrgUnit.code == str(parent_code))
            )
            if parent is None:
                raise InvalidInput(f"units[{i}]: unknown parent {parent_code!r}", field=f"units[{i}].parent")
        unit = _upsert(session, node, parent, f"units[{i}]")
        loaded[unit.code] = unit
    return list(loaded.values())


def load_tree_file(session: Session, path: Path) -> list[OrgUnit]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"cannot read organisation file {path}: {exc}", field="file") from exc
    return load_tree(session, doc.get("units", []))
