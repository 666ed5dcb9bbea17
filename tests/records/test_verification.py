"""Police verification: request → check → approve → PDF with a QR code that resolves at a public URL."""

from __future__ import annotations

import re
import struct
import zlib
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.records.conftest import make_cnic

from safecity.core.audit import AuditEntry


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def qr_value_in_pdf(pdf: bytes) -> str:
    """Decode the QR code printed in the PDF: its grey image stream *is* PNG IDAT data (predictor 15)."""
    cv2 = pytest.importorskip("cv2")
    numpy = pytest.importorskip("numpy")
    at = pdf.index(b"/Subtype /Image")
    start = pdf.rindex(b" obj", 0, at)
    head_end = pdf.index(b"stream\n", at)
    head = pdf[start:head_end]
    assert b"/Predictor 15" in head and b"/DeviceGray" in head, head
    width = int(re.search(rb"/Width (\d+)", head).group(1))  # type: ignore[union-attr]
    height = int(re.search(rb"/Height (\d+)", head).group(1))  # type: ignore[union-attr]
    length = int(re.search(rb"/Length (\d+)", head).group(1))  # type: ignore[union-attr]
    data = pdf[head_end + len(b"stream\n") : head_end + len(b"stream\n") + length]
    png = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )
    image = cv2.imdecode(numpy.frombuffer(png, dtype=numpy.uint8), cv2.IMREAD_GRAYSCALE)
    # OpenCV's classic detector misses about 2% of codes; the ArUco-based one read 200 of 200
    detectors = [getattr(cv2, "QRCodeDetectorAruco", cv2.QRCodeDetector)(), cv2.QRCodeDetector()]
    values = [str(d.detectAndDecode(image)[0]) for d in detectors]
    value = next((v for v in values if v), "")
    assert value, "no QR code could be read from the certificate"
    return value


