"""Call intake rules: the duplicate offer's radius and time window, and landmark matching."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from safecity.accounts import service as accounts
from safecity.calls import service
from safecity.calls.models import CallLanguage
from safecity.calls.places import match_place, seed_places
from safecity.calls.policy import DuplicatePolicy
from safecity.core.auth import Role, User
from safecity.core.config import Settings
from safecity.core.errors import InvalidInput
from safecity.core.org import load_tree_file
from safecity.demo.seed import DEMO_ORG_FILE

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
SCENE = (67.160, 24.830)
BBOX = Settings.model_fields["jurisdiction_bbox"].default


@pytest.fixture
def operator(db_session: Session) -> User:
    load_tree_file(db_session, DEMO_ORG_FILE)
    seed_places(db_session)
    user, _ = accounts.create_user(
        db_session,
        username=f"op{uuid.uuid4().hex[:8]}",
        full_name="Call taker",
        password="long-enough-pass",
        roles=[Role.OPERATOR],
        units=["KHI-KOR"],
        actor=None,
    )
    return user


def _call(
    session: Session,
    user: User,
    *,
    east_m: float = 0.0,
    after: timedelta = timedelta(0),
    policy: DuplicatePolicy | None = None,
) -> service.CallOutcome:
    return service.take_call(
        session,
        caller_number="03001234567",
        language=CallLanguage.URDU,
        type_code="fire",
        actor=user,
        bbox=BBOX,
        lon=SCENE[0] + east_m / 101_000,
        lat=SCENE[1],
        received_at=T0 + after,
        policy=policy,
    )


def test_a_call_within_the_radius_is_offered_as_a_duplicate_and_one_beyond_it_is_not(
    db_session: Session, operator: User
) -> None:
    first = _call(db_session, operator)
    assert first.incident is not None
    wide, narrow = DuplicatePolicy(duplicate_radius_m=300), DuplicatePolicy(duplicate_radius_m=150)
    offered = _call(db_session, operator, east_m=220, after=timedelta(minutes=2), policy=wide)
    assert (offered.incident, [i.id for i, _ in offered.duplicates]) == (None, [first.incident.id])
    assert offered.duplicates[0][1] == pytest.approx(220, rel=0.02)
    separate = _call(db_session, operator, east_m=220, after=timedelta(minutes=3), policy=narrow)
    assert separate.incident is not None and separate.duplicates == []


def test_a_call_after_the_time_window_opens_its_own_incident(db_session: Session, operator: User) -> None:
    first = _call(db_session, operator)
    assert first.incident is not None
    later = timedelta(minutes=45)
    long_window = _call(
        db_session, operator, after=later, policy=DuplicatePolicy(duplicate_window_minutes=60)
    )
    assert [i.id for i, _ in long_window.duplicates] == [first.incident.id]
    short_window = _call(
        db_session, operator, after=later, policy=DuplicatePolicy(duplicate_window_minutes=30)
    )
    assert short_window.incident is not None and short_window.duplicates == []


def test_the_duplicate_radius_comes_from_the_environment(
    db_session: Session, operator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _call(db_session, operator)
    monkeypatch.setenv("SAFECITY_DUPLICATE_RADIUS_M", "100")
    assert _call(db_session, operator, east_m=220).incident is not None
    monkeypatch.setenv("SAFECITY_DUPLICATE_RADIUS_M", "1000")
    assert _call(db_session, operator, east_m=220).incident is None


def test_a_closed_incident_is_never_offered_as_a_duplicate(db_session: Session, operator: User) -> None:
    from safecity.incidents import service as incidents
    from safecity.incidents.models import IncidentStatus

    first = _call(db_session, operator)
    assert first.incident is not None
    incidents.transition(db_session, incident=first.incident, to=IncidentStatus.CANCELLED, actor=operator)
    assert _call(db_session, operator, east_m=50).incident is not None


@pytest.mark.parametrize(
    ("said", "place"),
    [
        ("Dawood Chowrangi", "Dawood Chowrangi"),
        ("near dawood chorangi, landhi side", "Dawood Chowrangi"),
        ("KORANGI CROSING", "Korangi Crossing"),
        ("داؤد چورنگی کے پاس", "داؤد چورنگی"),
        ("opposite steel mill gate", "Steel Mill Gate"),
    ],
)
def test_landmarks_are_matched_despite_case_spelling_and_extra_words(
    db_session: Session, operator: User, said: str, place: str
) -> None:
    found = match_place(db_session, said)
    assert found is not None and found.name == place


@pytest.mark.parametrize(
    "said", ["the blue gate behind the mosque", "near the big tree", "somewhere in the city"]
)
def test_a_vague_landmark_is_not_guessed(db_session: Session, operator: User, said: str) -> None:
    assert match_place(db_session, said) is None
    with pytest.raises(InvalidInput) as err:
        service.take_call(
            db_session,
            caller_number="0300",
            language=CallLanguage.URDU,
            type_code="fire",
            actor=operator,
            bbox=BBOX,
            landmark=said,
        )
    assert err.value.field == "landmark"
