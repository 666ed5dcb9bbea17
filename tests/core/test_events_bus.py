"""The bus side of events: pattern matching, in-process delivery, de-duplication, the wire format."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session, sessionmaker

from safecity.core import events
from safecity.core.errors import InvalidInput
from safecity.core.events import Event, InProcessBus, NatsBus


@pytest.mark.parametrize(
    ("pattern", "event_type", "matches"),
    [
        ("anpr.hit", "anpr.hit", True),
        ("anpr.hit", "anpr.read", False),
        ("incident.*", "incident.created", True),
        ("incident.*", "incident.unit.assigned", False),
        ("incident.*", "incident", False),
        ("incident.>", "incident.unit.assigned", True),
        ("incident.>", "incident", False),
        ("*.hit", "anpr.hit", True),
        (">", "anything.at.all", True),
        ("incident.created", "incident.created.late", False),
    ],
)
def test_wildcard_patterns_follow_nats_subject_rules(pattern: str, event_type: str, matches: bool) -> None:
    assert events.pattern_matches(pattern, event_type) is matches


@pytest.mark.parametrize("pattern", ["incident.>.x", "incident.**", "", "a b"])
def test_subscribing_with_a_malformed_pattern_is_refused(pattern: str) -> None:
    with pytest.raises(InvalidInput):
        InProcessBus().subscribe(pattern, lambda event: None)


async def test_an_idempotent_handler_ignores_a_redelivered_event() -> None:
    calls: list[uuid.UUID] = []
    bus = InProcessBus()
    bus.subscribe("anpr.hit", events.idempotent(lambda event: calls.append(event.id)))
    first, second = Event(type="anpr.hit", payload={}), Event(type="anpr.hit", payload={})

    for event in (first, first, second, first):
        await bus.publish(event)
    assert calls == [first.id, second.id]


async def test_one_failing_subscriber_does_not_keep_the_event_from_the_others() -> None:
    received: list[Event] = []
    bus = InProcessBus()

    def broken(event: Event) -> None:
        raise ValueError("nope")

    bus.subscribe("anpr.hit", broken, group="broken")
    bus.subscribe("anpr.hit", received.append)
    with pytest.raises(events.HandlerFailed) as caught:
        await bus.publish(Event(type="anpr.hit", payload={}))
    assert len(received) == 1
    assert [group for group, _ in caught.value.failures] == ["broken"]


def test_make_bus_chooses_the_bus_from_the_url() -> None:
    factory: sessionmaker[Session] = sessionmaker()
    assert isinstance(events.make_bus("inprocess", session_factory=factory), InProcessBus)
    nats_bus = events.make_bus("nats://127.0.0.1:4222,nats://10.0.0.2:4222", session_factory=factory)
    assert isinstance(nats_bus, NatsBus) and nats_bus.on_dead_letter is not None
    assert isinstance(nats_bus, NatsBus) and nats_bus.servers == [
        "nats://127.0.0.1:4222",
        "nats://10.0.0.2:4222",
    ]
    with pytest.raises(InvalidInput) as caught:
        events.make_bus("kafka://broker:9092")
    assert caught.value.field == "event_bus"


def test_an_event_survives_the_wire_format() -> None:
    event = Event(type="incident.created", payload={"id": 1, "note": "ÅB"}, key="INC-1", replays=2)
    assert Event.from_json(event.to_json()) == event
