"""Records web pages: the HTMX person search and the police verification workflow through forms."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.records.conftest import make_cnic

from safecity.core.audit import AuditEntry
from safecity.records.models import VerificationRequest


def _cookie_login(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": f"{username}-demo-2026"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_the_search_page_refuses_a_search_without_a_purpose_on_the_page(client, login) -> None:  # type: ignore[no-untyped-def]
    _cookie_login(client, "bob")
    page = client.get("/records/search")
    assert page.status_code == 200 and 'hx-get="/records/search/results"' in page.text
    fragment = client.get("/records/search/results", params={"name": "Asif", "purpose": " "})
    assert 'id="search-error"' in fragment.text and "purpose" in fragment.text


def test_the_search_fragment_ranks_and_explains_each_field_and_is_audited(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    cnic = make_cnic(rng)
    client.post(
        "/api/persons",
        json={"unit": "KOR-LND", "name_roman": "Zulfiqar Haider", "cnic": cnic, "gender": "M"},
        headers=login("bob"),
    )
    _cookie_login(client, "bob")
    purpose = f"page test {cnic}"
    fragment = client.get(
        "/records/search/results", params={"name": "Zulfikar Haidar", "cnic": cnic[:8], "purpose": purpose}
    )
    assert 'id="search-results"' in fragment.text
    row = fragment.text.split('class="hit"')[1]
    assert "Zulfiqar Haider" in row and cnic in row
    assert "<td>name</td>" in row and "<td>cnic</td>" in row
    with client.app.state.sessionmaker() as session:
        assert (
            session.scalar(select(AuditEntry.action).where(AuditEntry.purpose == purpose)) == "person.search"
        )


def test_a_citizen_files_a_request_and_an_officer_approves_it_through_the_pages(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    _cookie_login(client, "charlie")
    form = {"unit": "khi-kor", "full_name": "Page Applicant", "purpose": "visa", "cnic": make_cnic(rng)}
    filed = client.post("/records/verifications", data=form, follow_redirects=False)
    assert filed.status_code == 303
    detail = filed.headers["location"]
    assert "Waiting for the records office" in client.get(detail).text
    assert 'id="run-check"' not in client.get(detail).text  # a citizen cannot check records

    _cookie_login(client, "bob")
    assert "Page Applicant" in client.get("/records/verifications").text
    client.post(f"{detail}/check")
    assert 'id="no-findings"' in client.get(detail).text
    client.post(f"{detail}/decision", data={"approve": "yes", "reason": ""})
    page = client.get(detail).text
    assert 'id="certificate-link"' in page
    verify = page.split('id="verify-link"')[0].rsplit('href="', 1)[1].split('"')[0]
    client.cookies.clear()
    public = client.get(verify)
    assert public.status_code == 200 and "Page Applicant" in public.text and "Valid" in public.text


def test_a_bad_request_form_shows_the_error_and_keeps_nothing(client, login) -> None:  # type: ignore[no-untyped-def]
    _cookie_login(client, "charlie")
    form = {"unit": "KHI-KOR", "full_name": "Bad Card", "purpose": "visa", "cnic": "12345"}
    response = client.post("/records/verifications", data=form)
    assert response.status_code == 422
    assert 'id="form-error"' in response.text and "13 digits" in response.text
    with client.app.state.sessionmaker() as session:
        kept = session.scalar(select(VerificationRequest).where(VerificationRequest.full_name == "Bad Card"))
    assert kept is None


def test_the_menu_offers_records_pages_by_role(client, login) -> None:  # type: ignore[no-untyped-def]
    _cookie_login(client, "bob")
    home = client.get("/").text
    assert 'href="/records/search"' in home and 'href="/records/verifications"' in home
    _cookie_login(client, "charlie")
    home = client.get("/").text
    assert 'href="/records/search"' not in home and 'href="/records/verifications"' in home
    assert client.get("/records/search").status_code == 403
