"""Vehicle registry import: rejects carry row and field, plates are canonical, re-import is idempotent."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session
from tests.traffic.conftest import new_cnic, new_plate, vehicle_csv
from typer.testing import CliRunner

from safecity.traffic.registry import import_vehicles
from safecity.traffic.repository import TrafficRepository


def test_bad_rows_are_reported_with_line_and_field_and_good_rows_are_stored(db_session: Session) -> None:
    good, other = new_plate(), new_plate()
    text = vehicle_csv(
        [
            {"plate": good.replace("-", " ").lower(), "owner": "Asif Iqbal", "cnic": "4210112345671"},
            {"plate": "??!!", "owner": "Nobody", "cnic": new_cnic()},
            {"plate": other, "owner": "Saima Bibi", "cnic": "12345"},
            {"plate": good, "owner": "Asif Iqbal", "cnic": "42101-1234567-1"},
            {"plate": new_plate(), "owner": "", "cnic": new_cnic()},
            {"plate": new_plate(), "owner": "Zafar", "cnic": new_cnic(), "mobile": "12"},
        ]
    ).decode()
    report = import_vehicles(db_session, text=text, actor=None)
    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    assert [(r.row, r.field) for r in report.rejects] == [
        (3, "registration_no"),
        (4, "owner_cnic"),
        (5, "registration_no"),
        (6, "owner_name"),
        (7, "owner_phone"),
    ]
    assert "repeats line 2" in report.rejects[2].reason
    stored = TrafficRepository(db_session).vehicle(good)
    assert stored is not None
    assert (stored.owner_cnic, stored.raw_plate, stored.owner_phone) == (
        "42101-1234567-1",
        good.replace("-", " ").lower(),
        "+923001234567",
    )


def test_reimporting_the_same_file_changes_nothing_and_a_changed_row_updates(db_session: Session) -> None:
    plate = new_plate()
    rows = [{"plate": plate, "owner": "Kamran Ali", "cnic": new_cnic()}]
    first = import_vehicles(db_session, text=vehicle_csv(rows).decode(), actor=None)
    again = import_vehicles(db_session, text=vehicle_csv(rows).decode(), actor=None)
    assert (first.created, again.created, again.unchanged, again.updated) == (1, 0, 1, 0)
    rows[0]["colour"] = "Silver"
    changed = import_vehicles(db_session, text=vehicle_csv(rows).decode(), actor=None)
    assert changed.updated == 1
    vehicle = TrafficRepository(db_session).vehicle(plate)
    assert vehicle is not None and vehicle.colour == "Silver"


def test_a_file_without_a_required_column_is_refused_naming_it(db_session: Session) -> None:
    from safecity.core.errors import InvalidInput

    try:
        import_vehicles(db_session, text="Registration No,Owner Name\nLEA-1234,X\n", actor=None)
    except InvalidInput as exc:
        assert exc.field == "owner_cnic"
    else:
        raise AssertionError("a file without CNIC must be refused")


def test_the_api_import_reports_rejects(client, login) -> None:  # type: ignore[no-untyped-def]
    body = vehicle_csv(
        [{"plate": new_plate(), "owner": "A", "cnic": new_cnic()}, {"plate": "x", "owner": "B", "cnic": "1"}]
    )
    response = client.post(
        "/api/traffic/vehicles/import", files={"file": ("e.csv", io.BytesIO(body))}, headers=login("tariq")
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1
    assert [(r["row"], r["field"]) for r in response.json()["rejects"]] == [(3, "registration_no")]
    refused = client.post(
        "/api/traffic/vehicles/import", files={"file": ("e.csv", io.BytesIO(body))}, headers=login("alice")
    )
    assert refused.status_code == 403


def test_the_cli_imports_and_writes_a_reject_file(tmp_path, api_db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from safecity.cli import app

    source = tmp_path / "excise.csv"
    source.write_bytes(
        vehicle_csv(
            [
                {"plate": new_plate(), "owner": "A", "cnic": new_cnic()},
                {"plate": "--", "owner": "B", "cnic": new_cnic()},
            ]
        )
    )
    rejects = tmp_path / "rejects.csv"
    monkeypatch.setenv("SAFECITY_DATABASE_URL", api_db_url)
    args = ["traffic", "import-vehicles", str(source), "--rejects", str(rejects)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "accepted 1" in result.output
    assert rejects.read_text().splitlines() == ["row,field,reason", rejects.read_text().splitlines()[1]]
    assert rejects.read_text().splitlines()[1].startswith("3,registration_no,")
    second = CliRunner().invoke(app, args)
    assert "unchanged 1" in second.output
