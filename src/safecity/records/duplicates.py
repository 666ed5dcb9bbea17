"""Duplicate persons across registers: scan, review queue, merge and unmerge.

A false match can jail an innocent person, so the model only proposes:
every proposal waits for a records officer's decision ("merge" or "not the
same person", with a reason) unless its probability reaches an explicit
auto-merge threshold the caller sets (none by default, and never below
`MIN_AUTO_MERGE`).  A merge only points the absorbed record at the survivor
(``Person.merged_into_id``); nothing is copied or deleted, so an unmerge
restores both records exactly.  Every scan, decision and unmerge is audited.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from safecity.accounts.service import actor_of
from safecity.core import audit
from safecity.core.auth import User, scope_ids
from safecity.core.db import utcnow
from safecity.core.errors import Conflict, InvalidInput, NotFound
from safecity.core.http import current_request_id
from safecity.records.duplicates_linkage import LinkRecord, ScoredPair, score_pairs
from safecity.records.duplicates_models import DuplicateCandidate, DuplicateStatus
from safecity.records.duplicates_repository import DuplicateRepository
from safecity.records.duplicates_schemas import (
    CandidateOut,
    Decision,
    DecisionIn,
    EvidenceOut,
    PersonBrief,
    ScanIn,
    ScanOut,
    UnmergeIn,
)
from safecity.records.models import Person

__all__ = ["MIN_AUTO_MERGE", "decide", "get_candidate", "list_queue", "scan", "unmerge"]

MIN_AUTO_MERGE = 0.9
"""No setting can make the system merge on its own below this probability."""

_PURPOSE = "duplicate review"


def _record(person: Person, district_of: dict[int, int]) -> LinkRecord:
    year = None
    if person.approximate_age is not None:
        recorded = person.age_recorded_on or person.created_at.date()
        year = recorded.year - person.approximate_age
    phones = [p for p in person.phones.split(",") if p]
    return LinkRecord(
        id=person.id,
        name=person.name_roman or person.name_urdu or "",
        father_name=person.relative_name_roman or person.relative_name_urdu,
        cnic=person.cnic,
        date_of_birth=person.date_of_birth,
        birth_year=year,
        district_id=district_of.get(person.org_unit_id),
        phone=phones[0] if phones else None,
    )


def _audit(session: Session, user: User, action: str, candidate_id: str, details: dict[str, object]) -> None:
    audit.record(
        session,
        actor=actor_of(user),
        action=action,
        object_type="duplicate_candidate",
        object_id=candidate_id,
        personal_data=True,
        purpose=_PURPOSE,
        request_id=current_request_id(),
        details=details,
    )


def _store(
    repo: DuplicateRepository, pair: ScoredPair, known: dict[tuple[int, int], DuplicateCandidate]
) -> bool:
    evidence = [{"field": e.field, "agreement": e.agreement, "weight": e.weight} for e in pair.evidence]
    existing = known.get((pair.person_a, pair.person_b))
    if existing is not None:
        if existing.status is DuplicateStatus.PENDING:  # refresh the evidence; decided pairs stay decided
            existing.probability, existing.match_weight, existing.evidence = (
                pair.probability,
                pair.match_weight,
                evidence,
            )
        return False
    candidate = DuplicateCandidate(
        person_a_id=pair.person_a,
        person_b_id=pair.person_b,
        probability=pair.probability,
        match_weight=pair.match_weight,
        evidence=evidence,
        status=DuplicateStatus.PENDING,
    )
    repo.session.add(candidate)
    known[(pair.person_a, pair.person_b)] = candidate
    return True


def scan(session: Session, *, body: ScanIn, actor: User) -> ScanOut:
    """Score every live person in the actor's jurisdiction and queue the likely duplicates."""
    if body.auto_merge_threshold is not None and body.auto_merge_threshold < MIN_AUTO_MERGE:
        raise InvalidInput(
            f"auto-merge needs a threshold of at least {MIN_AUTO_MERGE}", field="auto_merge_threshold"
        )
    repo = DuplicateRepository(session)
    persons = repo.live_persons(scope_ids(session, actor))
    district_of = repo.district_of_units()
    pairs = score_pairs([_record(p, district_of) for p in persons], min_probability=body.review_threshold)
    known = repo.existing_pairs()
    proposed = sum(_store(repo, pair, known) for pair in pairs)
    session.flush()
    auto = 0
    if body.auto_merge_threshold is not None:
        for pair in pairs:
            candidate = known[(pair.person_a, pair.person_b)]
            if pair.probability >= body.auto_merge_threshold and candidate.status is DuplicateStatus.PENDING:
                auto += _merge(repo, candidate, survivor_id=None, status=DuplicateStatus.AUTO_MERGED)
    session.flush()
    _audit(
        session,
        actor,
        "person.duplicates.scan",
        "*",
        {
            "persons": len(persons),
            "proposed": proposed,
            "auto_merged": auto,
            "threshold": body.auto_merge_threshold,
        },
    )
    return ScanOut(persons=len(persons), proposed=proposed, auto_merged=auto)


def _brief(person: Person) -> PersonBrief:
    return PersonBrief(
        id=person.id,
        name_roman=person.name_roman,
        name_urdu=person.name_urdu,
        relative_name_roman=person.relative_name_roman,
        cnic=person.cnic,
        merged_into_id=person.merged_into_id,
    )


