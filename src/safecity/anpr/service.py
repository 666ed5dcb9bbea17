"""ANPR rules: watchlists, hits and feedback, read search.

Each worker's in-memory copy of the watchlists lives in `watchlist_sync`; every
change made here is logged there (``touch_watchlists``) in the same transaction.

Every search of reads is personal data and needs a purpose, which the audit
log keeps with what was asked for and how much came back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from safecity.accounts import service as accounts
from safecity.anpr.models import (
    AnprHit,
    AnprRead,
    HitFeedback,
    HitStatus,
    ListPolicy,
    Verdict,
    WatchlistEntry,
    WatchlistList,
)
from safecity.anpr.plates import InvalidPlate, normalise_plate
from safecity.anpr.repository import AnprRepository
from safecity.anpr.watchlist_sync import ListedEntry, watchlist_for
from safecity.core import audit, events
from safecity.core.auth import Role, User, scope_ids
from safecity.core.db import utcnow
from safecity.core.errors import InvalidInput, NotFound
from safecity.core.http import current_request_id
from safecity.core.org import OrgUnit, get_unit

__all__ = [
    "DEFAULT_POLICIES",
    "HitNotFound",
    "ListedEntry",
    "WatchlistNotFound",
    "add_entry",
    "add_to_watchlist",
    "clean_text",
    "feedback_of",
    "get_hit",
    "give_feedback",
    "link_reads_to_case",
    "list_entries",
    "list_hits",
    "list_lists",
    "put_list",
    "reasons_of",
    "remove_entry",
    "remove_from_watchlist",
    "search_reads",
    "watchlist_for",
]

DEFAULT_POLICIES = {
    "stolen": ListPolicy.OPEN_INCIDENT,
    "wanted": ListPolicy.OPEN_INCIDENT,
    "unpaid_challans": ListPolicy.ALERT_ONLY,
}


class HitNotFound(NotFound):
    pass


class WatchlistNotFound(NotFound):
    pass


def clean_text(text: str) -> str:
    """What a flagged read is stored and matched under: upper case, single spaces."""
    return " ".join(text.upper().split())[:64]


def _audit(
    session: Session, actor: User | None, action: str, object_type: str, object_id: object, **kw: Any
) -> None:
    audit.record(
        session,
        actor=accounts.actor_of(actor),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        request_id=current_request_id(),
        **kw,
    )


# --- watchlist management ---------------------------------------------------------------


def _ensure_list(session: Session, name: str) -> WatchlistList:
    found = AnprRepository(session).list_by_name(name)
    if found is not None:
        return found
    created = WatchlistList(
        name=name, policy=DEFAULT_POLICIES.get(name, ListPolicy.ALERT_ONLY), description=""
    )
    session.add(created)
    session.flush()
    return created


def put_list(
    session: Session, *, name: str, policy: ListPolicy, description: str, actor: User
) -> WatchlistList:
    """Create a list or change its policy (alert only, or open an incident on a hit)."""
    if not name.strip() or len(name) > 60:
        raise InvalidInput("a list name of 1 to 60 characters is required", field="name")
    wl = AnprRepository(session).list_by_name(name) or WatchlistList(name=name, created_at=utcnow())
    wl.policy, wl.description = policy, description
    session.add(wl)
    session.flush()
    AnprRepository(session).touch_watchlists(name, None)  # the policy applies to every entry
    _audit(
        session,
        actor,
        "anpr.watchlist.put",
        "anpr_watchlist",
        wl.id,
        details={"name": name, "policy": policy.value},
    )
    return wl


def add_to_watchlist(
    session: Session,
    *,
    list_name: str,
    plate: str,
    org_unit_id: int,
    reason: str = "",
    expires_at: datetime | None = None,
    added_by: User | None = None,
) -> WatchlistEntry:
    """List a plate (re-listing replaces reason and expiry); the list is created if missing.

    Other domains call this, e.g. traffic for "≥ 5 unpaid challans" (list ``unpaid_challans``).
    """
    try:
        canonical = normalise_plate(plate)
    except InvalidPlate as exc:
        raise InvalidInput(exc.detail, field="plate") from exc
    if expires_at is not None and expires_at.tzinfo is None:
        raise InvalidInput("expiry must carry a time zone", field="expires_at")
    wl = _ensure_list(session, list_name)
    repo = AnprRepository(session)
    entry = repo.entry(wl.id, canonical) or WatchlistEntry(
        watchlist_id=wl.id, plate=canonical, added_at=utcnow()
    )
    entry.reason, entry.expires_at, entry.org_unit_id = reason[:300], expires_at, org_unit_id
    entry.added_by_id = added_by.id if added_by else None
    session.add(entry)
    session.flush()
    repo.touch_watchlists(list_name, canonical)
    details = {"list": list_name, "plate": canonical, "reason": reason[:300]}
    _audit(session, added_by, "anpr.watchlist.add", "anpr_watchlist_entry", entry.id, details=details)
    return entry


def remove_from_watchlist(session: Session, *, list_name: str, plate: str, actor: User | None = None) -> bool:
    """Take a plate off a list (any spelling); False when it was not on it.

    Other domains call this, e.g. traffic once a car's unpaid challans are settled.
    """
    try:
        canonical = normalise_plate(plate)
    except InvalidPlate as exc:
        raise InvalidInput(exc.detail, field="plate") from exc
    repo = AnprRepository(session)
    wl = repo.list_by_name(list_name)
    entry = repo.entry(wl.id, canonical) if wl is not None else None
    if entry is None:
        return False
    entry_id = entry.id
    session.delete(entry)
    session.flush()
    repo.touch_watchlists(list_name, canonical)
    details = {"list": list_name, "plate": canonical}
    _audit(session, actor, "anpr.watchlist.remove", "anpr_watchlist_entry", entry_id, details=details)
    return True


def _list_named(session: Session, name: str) -> WatchlistList:
    wl = AnprRepository(session).list_by_name(name)
    if wl is None:
        raise WatchlistNotFound(f"no watchlist {name!r}", field="list_name")
    return wl


def add_entry(
    session: Session, *, list_name: str, plate: str, org_unit: str, reason: str,
    expires_at: datetime | None, actor: User,
) -> WatchlistEntry:  # fmt: skip
    _list_named(session, list_name)
    try:
        unit: OrgUnit = get_unit(session, code=org_unit)
    except NotFound as exc:
        raise InvalidInput(f"unknown organisation unit {org_unit!r}", field="org_unit") from exc
    if not actor.has_role(Role.ADMIN) and unit.id not in scope_ids(session, actor):
        raise InvalidInput(f"{org_unit} is outside your jurisdiction", field="org_unit")
    return add_to_watchlist(
        session, list_name=list_name, plate=plate, org_unit_id=unit.id, reason=reason,
        expires_at=expires_at, added_by=actor,
    )  # fmt: skip


def list_lists(session: Session) -> list[WatchlistList]:
    return AnprRepository(session).lists()


def list_entries(session: Session, *, list_name: str, user: User, limit: int = 500) -> list[WatchlistEntry]:
    wl = _list_named(session, list_name)
    return AnprRepository(session).entries_in_scope(wl.id, scope_ids(session, user), limit)


def remove_entry(session: Session, *, entry_id: int, actor: User) -> None:
    repo = AnprRepository(session)
    entry = repo.get_entry(entry_id)
    if entry is None or entry.org_unit_id not in scope_ids(session, actor):
        raise NotFound(f"no watchlist entry {entry_id}", field="entry_id")
    details = {"plate": entry.plate, "watchlist_id": entry.watchlist_id}
    wl = repo.get_list(entry.watchlist_id)
    session.delete(entry)
    session.flush()
    if wl is not None:
        repo.touch_watchlists(wl.name, str(details["plate"]))
    _audit(session, actor, "anpr.watchlist.remove", "anpr_watchlist_entry", entry_id, details=details)


# --- hits -------------------------------------------------------------------------------


def get_hit(session: Session, *, hit_id: int, user: User) -> AnprHit:
    hit = AnprRepository(session).get_hit(hit_id)
    if hit is None or hit.org_unit_id not in scope_ids(session, user):
        raise HitNotFound(f"no hit {hit_id}", field="hit_id")
    return hit


def feedback_of(session: Session, *, hit_id: int, user: User) -> list[HitFeedback]:
    hit = get_hit(session, hit_id=hit_id, user=user)
    return AnprRepository(session).feedback_of(hit.id)


def list_hits(session: Session, *, user: User, status: HitStatus | None, limit: int = 200) -> list[AnprHit]:
    return AnprRepository(session).hits_in_scope(scope_ids(session, user), status=status, limit=limit)


def reasons_of(session: Session, *, hits: Sequence[AnprHit], user: User) -> dict[int, str]:
    """Why each hit's plate is listed, by hit id: the entry's reason, shown with the alert.

    An entry's reason belongs to the unit that listed the plate, and entries are read by
    their owner's scope; a hit seen from another jurisdiction gets no reason (fail closed),
    only the list's name, which the hit itself carries.
    """
    entry_of = {h.id: h.entry_id for h in hits if h.entry_id is not None}
    reasons = AnprRepository(session).entry_reasons(set(entry_of.values()), scope_ids(session, user))
    return {hit_id: reasons[entry] for hit_id, entry in entry_of.items() if entry in reasons}


def give_feedback(session: Session, *, hit_id: int, verdict: Verdict, note: str, user: User) -> HitFeedback:
    """Confirm a hit or mark it a misread; every verdict is kept and the latest one counts."""
    hit = get_hit(session, hit_id=hit_id, user=user)
    feedback = HitFeedback(hit_id=hit.id, verdict=verdict, note=note, by_user_id=user.id, at=utcnow())
    session.add(feedback)
    hit.status = HitStatus(verdict.value)
    session.flush()
    payload = {
        "hit_id": hit.id,
        "verdict": verdict.value,
        "plate": hit.listed_plate,
        "list_name": hit.list_name,
        "read_id": hit.read_id,
        "org_unit_id": hit.org_unit_id,
    }
    events.publish(session, "anpr.hit_feedback", payload, key=hit.listed_plate)
    _audit(
        session,
        user,
        "anpr.hit.feedback",
        "anpr_hit",
        hit.id,
        details={"verdict": verdict.value, "note": note},
    )
    return feedback


# --- reads ------------------------------------------------------------------------------


def _plate_keys(plate: str) -> list[str]:
    keys = [clean_text(plate)]
    with contextlib.suppress(InvalidPlate):
        keys.insert(0, normalise_plate(plate))
    return keys


def search_reads(
    session: Session, *, user: User, purpose: str, plate: str | None = None, since: datetime | None = None,
    until: datetime | None = None, camera_id: int | None = None, limit: int = 500,
) -> list[AnprRead]:  # fmt: skip
    """Reads in the caller's jurisdiction; audited as personal data with the stated purpose."""
    if not purpose.strip():
        raise InvalidInput("a purpose is required to search plate reads", field="purpose")
    keys = _plate_keys(plate) if plate else []
    reads = AnprRepository(session).search_reads(
        scope_ids(session, user), plate_keys=keys, since=since, until=until, camera_id=camera_id, limit=limit
    )
    filters = {
        "plate": keys[0] if keys else None,
        "from": since.isoformat() if since else None,
        "to": until.isoformat() if until else None,
        "camera_id": camera_id,
        "results": len(reads),
    }
    _audit(
        session,
        user,
        "anpr.reads.search",
        "anpr_read",
        None,
        purpose=purpose,
        personal_data=True,
        details=filters,
    )
    return reads


def link_reads_to_case(
    session: Session, *, read_ids: Sequence[int], case_ref: str, purpose: str, user: User
) -> list[AnprRead]:
    """Keep reads past the retention limit as evidence of a case."""
    repo = AnprRepository(session)
    wanted = set(read_ids)
    scope = scope_ids(session, user)
    reads = [r for r in repo.reads_by_ids(wanted) if r.org_unit_id in scope]
    missing = sorted(wanted - {r.id for r in reads})
    if missing:
        raise NotFound(f"no read(s) {', '.join(map(str, missing))}", field="read_ids")
    repo.link_case(wanted, case_ref)
    for read in reads:
        read.case_ref = case_ref
    details = {"case_ref": case_ref, "read_ids": sorted(wanted)}
    _audit(
        session,
        user,
        "anpr.reads.link_case",
        "anpr_read",
        None,
        purpose=purpose,
        personal_data=True,
        details=details,
    )
    return reads
