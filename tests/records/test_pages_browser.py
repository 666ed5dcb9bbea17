"""Records pages in headless Chromium: HTMX person search, the verification workflow, the public check."""

from __future__ import annotations

import random

import pytest
from tests.records.conftest import make_cnic
from tests.web.conftest import CHROMIUM, SHOTS, page, server  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def _login(pg, server: str, username: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    pg.context.clear_cookies()
    pg.goto(f"{server}/login")
    pg.fill("input[name=username]", username)
    pg.fill("input[name=password]", f"{username}-demo-2026")
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{server}/")


def test_a_records_officer_searches_and_sees_the_ranking_explained(page, server: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    rng = random.Random()
    _login(page, server, "bob")
    for name, father, urdu in (
        ("Muhammad Asif", "Ghulam Rasool", "محمد آصف"),
        ("Mohd. Asif", "Ghulam Rasul", None),
        ("Asif Iqbal", "Muhammad Iqbal", None),
    ):
        body = {"unit": "KOR-LND", "name_roman": name, "name_urdu": urdu, "gender": "M", "relation": "s/o"}
        body |= {"relative_name_roman": father, "cnic": make_cnic(rng)}
        assert page.request.post(f"{server}/api/persons", data=body).status == 201
    page.goto(f"{server}/records/search")
    page.fill("input[name=purpose]", "FIR 45/2026 KOR-LND: tracing the accused")
    page.fill("input[name=name]", "Mohammad Asif")
    page.fill("input[name=father_name]", "Ghulam Rasool")
    page.click("#person-search button[type=submit]")
    page.wait_for_selector("#search-results")
    first = page.locator("#search-results tr.hit").first.inner_text()
    assert "Muhammad Asif" in first and "father_name" in first
    page.screenshot(path=str(SHOTS / "records-search-bob.png"), full_page=True)


def test_a_certificate_goes_from_request_to_public_check(page, server: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    _login(page, server, "charlie")
    page.goto(f"{server}/records/verifications")
    page.fill("#new-request input[name=unit]", "KHI-KOR")
    page.fill("#new-request input[name=full_name]", "Charlie Masih")
    page.select_option("#new-request select[name=relation]", "s/o")
    page.fill("#new-request input[name=relative_name]", "Joseph Masih")
    page.fill("#new-request input[name=cnic]", make_cnic(random.Random()))
    page.fill("#new-request input[name=purpose]", "employment abroad")
    page.click("#new-request button[type=submit]")
    page.wait_for_selector("#status")
    detail = page.url
    page.screenshot(path=str(SHOTS / "records-verification-citizen.png"), full_page=True)

    _login(page, server, "bob")
    page.goto(f"{server}/records/verifications")
    page.screenshot(path=str(SHOTS / "records-verifications-queue.png"), full_page=True)
    page.goto(detail)
    page.click("#run-check")
    page.wait_for_selector("#decide")
    page.click("#approve")
    page.wait_for_selector("#certificate-link")
    assert page.inner_text("#status").strip() == "approved"
    page.screenshot(path=str(SHOTS / "records-verification-approved.png"), full_page=True)

    verify = page.get_attribute("#verify-link", "href")
    page.context.clear_cookies()
    page.goto(f"{server}{verify}")  # anyone, no login
    assert "Valid" in page.inner_text("#verdict")
    assert page.inner_text("#holder") == "Charlie Masih"
    page.screenshot(path=str(SHOTS / "records-verify-public.png"), full_page=True)
