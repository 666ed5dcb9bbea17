"""Each worker's copy of the watchlists follows database changes without reloading everything."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from safecity.anpr import watchlist_sync
from safecity.anpr.models import ListPolicy
from safecity.anpr.service import add_to_watchlist, put_list, remove_from_watchlist, watchlist_for
from safecity.core.auth import User
from safecity.core.db import utcnow
from safecity.core.org import OrgKind, OrgUnit


def _unit(session: Session) -> int:
    unit = OrgUnit(code=f"U-{uuid.uuid4().hex[:8]}", name="Test", kind=OrgKind.PROVINCE)
    session.add(unit)
    session.flush()
    return unit.id


def _plates(session: Session, read: str) -> list[str]:
    watchlist, _ = watchlist_for(session)
    return [h.plate for h in watchlist.match(read)]


def test_an_added_plate_is_matched_by_the_same_copy_caught_up(db_session: Session) -> None:
    unit = _unit(db_session)
    add_to_watchlist(db_session, list_name="stolen", plate="LEA-1234", org_unit_id=unit)
    before, _ = watchlist_for(db_session)
    add_to_watchlist(db_session, list_name="stolen", plate="ict 88", org_unit_id=unit, reason="FIR 7")
    after, listed = watchlist_for(db_session)
    assert after is before  # changed in place, not rebuilt
    assert [(h.plate, h.reason) for h in after.match("ICT-8B")] == [("ICT-88", "FIR 7")]
    assert ("ICT-88", "stolen") in listed
    assert _plates(db_session, "LEA-1234") == ["LEA-1234"]


def test_a_removed_plate_stops_matching(db_session: Session) -> None:
    unit = _unit(db_session)
    add_to_watchlist(db_session, list_name="stolen", plate="LEA-1234", org_unit_id=unit)
    add_to_watchlist(db_session, list_name="wanted", plate="LEA-1234", org_unit_id=unit)
    assert sorted(h.list_name for h in watchlist_for(db_session)[0].match("LEA-1234")) == ["stolen", "wanted"]
    remove_from_watchlist(db_session, list_name="stolen", plate="LEA-1234")
    watchlist, listed = watchlist_for(db_session)
    assert [h.list_name for h in watchlist.match("LEA-1234")] == ["wanted"]
    assert ("LEA-1234", "stolen") not in listed


def test_a_change_that_was_rolled_back_leaves_the_copy(db_session: Session) -> None:
    unit = _unit(db_session)
    add_to_watchlist(db_session, list_name="stolen", plate="LEA-1234", org_unit_id=unit)
    assert _plates(db_session, "LEA-1234") == ["LEA-1234"]
    savepoint = db_session.begin_nested()
    add_to_watchlist(db_session, list_name="stolen", plate="ICT-88", org_unit_id=unit)
    assert _plates(db_session, "ICT-88") == ["ICT-88"]  # seen inside the transaction
    savepoint.rollback()
    assert _plates(db_session, "ICT-88") == []
    assert _plates(db_session, "LEA-1234") == ["LEA-1234"]


def test_an_entry_leaves_the_copy_when_it_expires(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = _unit(db_session)
    expires = utcnow() + timedelta(hours=1)
    add_to_watchlist(db_session, list_name="stolen", plate="LEA-1234", org_unit_id=unit, expires_at=expires)
    add_to_watchlist(db_session, list_name="stolen", plate="LEA-123", org_unit_id=unit)
    assert _plates(db_session, "LEA-1234") == ["LEA-1234"]
    monkeypatch.setattr(watchlist_sync, "utcnow", lambda: expires + timedelta(seconds=1))
    watchlist, listed = watchlist_for(db_session)
    assert ("LEA-1234", "stolen") not in listed
    assert [h.plate for h in watchlist.match("LEA-1234")] == ["LEA-123"]  # the next tier, as after a reload


def test_a_policy_change_reaches_every_entry_of_the_list(db_session: Session) -> None:
    unit = _unit(db_session)
    dana = User(username=f"dana-{uuid.uuid4().hex[:6]}", full_name="Dana", roles=["admin"])
    db_session.add(dana)
    db_session.flush()
    add_to_watchlist(db_session, list_name="watch", plate="LEA-1234", org_unit_id=unit)
    assert watchlist_for(db_session)[1][("LEA-1234", "watch")].policy is ListPolicy.ALERT_ONLY
    put_list(db_session, name="watch", policy=ListPolicy.OPEN_INCIDENT, description="", actor=dana)
    assert watchlist_for(db_session)[1][("LEA-1234", "watch")].policy is ListPolicy.OPEN_INCIDENT
