"""Ranked person search with a per-field explanation of every score.

Candidates come from an in-process `NameIndex` per worker (names and
aliases; a second index for father's/husband's names), from CNIC fragments
and from phone numbers. Every candidate is then re-scored against the
names *as stored now*, so a stale index entry can cost recall but never
shows a wrong score.

Multi-worker caveat: each worker process keeps its own index, built lazily
from the database on its first search and brought up to date before every
search by pulling persons and aliases whose id is above its watermark. So a
person written by any worker is found by every worker's next search, but an
*edited* name (same id) is only seen by a worker after it rebuilds (a
restart, or `reset_indexes()`); with many workers and heavy editing, move
the index into a shared service. Memory: about the size of the names, per
worker.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, UOWTransaction

from safecity.accounts.service import actor_of
from safecity.core import audit
from safecity.core.auth import User, scope_ids
from safecity.core.errors import InvalidInput
from safecity.core.http import current_request_id
from safecity.core.org import descendant_ids
from safecity.records.models import Person, PersonAlias
from safecity.records.normalise import normalise_phone
from safecity.records.purpose import require_purpose
from safecity.records.repository import RecordsRepository
from safecity.records.schemas import FieldScore, PersonHit, SearchOut

try:  # the identity package is the preferred matcher; rapidfuzz keeps search working without it
    from safecity.identity import NameIndex
except ImportError:  # pragma: no cover - exercised only in a stripped-down install
    NameIndex = None  # type: ignore[assignment,misc]

__all__ = ["WEIGHTS", "reset_indexes", "search_persons"]

WEIGHTS = {"name": 0.5, "father_name": 0.2, "cnic": 0.2, "phone": 0.1}
_CANDIDATES = 200
_BATCH = 50_000
_MATCHER = "safecity.identity.NameIndex" if NameIndex is not None else "rapidfuzz.token_sort_ratio"


@dataclass
class _WorkerIndex:
    names: object | None = None
    relatives: object | None = None
    last_person_id: int = 0
    last_alias_id: int = 0
    size: int = 0
    last_names: tuple[str | None, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock)


_INDEXES: dict[str, _WorkerIndex] = {}
_INDEXES_LOCK = threading.Lock()


def reset_indexes() -> None:
    """Forget every worker index (tests; after bulk edits of names)."""
    with _INDEXES_LOCK:
        _INDEXES.clear()


def _url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _index_for(session: Session) -> _WorkerIndex:
    url = _url_of(session.get_bind().engine)
    with _INDEXES_LOCK:
        return _INDEXES.setdefault(url, _WorkerIndex())


# A search inside a transaction indexes that transaction's flushed persons and aliases (the index
# reads rows above its watermark through the caller's session).  If the transaction then rolls
# back, those names would stay findable -- and, where ids are reused (SQLite), a later committed
# alias under the same id would never be indexed.  So a connection that flushed person or alias
# rows is marked, and when it rolls back (the whole transaction or a savepoint) the index of that
# database is dropped and rebuilt on the next search; commits clear the mark.
_PERSON_WRITES = "safecity.records.search.person_writes"


@event.listens_for(Session, "after_flush")
def _mark_person_writes(session: Session, _flush: UOWTransaction) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, (Person, PersonAlias)) for obj in changed):
        session.connection().info[_PERSON_WRITES] = True


@event.listens_for(Engine, "commit")
def _clear_person_writes(connection: Connection) -> None:
    connection.info.pop(_PERSON_WRITES, None)


@event.listens_for(Engine, "rollback")
def _drop_index_after_rollback(connection: Connection) -> None:
    if connection.info.pop(_PERSON_WRITES, False):
        with _INDEXES_LOCK:
            _INDEXES.pop(_url_of(connection.engine), None)


@event.listens_for(Engine, "rollback_savepoint")
def _drop_index_after_savepoint_rollback(connection: Connection, _name: str, _context: object) -> None:
    if connection.info.get(_PERSON_WRITES, False):  # the outer transaction may still commit its own rows
        with _INDEXES_LOCK:
            _INDEXES.pop(_url_of(connection.engine), None)


def _pairs(person_id: int, *names: str | None) -> Iterable[tuple[str, str]]:
    return ((str(person_id), n) for n in names if n and n.strip())


def _catch_up(session: Session, index: _WorkerIndex) -> None:
    """Pull persons and aliases written since the watermark (by any worker) into the index."""
    if NameIndex is None:
        return
    repo = RecordsRepository(session)
    with index.lock:
        if (
            index.names is not None
            and index.last_person_id
            and (repo.person_names_of(index.last_person_id) != index.last_names)
        ):
            # ids were reused (a rolled-back transaction) or the last row changed: start again
            index.names = None
            index.last_person_id = index.last_alias_id = index.size = 0
        if index.names is None:
            index.names, index.relatives = NameIndex(), NameIndex()
        names, relatives = index.names, index.relatives
        assert isinstance(names, NameIndex) and isinstance(relatives, NameIndex)
        while rows := repo.person_names_after(index.last_person_id, _BATCH):
            name_pairs: list[tuple[str, str]] = []
            relative_pairs: list[tuple[str, str]] = []
            for pid, roman, urdu, rel_roman, rel_urdu in rows:
                name_pairs.extend(_pairs(pid, roman, urdu))
                relative_pairs.extend(_pairs(pid, rel_roman, rel_urdu))
            names.add_many(name_pairs)
            relatives.add_many(relative_pairs)
            index.last_person_id = int(rows[-1][0])
            index.last_names = tuple(rows[-1][1:])
            index.size += len(rows)
        aliases = repo.alias_names_after(index.last_alias_id)
        for _alias_id, pid, roman, urdu in aliases:
            names.add_many(_pairs(pid, roman, urdu))
        if aliases:
            index.last_alias_id = int(aliases[-1][0])


def _index_candidates(index: object | None, query: str) -> list[int]:
    if NameIndex is None or not isinstance(index, NameIndex) or len(index) == 0:
        return []
    return [int(m.key) for m in index.search(query, k=_CANDIDATES)]


def _name_scores(query: str, names: dict[int, list[str]]) -> dict[int, float]:
    """Similarity of ``query`` to each candidate's current names (best alias wins)."""
    if NameIndex is not None:
        local = NameIndex()
        local.add_many((str(pid), n) for pid, ns in names.items() for n in ns if n.strip())
        if len(local) == 0:
            return {}
        return {int(m.key): float(m.score) for m in local.search(query, k=len(local))}
    folded = query.casefold()
    return {
        pid: max((fuzz.token_sort_ratio(folded, n.casefold()) / 100.0 for n in ns), default=0.0)
        for pid, ns in names.items()
    }


