"""Queries of the duplicate review queue (the only place in it that builds SQL)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.core.org import OrgKind, OrgUnit
from safecity.records.duplicates_models import DuplicateCandidate, DuplicateStatus
from safecity.records.models import Person

__all__ = ["DuplicateRepository"]


class DuplicateRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def live_persons(self, scope: Collection[int]) -> list[Person]:
        """Persons in scope that have not been merged into another record."""
        stmt = select(Person).where(Person.org_unit_id.in_(scope), Person.merged_into_id.is_(None))
        return list(self.session.scalars(stmt.order_by(Person.id)))

    def persons(self, ids: Collection[int]) -> dict[int, Person]:
        if not ids:
            return {}
        return {p.id: p for p in self.session.scalars(select(Person).where(Person.id.in_(ids)))}

    def district_of_units(self) -> dict[int, int]:
        """Each org unit's district (itself for a district; a station's nearest district ancestor)."""
        rows = self.session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.kind)).all()
        parent = {r.id: r.parent_id for r in rows}
        kind = {r.id: r.kind for r in rows}
        result: dict[int, int] = {}
        for unit_id in parent:
            node: int | None = unit_id
            while node is not None and kind.get(node) != OrgKind.DISTRICT:
                node = parent.get(node)
            result[unit_id] = node if node is not None else unit_id
        return result

    def existing_pairs(self) -> dict[tuple[int, int], DuplicateCandidate]:
        return {(c.person_a_id, c.person_b_id): c for c in self.session.scalars(select(DuplicateCandidate))}

    def candidate(self, candidate_id: int) -> DuplicateCandidate | None:
        return self.session.get(DuplicateCandidate, candidate_id)

    def queue(self, status: DuplicateStatus | None, scope: Collection[int]) -> Sequence[DuplicateCandidate]:
        """Proposals whose first person is in scope (both are, when the scan was scoped)."""
        stmt = (
            select(DuplicateCandidate)
            .join(Person, Person.id == DuplicateCandidate.person_a_id)
            .where(Person.org_unit_id.in_(scope))
        )
        if status is not None:
            stmt = stmt.where(DuplicateCandidate.status == status)
        order = (DuplicateCandidate.probability.desc(), DuplicateCandidate.id)
        return list(self.session.scalars(stmt.order_by(*order)))
