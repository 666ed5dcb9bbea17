"""E-challans over HTTP: verification issues them; disputes run issued → disputed → review → decision."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from tests.traffic.conftest import TrafficApi, new_cnic, new_plate

from safecity.core.audit import AuditEntry
from safecity.core.db import utcnow
from safecity.traffic.models import Challan


def _audit_actions(client: Any, reference: str) -> list[tuple[str, str | None]]:
    with client.app.state.sessionmaker() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == reference).order_by(AuditEntry.index)
        )
        return [(e.action, e.actor) for e in rows]


def test_a_challan_goes_issued_then_disputed_then_quashed(traffic: TrafficApi, client, login) -> None:  # type: ignore[no-untyped-def]
    plate, cnic = new_plate(), new_cnic()
    traffic.register(plate, cnic)
    challan = traffic.challan(plate.replace("-", " ").lower())
    ref = challan["reference"]
    assert (challan["status"], challan["plate"], challan["fine_pkr"]) == ("issued", plate, 2000)

    disputed = client.post(
        f"/api/traffic/challans/{ref}/dispute",
        json={"cnic": cnic.replace("-", ""), "reason": "my car was parked at home; the plate is cloned"},
        headers=login("charlie"),
    )
    assert disputed.status_code == 200, disputed.text
    assert disputed.json()["status"] == "disputed"

    taken = client.post(f"/api/traffic/challans/{ref}/review", headers=login("tariq"))
    assert (taken.json()["status"], taken.json()["reviewer"]) == ("under_review", "tariq")
    quashed = client.post(
        f"/api/traffic/challans/{ref}/decision",
        json={"outcome": "quashed", "note": "camera frame shows a different make"},
        headers=login("tariq"),
    )
    assert quashed.status_code == 200, quashed.text
    assert quashed.json()["status"] == "quashed"
    assert quashed.json()["decision_note"] == "camera frame shows a different make"

    again = client.post(f"/api/traffic/challans/{ref}/review", headers=login("tariq"))
    assert (again.status_code, again.json()["error"], again.json()["field"]) == (
        409,
        "InvalidChallanTransition",
        "status",
    )
    assert _audit_actions(client, ref) == [
        ("traffic.challan.issue", "tariq"),
        ("traffic.challan.disputed", "charlie"),
        ("traffic.challan.under_review", "tariq"),
        ("traffic.challan.quashed", "tariq"),
    ]


def test_a_dispute_after_the_seven_day_window_is_refused_naming_the_field(
    traffic: TrafficApi, client, login
) -> None:  # type: ignore[no-untyped-def]
    plate, cnic = new_plate(), new_cnic()
    traffic.register(plate, cnic)
    ref = traffic.challan(plate)["reference"]
    with client.app.state.sessionmaker() as session:
        issued = utcnow() - timedelta(days=8)
        session.execute(
            update(Challan)
            .where(Challan.reference == ref)
            .values(issued_at=issued, dispute_until=issued + timedelta(days=7))
        )
        session.commit()
    late = client.post(
        f"/api/traffic/challans/{ref}/dispute",
        json={"cnic": cnic, "reason": "late"},
        headers=login("charlie"),
    )
    assert late.status_code == 409
    assert (late.json()["error"], late.json()["field"]) == ("DisputeWindowClosed", "issued_at")
    status = client.get(f"/api/traffic/challans/{ref}", headers=login("tariq")).json()["status"]
    assert status == "issued"


def test_the_dispute_window_is_seven_days_from_issue(traffic: TrafficApi) -> None:
    plate = new_plate()
    traffic.register(plate, new_cnic())
    challan = traffic.challan(plate)
    issued = datetime.fromisoformat(challan["issued_at"])
    until = datetime.fromisoformat(challan["dispute_until"])
    assert until - issued == timedelta(days=7)


def test_only_the_registered_owner_may_dispute(traffic: TrafficApi, client, login) -> None:  # type: ignore[no-untyped-def]
    plate = new_plate()
    traffic.register(plate, new_cnic())
    ref = traffic.challan(plate)["reference"]
    response = client.post(
        f"/api/traffic/challans/{ref}/dispute",
        json={"cnic": "42101-1111111-1", "reason": "not mine"},
        headers=login("charlie"),
    )
    assert (response.status_code, response.json()["field"]) == (403, "cnic")


def test_an_upheld_challan_is_payable_again_and_only_the_reviewer_decides(
    traffic: TrafficApi, client, login
) -> None:  # type: ignore[no-untyped-def]
    plate, cnic = new_plate(), new_cnic()
    traffic.register(plate, cnic)
    ref = traffic.challan(plate)["reference"]
    client.post(
        f"/api/traffic/challans/{ref}/dispute", json={"cnic": cnic, "reason": "x"}, headers=login("charlie")
    )
    early = client.post(
        f"/api/traffic/challans/{ref}/decision",
        json={"outcome": "upheld", "note": "n"},
        headers=login("tariq"),
    )
    assert (early.status_code, early.json()["field"]) == (409, "reviewer")
    client.post(f"/api/traffic/challans/{ref}/review", headers=login("tariq"))
    upheld = client.post(
        f"/api/traffic/challans/{ref}/decision",
        json={"outcome": "upheld", "note": "signal phase log confirms red"},
        headers=login("tariq"),
    )
    assert upheld.json()["status"] == "upheld"


def test_verification_needs_a_traffic_officer_and_a_registered_owner(
    traffic: TrafficApi, client, login
) -> None:  # type: ignore[no-untyped-def]
    unregistered = traffic.red_light(new_plate())
    by_dispatcher = client.post(
        f"/api/traffic/violations/{unregistered['id']}/verify", headers=login("alice")
    )
    assert by_dispatcher.status_code == 403
    response = client.post(f"/api/traffic/violations/{unregistered['id']}/verify", headers=login("tariq"))
    assert (response.status_code, response.json()["error"], response.json()["field"]) == (
        409,
        "VehicleNotRegistered",
        "plate",
    )
    pending = client.get(
        "/api/traffic/violations", params={"status": "pending"}, headers=login("tariq")
    ).json()
    assert unregistered["reference"] in {v["reference"] for v in pending}


def test_issuing_sends_an_sms_to_the_outbox_and_a_pdf_notice(traffic: TrafficApi, client, login) -> None:  # type: ignore[no-untyped-def]
    plate = new_plate()
    traffic.register(plate, new_cnic(), owner="Rubina Kausar")
    challan = traffic.challan(plate)
    outbox = client.get("/api/traffic/sms-outbox", headers=login("tariq")).json()
    (sms,) = [m for m in outbox if challan["reference"] in m["body"]]
    assert sms["to_phone"] == "+923001234567" and sms["status"] == "queued" and "PKR 2000" in sms["body"]
    pdf = client.get(f"/api/traffic/challans/{challan['reference']}/notice.pdf", headers=login("tariq"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert ("traffic.challan.notice", "tariq") in _audit_actions(client, challan["reference"])