def _fragment_score(fragment: str, values: Iterable[str]) -> tuple[float, str | None]:
    best: tuple[float, str | None] = (0.0, None)
    for value in values:
        if fragment and fragment in value and len(fragment) / len(value) > best[0]:
            best = (len(fragment) / len(value), value)
    return best


@dataclass(frozen=True)
class _Query:
    name: str | None
    father_name: str | None
    cnic: str | None
    phone: str | None
    district: str | None


def _parse(
    name: str | None, father_name: str | None, cnic: str | None, phone: str | None, district: str | None
) -> _Query:
    def clean(value: str | None) -> str | None:
        return value.strip() if value and value.strip() else None

    cnic_digits = "".join(ch for ch in cnic if ch.isdigit()) if cnic else None
    if cnic and not cnic_digits:
        raise InvalidInput("a CNIC fragment must contain digits", field="cnic")
    phone_digits = normalise_phone(phone) if phone and len([c for c in phone if c.isdigit()]) >= 7 else None
    if phone and phone_digits is None:
        phone_digits = "".join(ch for ch in phone if ch.isdigit()) or None
        if phone_digits is None or len(phone_digits) < 4:
            raise InvalidInput("a phone fragment needs at least 4 digits", field="phone")
    query = _Query(clean(name), clean(father_name), cnic_digits, phone_digits, clean(district))
    if not (query.name or query.father_name or query.cnic or query.phone):
        raise InvalidInput("give at least one of name, father_name, cnic or phone", field="name")
    return query


def _reach(session: Session, user: User, district: str | None) -> set[int]:
    scope = scope_ids(session, user)
    if district is None:
        return scope
    unit = RecordsRepository(session).unit_by_code(district)
    if unit is None or unit.id not in scope:
        raise InvalidInput(f"no district {district!r} in your jurisdiction", field="district")
    return descendant_ids(session, [unit.id]) & scope


