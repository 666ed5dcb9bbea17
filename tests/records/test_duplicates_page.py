"""The duplicate-person review pages: the queue, both records side by side, merge and unmerge by clicking."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.records.conftest import make_cnic
from tests.records.test_duplicates_api import FATHERS, GIVEN, SURNAMES, _register
from tests.web.conftest import CHROMIUM, SHOTS, page, server  # noqa: F401  (fixtures)

from safecity.core.audit import AuditEntry


def _cookie_login(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": f"{username}-demo-2026"}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def _proposal_id(html: str, pair: tuple[int, int]) -> int:
    found = re.search(rf'<tr data-id="(\d+)" data-a="{pair[0]}" data-b="{pair[1]}">', html)
    assert found, f"pair {pair} is not in the queue"
    return int(found.group(1))


def test_only_reviewers_see_the_queue_and_its_menu_entry(client, login) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/records/duplicates", headers=login("alice")).status_code == 403
    assert client.get("/records/duplicates", headers=login("charlie")).status_code == 403
    queue = client.get("/records/duplicates", headers=login("bob"))
    assert queue.status_code == 200
    assert 'href="/records/duplicates"' in queue.text and 'id="scan"' in queue.text
    assert 'href="/records/duplicates"' not in client.get("/", headers=login("alice")).text


def test_a_decision_without_a_reason_is_refused_on_the_page_and_nothing_changes(client, login) -> None:  # type: ignore[no-untyped-def]
    twins = _register(client, login("bob"))
    _cookie_login(client, "bob")
    scanned = client.post("/records/duplicates/scan", follow_redirects=False)
    assert scanned.status_code == 303 and "proposed=" in scanned.headers["location"]
    proposal = _proposal_id(client.get("/records/duplicates").text, twins[0])

    detail = client.get(f"/records/duplicates/{proposal}")
    assert detail.status_code == 200
    assert 'data-field="name"' in detail.text and 'class="chip agree"' in detail.text
    assert "Mohd. Asif" in detail.text and "Muhammad Asif" in detail.text
    refused = client.post(
        f"/records/duplicates/{proposal}/decision", data={"decision": "merge", "reason": " "}
    )
    assert refused.status_code == 422 and 'id="form-error"' in refused.text and "reason" in refused.text
    assert (
        client.get(f"/api/records/duplicates/{proposal}", headers=login("bob")).json()["status"] == "pending"
    )
    with client.app.state.sessionmaker() as session:
        purposes = session.scalars(
            select(AuditEntry.purpose).where(
                AuditEntry.action == "person.read", AuditEntry.object_id == str(twins[0][0])
            )
        ).all()
    assert f"duplicate review, proposal {proposal}" in purposes  # opening the proposal is an audited read


def test_not_the_same_person_is_recorded_with_its_reason(client, login) -> None:  # type: ignore[no-untyped-def]
    twins = _register(client, login("bob"))
    _cookie_login(client, "bob")
    client.post("/records/duplicates/scan")
    proposal = _proposal_id(client.get("/records/duplicates").text, twins[1])
    reason = "different fathers and villages on the two registers"
    done = client.post(
        f"/records/duplicates/{proposal}/decision", data={"decision": "not_same", "reason": reason}
    )
    assert done.status_code == 200 and reason in done.text and 'data-status="not_same"' in done.text
    closed = client.get("/records/duplicates", params={"tab": "closed"}).text
    assert f'data-id="{proposal}"' in closed
    assert f'data-id="{proposal}"' not in client.get("/records/duplicates").text


def _person(pg: Any, server: str, **fields: object) -> int:  # noqa: F811
    body = {"unit": "KOR-LND", "gender": "M", "relation": "s/o", **fields}
    response = pg.request.post(f"{server}/api/persons", data=body)
    assert response.status == 201, response.text()
    return int(response.json()["id"])


def _seed(pg: Any, server: str) -> tuple[int, int]:  # noqa: F811
    """40 people and one man written twice, born on a random day (the database outlives a test)."""
    rng, cnics = random.Random(7), random.Random()
    for _ in range(40):
        _person(
            pg,
            server,
            name_roman=f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}",
            relative_name_roman=rng.choice(FATHERS),
            date_of_birth=f"{rng.randrange(1960, 2004)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}",  # noqa: E501
            cnic=make_cnic(cnics),
        )
    born = f"{random.randrange(1970, 2000)}-{random.randrange(1, 13):02d}-{random.randrange(1, 28):02d}"
    phone = f"0300-{random.randrange(10**6, 10**7)}"
    a = _person(
        pg,
        server,
        name_roman="Shahzaib Khanzada",
        name_urdu="شاہزیب خانزادہ",
        relative_name_roman="Rafaqat Ali",
        date_of_birth=born,
        phones=[phone],
        cnic=make_cnic(cnics),
    )
    b = _person(
        pg,
        server,
        unit="KOR-KRG",
        name_roman="Shahzeb Khanzadah",
        relative_name_roman="Rafaqat Ali",
        date_of_birth=born,
        phones=[phone],
    )
    return min(a, b), max(a, b)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_a_records_officer_merges_a_proposal_and_unmerges_it_by_clicking(page, server: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{server}/login")
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", "bob-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    pair = _seed(page, server)

    page.click("nav.menu a[href='/records/duplicates']")
    page.click("#scan button")
    page.wait_for_selector("#scan-result")
    row = page.locator(f"#proposals tr[data-a='{pair[0]}'][data-b='{pair[1]}']")
    assert "Shahzaib Khanzada" in row.inner_text() and "Shahzeb Khanzadah" in row.inner_text()
    assert row.locator(".chip.agree").count() >= 3  # name, father's name, date of birth, phone...
    page.screenshot(path=str(SHOTS / "records-duplicates-queue.png"), full_page=True)

    row.locator("a.button-link").click()
    page.wait_for_selector("#compare")
    assert page.get_attribute("#status", "data-status") == "pending"
    assert "agree" in page.inner_text("#compare tr[data-field=date_of_birth]")
    assert "missing" in page.inner_text("#compare tr[data-field=cnic]")
    page.click("#merge")  # no reason yet: the browser itself refuses
    assert page.get_attribute("#status", "data-status") == "pending"
    page.fill("#reason", "Same man, same phone and date of birth; the Korangi entry spells the name loosely")
    page.screenshot(path=str(SHOTS / "records-duplicates-review.png"), full_page=True)
    page.click("#merge")
    page.wait_for_selector("#decided")
    assert page.get_attribute("#status", "data-status") == "merged"
    assert page.inner_text("#survivor").strip() == f"#{pair[0]}"

    page.goto(f"{server}/records/duplicates?tab=merged")
    merged = page.locator(f"#proposals tr[data-a='{pair[0]}'][data-b='{pair[1]}']")
    merged.locator("input[name=reason]").fill("Different CNIC found on the Korangi copy")
    page.screenshot(path=str(SHOTS / "records-duplicates-merged.png"), full_page=True)
    merged.locator("button", has_text="Unmerge").click()
    page.wait_for_selector("#decided")
    assert page.get_attribute("#status", "data-status") == "unmerged"
    assert "Different CNIC" in page.inner_text("#decision-reason")
    person = page.request.get(f"{server}/api/persons/{pair[1]}", params={"purpose": "check the unmerge"})
    assert person.status == 200
    page.screenshot(path=str(SHOTS / "records-duplicates-unmerged.png"), full_page=True)