def _request(client: TestClient, headers: dict[str, str], **fields: object) -> dict[str, object]:
    body = {"unit": "KHI-KOR", "full_name": "Nadeem Akhtar", "purpose": "employment abroad", **fields}
    response = client.post("/api/verifications", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_request_approve_pdf_and_its_qr_code_resolves_at_the_public_url(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    cnic = make_cnic(rng)
    # A name no other test uses: the API database is shared, and its records check must come back clean.
    made = _request(
        client,
        login("charlie"),
        cnic=cnic,
        full_name="Zartasha Qizilbash",
        relation="d/o",
        relative_name="Sikandar Qizilbash",
    )
    assert made["status"] == "requested" and str(made["ref"]).startswith("PV-KHI-KOR-")
    vid = made["id"]
    bob = login("bob")

    early = client.post(f"/api/verifications/{vid}/decision", json={"approve": True}, headers=bob)
    assert early.status_code == 409, "a decision before the records check must be refused"

    checked = client.post(f"/api/verifications/{vid}/check", headers=bob)
    assert checked.status_code == 200, checked.text
    assert checked.json()["findings"] == []
    approved = client.post(f"/api/verifications/{vid}/decision", json={"approve": True}, headers=bob)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"

    pdf = client.get(f"/api/verifications/{vid}/certificate.pdf", headers=login("charlie"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    url = qr_value_in_pdf(pdf.content)
    assert url.endswith(approved.json()["verify_path"])

    public = client.get(urlparse(url).path)  # no credentials at all
    assert public.status_code == 200
    assert "Valid" in public.text and "Zartasha Qizilbash" in public.text
    assert cnic not in public.text and "employment abroad" not in public.text
    as_json = client.get(urlparse(url).path, headers={"Accept": "application/json"}).json()
    assert as_json["valid"] is True and as_json["name"] == "Zartasha Qizilbash"
    assert set(as_json) == {"ref", "name", "issued_on", "valid", "revoked_on"}


def test_a_revoked_certificate_shows_as_revoked_at_the_public_url(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    vid = _request(client, login("omar"), cnic=make_cnic(rng), full_name="Revoked Holder")["id"]
    bob = login("bob")
    client.post(f"/api/verifications/{vid}/check", headers=bob)
    path = client.post(f"/api/verifications/{vid}/decision", json={"approve": True}, headers=bob).json()[
        "verify_path"
    ]
    revoked = client.post(f"/api/verifications/{vid}/revoke", json={"reason": "issued in error"}, headers=bob)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    body = client.get(path, headers={"Accept": "application/json"}).json()
    assert body["valid"] is False and body["revoked_on"] is not None
    assert "Revoked" in client.get(path).text
    assert client.get(f"/api/verifications/{vid}/certificate.pdf", headers=bob).status_code == 409


def test_an_unknown_code_is_not_found_publicly(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/verify/not-a-real-code")
    assert response.status_code == 404
    assert "Not found" in response.text


def test_a_refusal_needs_a_reason_and_then_issues_no_certificate(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    vid = _request(client, login("charlie"), cnic=make_cnic(rng))["id"]
    bob = login("bob")
    client.post(f"/api/verifications/{vid}/check", headers=bob)
    bare = client.post(f"/api/verifications/{vid}/decision", json={"approve": False}, headers=bob)
    assert bare.status_code == 422 and bare.json()["field"] == "reason"
    refused = client.post(
        f"/api/verifications/{vid}/decision",
        json={"approve": False, "reason": "applicant did not appear for identification"},
        headers=bob,
    )
    assert refused.json()["status"] == "refused" and refused.json()["verify_path"] is None
    assert (
        client.get(f"/api/verifications/{vid}/certificate.pdf", headers=login("charlie")).status_code == 409
    )


def test_the_check_finds_a_person_on_record_and_approval_then_needs_a_reason(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    cnic = make_cnic(rng)
    bob = login("bob")
    person = client.post(
        "/api/persons",
        json={"unit": "KOR-LND", "name_roman": "Shahid Mehmood", "cnic": cnic, "gender": "M"},
        headers=bob,
    ).json()
    fir = client.post(
        "/api/firs",
        json={
            "station": "KOR-LND",
            "registered_at": "2026-02-01T10:00:00+05:00",
            "sections": ["PPC 379"],
            "accused_person_ids": [person["id"]],
        },
        headers=bob,
    ).json()
    made = _request(client, login("charlie"), full_name="Shahid Mahmood", cnic=cnic)
    vid = made["id"]
    findings = client.post(f"/api/verifications/{vid}/check", headers=bob).json()["findings"]
    assert [f["person_id"] for f in findings] == [person["id"]]
    assert findings[0]["firs_accused"] == [fir["ref"]]
    assert {line["field"] for line in findings[0]["explanation"]} == {"name", "cnic"}
    bare = client.post(f"/api/verifications/{vid}/decision", json={"approve": True}, headers=bob)
    assert bare.status_code == 422 and bare.json()["field"] == "reason"
    with client.app.state.sessionmaker() as session:
        purposes = session.scalars(select(AuditEntry.purpose).where(AuditEntry.action == "person.search"))
        assert f"police verification {made['ref']}" in set(purposes)


def test_a_request_needs_a_cnic_or_a_nicop_or_passport(client, login) -> None:  # type: ignore[no-untyped-def]
    body = {"unit": "KHI-KOR", "full_name": "No Papers", "purpose": "visa"}
    missing = client.post("/api/verifications", json=body, headers=login("charlie"))
    assert missing.status_code == 422 and missing.json()["field"] == "cnic"
    bad = client.post(
        "/api/verifications", json={**body, "cnic": "92101-1234567-1"}, headers=login("charlie")
    )
    assert bad.status_code == 422 and "province" in bad.json()["detail"]
    made = _request(
        client,
        login("charlie"),
        full_name="Overseas Son",
        document_type="passport",
        document_number="ab1234567",
    )
    assert made["cnic"] is None and made["document_number"] == "AB1234567"


def test_officers_of_another_district_and_other_citizens_cannot_see_a_request(  # type: ignore[no-untyped-def]
    client, login, rng, south_records_officer
) -> None:
    vid = _request(client, login("charlie"), cnic=make_cnic(rng))["id"]
    assert client.get(f"/api/verifications/{vid}", headers=south_records_officer).status_code == 404
    assert client.post(f"/api/verifications/{vid}/check", headers=south_records_officer).status_code == 404
    assert client.post(f"/api/verifications/{vid}/check", headers=login("charlie")).status_code == 403
    assert client.get(f"/api/verifications/{vid}", headers=login("bob")).status_code == 200
    mine = client.get("/api/verifications", headers=login("charlie")).json()
    assert vid in [r["id"] for r in mine]