def _explain(query: _Query, person: Person, name_score: float, father_score: float) -> list[FieldScore]:
    lines: list[FieldScore] = []
    if query.name:
        value = " / ".join(n for n in (person.name_roman, person.name_urdu) if n) or None
        lines.append(
            FieldScore(
                field="name",
                query=query.name,
                value=value,
                score=round(name_score, 4),
                weight=WEIGHTS["name"],
                method=_MATCHER,
            )
        )
    if query.father_name:
        value = " / ".join(n for n in (person.relative_name_roman, person.relative_name_urdu) if n) or None
        lines.append(
            FieldScore(
                field="father_name",
                query=query.father_name,
                value=value,
                score=round(father_score, 4),
                weight=WEIGHTS["father_name"],
                method=_MATCHER,
            )
        )
    if query.cnic:
        score, _ = _fragment_score(query.cnic, [person.cnic.replace("-", "")] if person.cnic else [])
        lines.append(
            FieldScore(
                field="cnic",
                query=query.cnic,
                value=person.cnic,
                score=round(score, 4),
                weight=WEIGHTS["cnic"],
                method="digit fragment (share of the 13 digits)",
            )
        )
    if query.phone:
        score, value = _fragment_score(query.phone, [p for p in person.phones.split(",") if p])
        lines.append(
            FieldScore(
                field="phone",
                query=query.phone,
                value=value,
                score=round(score, 4),
                weight=WEIGHTS["phone"],
                method="digit fragment (share of the number)",
            )
        )
    return lines


def _candidate_ids(session: Session, query: _Query, reach: Collection[int], index: _WorkerIndex) -> set[int]:
    repo = RecordsRepository(session)
    ids: set[int] = set()
    if query.name:
        ids.update(_index_candidates(index.names, query.name))
    if query.father_name and not query.name:
        ids.update(_index_candidates(index.relatives, query.father_name))
    if query.cnic:
        ids.update(repo.ids_with_cnic_fragment(query.cnic, reach, _CANDIDATES))
    if query.phone:
        ids.update(repo.ids_with_phone(query.phone, reach, _CANDIDATES))
    return ids


def search_persons(
    session: Session,
    *,
    user: User,
    purpose: str | None,
    name: str | None = None,
    father_name: str | None = None,
    cnic: str | None = None,
    phone: str | None = None,
    district: str | None = None,
    limit: int = 20,
) -> SearchOut:
    """Persons in the user's jurisdiction, best first; the search and its purpose are audited."""
    reason = require_purpose(purpose)
    query = _parse(name, father_name, cnic, phone, district)
    reach = _reach(session, user, query.district)
    index = _index_for(session)
    _catch_up(session, index)
    repo = RecordsRepository(session)
    persons = repo.persons_in_scope(_candidate_ids(session, query, reach, index), reach)
    aliases = repo.aliases_of([p.id for p in persons])
    name_scores = (
        _name_scores(
            query.name,
            {
                p.id: [n for n in (p.name_roman, p.name_urdu) if n]
                + [n for a in aliases.get(p.id, []) for n in (a.name_roman, a.name_urdu) if n]
                for p in persons
            },
        )
        if query.name
        else {}
    )
    father_scores = (
        _name_scores(
            query.father_name,
            {p.id: [n for n in (p.relative_name_roman, p.relative_name_urdu) if n] for p in persons},
        )
        if query.father_name
        else {}
    )
    codes = repo.unit_codes({p.org_unit_id for p in persons})
    hits: list[PersonHit] = []
    for p in persons:
        lines = _explain(query, p, name_scores.get(p.id, 0.0), father_scores.get(p.id, 0.0))
        total = sum(line.weight * line.score for line in lines) / sum(line.weight for line in lines)
        if total <= 0:
            continue
        hits.append(
            PersonHit(
                person_id=p.id,
                name_roman=p.name_roman,
                name_urdu=p.name_urdu,
                relation=p.relation,
                relative_name_roman=p.relative_name_roman,
                cnic=p.cnic,
                unit=codes[p.org_unit_id],
                score=round(total, 4),
                explanation=lines,
            )
        )
    hits.sort(key=lambda h: (-h.score, h.person_id))
    hits = hits[:limit]
    audit.record(
        session,
        actor=actor_of(user),
        action="person.search",
        object_type="person",
        object_id=None,
        personal_data=True,
        purpose=reason,
        request_id=current_request_id(),
        details={
            "query": {k: v for k, v in vars(query).items() if v is not None},
            "results": [h.person_id for h in hits],
        },
    )
    return SearchOut(results=hits, index_size=index.size, name_matcher=_MATCHER)
