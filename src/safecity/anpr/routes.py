"""HTTP API of ANPR: ingesting reads, searching them (with a purpose), watchlists, hits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from safecity.anpr import service
from safecity.anpr.ingest import ingest_reads
from safecity.anpr.models import AnprHit, HitStatus
from safecity.anpr.retention import purge_reads
from safecity.anpr.schemas import (
    CaseLinkIn,
    EntryIn,
    EntryOut,
    FeedbackIn,
    FeedbackOut,
    HitOut,
    IngestOut,
    PurgeOut,
    ReadBatchIn,
    ReadOut,
    WatchlistIn,
    WatchlistOut,
)
from safecity.core.auth import Role, User, scope_ids
from safecity.core.http import DbSession, require

router = APIRouter(prefix="/api/anpr", tags=["anpr"])

_STAFF = (
    Role.ADMIN,
    Role.SUPERVISOR,
    Role.DISPATCHER,
    Role.OPERATOR,
    Role.OFFICER,
    Role.ANALYST,
    Role.TRAFFIC_OFFICER,
    Role.RECORDS_OFFICER,
)
Staff = Annotated[User, Depends(require(*_STAFF))]
Sender = Annotated[User, Depends(require(Role.CAMERA, Role.ADMIN, Role.SUPERVISOR))]
Investigator = Annotated[
    User,
    Depends(
        require(
            Role.ADMIN,
            Role.SUPERVISOR,
            Role.DISPATCHER,
            Role.OFFICER,
            Role.ANALYST,
            Role.TRAFFIC_OFFICER,
            Role.RECORDS_OFFICER,
        )
    ),
]
ListKeeper = Annotated[
    User,
    Depends(
        require(Role.ADMIN, Role.SUPERVISOR, Role.DISPATCHER, Role.RECORDS_OFFICER, Role.TRAFFIC_OFFICER)
    ),
]
Admin = Annotated[User, Depends(require(Role.ADMIN))]
Manager = Annotated[User, Depends(require(Role.ADMIN, Role.SUPERVISOR))]


@router.post("/reads", status_code=201)
def post_reads(body: ReadBatchIn, user: Sender, session: DbSession) -> IngestOut:
    """Store a batch of reads from cameras the caller may post for; repeats are harmless."""
    result = ingest_reads(session, body.reads, actor=user, source="rest", scope=scope_ids(session, user))
    return IngestOut(
        received=result.received,
        accepted=result.accepted,
        duplicates=result.duplicates,
        flagged=result.flagged,
        hits=[HitOut.model_validate(h) for h in result.hits],
    )


@router.get("/reads")
def search_reads(
    user: Investigator,
    session: DbSession,
    purpose: Annotated[str, Query(min_length=3, max_length=500, description="why you search (audited)")],
    plate: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[datetime | None, Query(alias="from")] = None,
    until: Annotated[datetime | None, Query(alias="to")] = None,
    camera_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[ReadOut]:
    reads = service.search_reads(
        session,
        user=user,
        purpose=purpose,
        plate=plate,
        since=since,
        until=until,
        camera_id=camera_id,
        limit=limit,
    )
    return [ReadOut.model_validate(r) for r in reads]


@router.post("/reads/case-link")
def link_case(body: CaseLinkIn, user: Investigator, session: DbSession) -> list[ReadOut]:
    reads = service.link_reads_to_case(
        session, read_ids=body.read_ids, case_ref=body.case_ref, purpose=body.purpose, user=user
    )
    return [ReadOut.model_validate(r) for r in reads]


@router.post("/purge")
def purge(user: Admin, session: DbSession, dry_run: bool = True) -> PurgeOut:
    """Apply the retention limit now (the app also runs it daily)."""
    report = purge_reads(session, dry_run=dry_run, actor=user)
    return PurgeOut(
        cutoff=report.cutoff, deleted=report.deleted, kept_linked=report.kept_linked, dry_run=dry_run
    )


@router.get("/hits")
def list_hits(
    user: Staff, session: DbSession, status: HitStatus | None = None, limit: int = 200
) -> list[HitOut]:
    hits = service.list_hits(session, user=user, status=status, limit=min(max(limit, 1), 1000))
    return _with_reasons(session, hits, user)


@router.get("/hits/{hit_id}")
def get_hit(hit_id: int, user: Staff, session: DbSession) -> HitOut:
    (hit,) = _with_reasons(session, [service.get_hit(session, hit_id=hit_id, user=user)], user)
    return hit


def _with_reasons(session: Session, hits: list[AnprHit], user: User) -> list[HitOut]:
    reasons = service.reasons_of(session, hits=hits, user=user)
    return [HitOut.model_validate(h).model_copy(update={"reason": reasons.get(h.id)}) for h in hits]


@router.post("/hits/{hit_id}/feedback", status_code=201)
def give_feedback(hit_id: int, body: FeedbackIn, user: Staff, session: DbSession) -> FeedbackOut:
    """An officer confirms the hit or marks it a misread; every verdict is kept."""
    feedback = service.give_feedback(session, hit_id=hit_id, verdict=body.verdict, note=body.note, user=user)
    return FeedbackOut.model_validate(feedback)


@router.get("/hits/{hit_id}/feedback")
def hit_feedback(hit_id: int, user: Staff, session: DbSession) -> list[FeedbackOut]:
    return [FeedbackOut.model_validate(f) for f in service.feedback_of(session, hit_id=hit_id, user=user)]


@router.get("/watchlists")
def list_watchlists(user: Staff, session: DbSession) -> list[WatchlistOut]:
    return [WatchlistOut.model_validate(w) for w in service.list_lists(session)]


@router.put("/watchlists/{name}")
def put_watchlist(name: str, body: WatchlistIn, user: Manager, session: DbSession) -> WatchlistOut:
    wl = service.put_list(session, name=name, policy=body.policy, description=body.description, actor=user)
    return WatchlistOut.model_validate(wl)


@router.get("/watchlists/{name}/entries")
def list_entries(name: str, user: Staff, session: DbSession) -> list[EntryOut]:
    return [EntryOut.model_validate(e) for e in service.list_entries(session, list_name=name, user=user)]


@router.post("/watchlists/{name}/entries", status_code=201)
def add_entry(name: str, body: EntryIn, user: ListKeeper, session: DbSession) -> EntryOut:
    entry = service.add_entry(
        session,
        list_name=name,
        plate=body.plate,
        org_unit=body.org_unit,
        reason=body.reason,
        expires_at=body.expires_at,
        actor=user,
    )
    return EntryOut.model_validate(entry)


@router.delete("/watchlists/entries/{entry_id}", status_code=204)
def remove_entry(entry_id: int, user: ListKeeper, session: DbSession) -> None:
    service.remove_entry(session, entry_id=entry_id, actor=user)
