"""The incident life cycle, response-time figures and the ANPR subscriber, at the service level."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.accounts import service as accounts
from safecity.core.auth import Role, User
from safecity.core.events import Event
from safecity.core.org import load_tree_file
from safecity.demo.seed import DEMO_ORG_FILE
from safecity.incidents import service
from safecity.incidents.events import open_incident_for_hit
from safecity.incidents.models import Incident, IncidentStatus
from safecity.incidents.response_times import Figures, figures, summarise
from safecity.incidents.state import InvalidTransition

S = IncidentStatus
T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


@pytest.fixture
def dispatcher(db_session: Session) -> User:
    load_tree_file(db_session, DEMO_ORG_FILE)
    user, _ = accounts.create_user(
        db_session,
        username=f"d{uuid.uuid4().hex[:8]}",
        full_name="Test dispatcher",
        password="long-enough-pass",
        roles=[Role.DISPATCHER],
        units=["KHI-KOR"],
        actor=None,
    )
    return user


def _incident(session: Session, actor: User, **kw: object) -> Incident:
    return service.open_incident(
        session, type_code="robbery", lon=67.2, lat=24.849, actor=actor, call_received_at=T0, **kw
    )  # type: ignore[arg-type]


def test_an_incident_is_owned_by_the_nearest_station_and_its_district(
    db_session: Session, dispatcher: User
) -> None:
    incident = _incident(db_session, dispatcher)
    where = service.locate(db_session, 67.2, 24.849)
    assert where.station.code == "KOR-LND"
    assert (incident.station_id, incident.district_id) == (where.station.id, where.station.parent_id)


def test_every_transition_is_recorded_with_its_time_and_actor(db_session: Session, dispatcher: User) -> None:
    incident = _incident(db_session, dispatcher)
    steps = [S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE, S.CLEARED, S.CLOSED]
    for minutes, status in enumerate(steps, start=1):
        service.transition(
            db_session, incident=incident, to=status, actor=dispatcher, at=T0 + timedelta(minutes=minutes)
        )
    history = service.history(db_session, incident=incident)
    assert [h.to_status for h in history] == [S.NEW, *steps]
    assert [h.from_status for h in history[1:]] == [S.NEW, *steps[:-1]]
    assert {h.actor for h in history} == {dispatcher.username}
    assert [h.at for h in history[1:]] == [T0 + timedelta(minutes=m) for m in range(1, 6)]
    assert incident.closed_at == T0 + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        ([], S.CLOSED),
        ([], S.ON_SCENE),
        ([S.DISPATCHED, S.ON_SCENE], S.CANCELLED),
        ([S.CANCELLED], S.DISPATCHED),
    ],
)
def test_the_life_cycle_refuses_steps_it_does_not_allow(
    db_session: Session, dispatcher: User, path: list[IncidentStatus], forbidden: IncidentStatus
) -> None:
    incident = _incident(db_session, dispatcher)
    for status in path:
        service.transition(db_session, incident=incident, to=status, actor=dispatcher)
    with pytest.raises(InvalidTransition):
        service.transition(db_session, incident=incident, to=forbidden, actor=dispatcher)


def test_a_unit_report_never_moves_an_incident_backwards(db_session: Session, dispatcher: User) -> None:
    incident = _incident(db_session, dispatcher)
    service.transition(db_session, incident=incident, to=S.DISPATCHED, actor=dispatcher)
    assert service.report_progress(db_session, incident=incident, reported=S.ON_SCENE, actor=None, at=T0)
    assert not service.report_progress(db_session, incident=incident, reported=S.EN_ROUTE, actor=None, at=T0)
    assert incident.status is S.ON_SCENE


def test_response_figures_come_from_the_call_dispatch_and_arrival_times(
    db_session: Session, dispatcher: User
) -> None:
    incident = _incident(db_session, dispatcher)
    service.transition(
        db_session, incident=incident, to=S.DISPATCHED, actor=dispatcher, at=T0 + timedelta(seconds=75)
    )
    service.transition(
        db_session, incident=incident, to=S.ON_SCENE, actor=dispatcher, at=T0 + timedelta(seconds=400)
    )
    got = service.figures_of(incident)
    assert (got.call_to_dispatch_s, got.dispatch_to_scene_s, got.call_to_scene_s) == (75, 325, 400)


def test_medians_are_compared_with_the_seven_minute_target() -> None:
    def at(seconds: int | None) -> datetime | None:
        return None if seconds is None else T0 + timedelta(seconds=seconds)

    rows = [figures(T0, at(d), at(s)) for d, s in [(60, 300), (120, 500), (90, 460), (30, None)]]
    summary = summarise(rows)
    assert summary.count == 4
    assert summary.median_call_to_dispatch_s == 75  # of 30, 60, 90, 120
    assert summary.median_call_to_scene_s == 460  # of 300, 460, 500
    assert summary.within_target == 1 and summary.meets_target is False
    assert summarise([Figures(10, 20, 30)]).meets_target is True
    assert summarise([]).meets_target is None


def test_an_anpr_hit_opens_one_p2_incident_at_the_camera_even_if_delivered_twice(
    db_session: Session, dispatcher: User
) -> None:
    hit = Event(
        type="anpr.hit",
        payload={"plate": "KHI-1234", "list_name": "stolen", "camera_id": 7, "camera_code": "KHI-ANPR-07",
                 "lon": 67.15, "lat": 24.83, "at": "2026-11-23T10:00:00+00:00"},
    )  # fmt: skip
    first = open_incident_for_hit(db_session, hit)
    again = open_incident_for_hit(db_session, hit)
    assert first is not None and again is None
    assert (first.type_code, first.priority.value, first.lon, first.lat) == ("anpr_hit", "P2", 67.15, 24.83)
    assert "KHI-1234" in first.description
    assert first.address == "camera KHI-ANPR-07"  # the code the control room knows, not a row id
    count = db_session.scalars(select(Incident).where(Incident.type_code == "anpr_hit")).all()
    assert len(count) == 1


def test_an_unknown_incident_type_is_refused_naming_the_field(db_session: Session, dispatcher: User) -> None:
    from safecity.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        service.open_incident(db_session, type_code="alien_landing", lon=67.2, lat=24.85, actor=dispatcher)
    assert caught.value.field == "type"


def test_seeding_the_types_is_idempotent_and_lists_every_built_in_type(db_session: Session) -> None:
    first = service.seed_incident_types(db_session)
    assert first > 10
    assert service.seed_incident_types(db_session) == 0
    codes = {t.code for t in service.list_types(db_session)}
    assert {"robbery", "explosion", "missing_child", "harassment_of_women", "anpr_hit"} <= codes
