from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from safecity.core.org import AgencyType, OrgKind


class OrgUnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    name_ur: str | None
    kind: OrgKind
    agency: AgencyType
    parent_id: int | None
    lon: float | None
    lat: float | None
