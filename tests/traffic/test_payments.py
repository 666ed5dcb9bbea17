"""Bank reconciliation (matched, unmatched, duplicates) and the ≥ 5 unpaid challans watchlist."""

from __future__ import annotations

import io
from typing import Any

from tests.traffic.conftest import TrafficApi, new_cnic, new_plate

from safecity.anpr import service as anpr


def _bank_file(lines: list[tuple[str, str, str]]) -> bytes:
    rows = "".join(f"{txn},{ref},{amount},2026-11-21 10:15:00\n" for txn, ref, amount in lines)
    return ("Transaction ID,Challan No,Amount,Payment Date\n" + rows).encode()


def _reconcile(client: Any, login: Any, body: bytes) -> dict[str, Any]:
    response = client.post(
        "/api/traffic/payments/reconcile",
        files={"file": ("bank.csv", io.BytesIO(body))},
        headers=login("tariq"),
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_bank_file_is_matched_and_the_rest_reported(traffic: TrafficApi, client, login) -> None:  # type: ignore[no-untyped-def]
    plate = new_plate()
    traffic.register(plate, new_cnic())
    paid, short = traffic.challan(plate)["reference"], traffic.challan(plate)["reference"]
    txn = new_plate().replace("-", "")
    body = _bank_file(
        [
            (f"{txn}-1", paid, "2000"),
            (f"{txn}-2", short, "1500"),
            (f"{txn}-3", "ECH-2026-9999999", "2000"),
            (f"{txn}-1", paid, "2000"),
            (f"{txn}-4", paid, "2000"),
            (f"{txn}-5", paid, "lots"),
        ]
    )
    report = _reconcile(client, login, body)
    assert {k: report[k] for k in ("matched", "unmatched", "duplicate", "rejected")} == {
        "matched": 1,
        "unmatched": 2,
        "duplicate": 2,
        "rejected": 1,
    }
    outcomes = {(line["row"], line["outcome"], line["field"]) for line in report["lines"]}
    assert outcomes == {
        (2, "matched", None),
        (3, "unmatched", "amount"),
        (4, "unmatched", "challan"),
        (5, "duplicate", "transaction_id"),
        (6, "duplicate", "challan"),
        (7, "rejected", "amount"),
    }
    challan = client.get(f"/api/traffic/challans/{paid}", headers=login("tariq")).json()
    assert (challan["status"], challan["payment_ref"]) == ("paid", f"{txn}-1")
    again = _reconcile(client, login, body)
    assert (again["matched"], again["duplicate"]) == (0, 5)


def _listed(client: Any, plate: str) -> bool:
    with client.app.state.sessionmaker() as session:
        watchlist, _ = anpr.watchlist_for(session)
        return any(h.list_name == "unpaid_challans" and h.plate == plate for h in watchlist.match(plate))


def test_five_unpaid_challans_put_the_vehicle_on_the_watchlist_and_paying_takes_it_off(
    traffic: TrafficApi, client, login
) -> None:  # type: ignore[no-untyped-def]
    plate = new_plate()
    traffic.register(plate, new_cnic())
    refs = [traffic.challan(plate)["reference"] for _ in range(4)]
    assert not _listed(client, plate)
    refs.append(traffic.challan(plate)["reference"])
    assert _listed(client, plate)
    txn = new_plate().replace("-", "")
    report = _reconcile(client, login, _bank_file([(txn, refs[0], "2000")]))
    assert report["matched"] == 1
    assert not _listed(client, plate)
