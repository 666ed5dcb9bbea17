"""The records search's in-memory name index must forget names whose transaction rolled back.

The index is shared by every session of a worker and catches up by reading
rows above a watermark, so a search inside a transaction indexes that
transaction's flushed, uncommitted persons and aliases.  If the transaction
then rolls back, those names must not stay findable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safecity.core.org import OrgKind, OrgUnit
from safecity.identity import NameIndex
from safecity.records import search
from safecity.records.models import Person, PersonAlias


@pytest.fixture
def committed_person(engine: Engine) -> Iterator[int]:
    """A committed person (deleted afterwards, since this test's sessions really commit)."""
    search.reset_indexes()
    with Session(engine) as session:
        unit = OrgUnit(code=f"U-{uuid.uuid4().hex[:8]}", name="Test district", kind=OrgKind.PROVINCE)
        session.add(unit)
        session.flush()
        person = Person(org_unit_id=unit.id, name_roman="Qudratullah Baloch")
        session.add(person)
        session.commit()
        person_id, unit_id = person.id, unit.id
    yield person_id
    with Session(engine) as session:
        session.query(PersonAlias).filter_by(person_id=person_id).delete()
        session.query(Person).filter(Person.org_unit_id == unit_id).delete()
        session.query(OrgUnit).filter_by(id=unit_id).delete()
        session.commit()
    search.reset_indexes()


MATCH = 0.9
"""A score this high means the name itself is indexed (the index returns its best guesses anyway)."""


def _matched(index: search._WorkerIndex, name: str) -> set[int]:
    assert isinstance(index.names, NameIndex)
    return {int(m.key) for m in index.names.search(name, k=50) if m.score >= MATCH}


def _found(engine: Engine, name: str) -> set[int]:
    with Session(engine) as session:
        index = search._index_for(session)
        search._catch_up(session, index)
        return _matched(index, name)


def test_an_alias_from_a_rolled_back_transaction_is_not_found(engine: Engine, committed_person: int) -> None:
    assert committed_person in _found(engine, "Qudratullah Baloch")
    with Session(engine) as session:
        session.add(PersonAlias(person_id=committed_person, name_roman="Zorawar Kakar"))
        session.flush()
        index = search._index_for(session)
        search._catch_up(session, index)  # a search inside the transaction indexes the alias
        assert committed_person in _matched(index, "Zorawar Kakar")
        session.rollback()
    assert committed_person not in _found(engine, "Zorawar Kakar")
    assert committed_person in _found(engine, "Qudratullah Baloch")


def test_a_person_from_a_rolled_back_transaction_is_not_found(engine: Engine, committed_person: int) -> None:
    with Session(engine) as session:
        unit_id = session.get(Person, committed_person).org_unit_id  # type: ignore[union-attr]
        ghost = Person(org_unit_id=unit_id, name_roman="Shamsher Lashari")
        session.add(ghost)
        session.flush()
        ghost_id = ghost.id
        index = search._index_for(session)
        search._catch_up(session, index)
        assert ghost_id in _matched(index, "Shamsher Lashari")
        session.rollback()
    assert ghost_id not in _found(engine, "Shamsher Lashari")


def test_names_committed_after_a_rollback_are_found(engine: Engine, committed_person: int) -> None:
    with Session(engine) as session:
        session.add(PersonAlias(person_id=committed_person, name_roman="Zorawar Kakar"))
        session.flush()
        search._catch_up(session, search._index_for(session))
        session.rollback()
    with Session(engine) as session:
        session.add(PersonAlias(person_id=committed_person, name_roman="Dilawar Khosa"))
        session.commit()
    assert committed_person in _found(engine, "Dilawar Khosa")