def _out(repo: DuplicateRepository, candidates: list[DuplicateCandidate]) -> list[CandidateOut]:
    persons = repo.persons({c.person_a_id for c in candidates} | {c.person_b_id for c in candidates})
    return [
        CandidateOut(
            id=c.id,
            person_a=_brief(persons[c.person_a_id]),
            person_b=_brief(persons[c.person_b_id]),
            probability=c.probability,
            match_weight=c.match_weight,
            evidence=[EvidenceOut(**e) for e in c.evidence],
            status=c.status,
            survivor_id=c.survivor_id,
            reason=c.reason,
            decided_at=c.decided_at,
        )
        for c in candidates
    ]


def list_queue(session: Session, *, user: User, status: DuplicateStatus | None) -> list[CandidateOut]:
    """The review queue, most likely duplicates first; the read is audited."""
    repo = DuplicateRepository(session)
    candidates = list(repo.queue(status, scope_ids(session, user)))
    _audit(session, user, "person.duplicates.list", "*", {"status": status, "count": len(candidates)})
    return _out(repo, candidates)


def _in_scope(
    session: Session, repo: DuplicateRepository, candidate_id: int, user: User
) -> DuplicateCandidate:
    candidate = repo.candidate(candidate_id)
    scope = scope_ids(session, user)
    persons = repo.persons({candidate.person_a_id, candidate.person_b_id}) if candidate else {}
    if candidate is None or any(p.org_unit_id not in scope for p in persons.values()):
        raise NotFound(f"no duplicate proposal {candidate_id}", field="candidate_id")
    return candidate


def get_candidate(session: Session, *, candidate_id: int, user: User) -> CandidateOut:
    repo = DuplicateRepository(session)
    candidate = _in_scope(session, repo, candidate_id, user)
    _audit(session, user, "person.duplicates.read", str(candidate.id), {})
    return _out(repo, [candidate])[0]


def _merge(
    repo: DuplicateRepository,
    candidate: DuplicateCandidate,
    *,
    survivor_id: int | None,
    status: DuplicateStatus,
) -> int:
    persons = repo.persons({candidate.person_a_id, candidate.person_b_id})
    a, b = persons[candidate.person_a_id], persons[candidate.person_b_id]
    if a.merged_into_id is not None or b.merged_into_id is not None:
        if status is DuplicateStatus.AUTO_MERGED:
            return 0  # one of them was merged elsewhere in this scan; leave it for a person to look at
        raise Conflict("one of these records is already merged into another; unmerge it first")
    survivor = survivor_id if survivor_id is not None else candidate.person_a_id
    if survivor not in persons:
        raise InvalidInput("the survivor must be one of the two records", field="survivor_id")
    absorbed = b if survivor == a.id else a
    absorbed.merged_into_id = survivor
    candidate.status, candidate.survivor_id, candidate.decided_at = status, survivor, utcnow()
    if status is DuplicateStatus.AUTO_MERGED:
        candidate.reason = f"automatic: probability {candidate.probability:.6f} at or above the threshold"
    return 1


def decide(session: Session, *, candidate_id: int, body: DecisionIn, actor: User) -> CandidateOut:
    """Record a records officer's decision on a pending proposal."""
    repo = DuplicateRepository(session)
    candidate = _in_scope(session, repo, candidate_id, actor)
    if candidate.status is not DuplicateStatus.PENDING:
        raise Conflict(f"proposal {candidate_id} is already decided ({candidate.status})")
    if body.decision is Decision.MERGE:
        _merge(repo, candidate, survivor_id=body.survivor_id, status=DuplicateStatus.MERGED)
    else:
        candidate.status, candidate.decided_at = DuplicateStatus.NOT_SAME, utcnow()
    candidate.reason = body.reason
    candidate.decided_by_id = actor.id
    session.flush()
    _audit(
        session,
        actor,
        "person.duplicates.decide",
        str(candidate.id),
        {"decision": body.decision, "reason": body.reason, "survivor": candidate.survivor_id},
    )
    return _out(repo, [candidate])[0]


def unmerge(session: Session, *, candidate_id: int, body: UnmergeIn, actor: User) -> CandidateOut:
    """Undo a merge (by a person or automatic): both records are live again, as they were."""
    repo = DuplicateRepository(session)
    candidate = _in_scope(session, repo, candidate_id, actor)
    if candidate.status not in (DuplicateStatus.MERGED, DuplicateStatus.AUTO_MERGED):
        raise Conflict(f"proposal {candidate_id} is not merged ({candidate.status})")
    persons = repo.persons({candidate.person_a_id, candidate.person_b_id})
    for person in persons.values():
        if person.merged_into_id == candidate.survivor_id and person.id != candidate.survivor_id:
            person.merged_into_id = None
    survivor = candidate.survivor_id
    candidate.status, candidate.survivor_id = DuplicateStatus.UNMERGED, None
    candidate.reason, candidate.decided_by_id, candidate.decided_at = body.reason, actor.id, utcnow()
    session.flush()
    _audit(
        session,
        actor,
        "person.duplicates.unmerge",
        str(candidate.id),
        {"reason": body.reason, "former_survivor": survivor},
    )
    return _out(repo, [candidate])[0]
