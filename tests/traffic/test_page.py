"""The /traffic page: a traffic officer sees work queues and acts on them through HTMX forms."""

from __future__ import annotations

import pytest
from tests.traffic.conftest import TrafficApi, new_cnic, new_plate
from tests.web.conftest import CHROMIUM, SHOTS


def test_the_page_lists_pending_violations_and_verifying_issues_a_challan(
    traffic: TrafficApi, client, login
) -> None:  # type: ignore[no-untyped-def]
    plate = new_plate()
    traffic.register(plate, new_cnic())
    violation = traffic.red_light(plate)
    page = client.get("/traffic", headers=login("tariq"))
    assert page.status_code == 200
    assert violation["reference"] in page.text and "Violations to verify" in page.text
    assert 'href="/traffic"' in page.text  # the menu entry
    panels = client.post(f"/traffic/violations/{violation['id']}/verify", headers=login("tariq"))
    assert panels.status_code == 200 and "<html" not in panels.text
    challans = client.get("/api/traffic/challans", headers=login("tariq")).json()
    (mine,) = [c for c in challans if c["violation_id"] == violation["id"]]
    assert mine["reference"] in panels.text and mine["status"] == "issued"
    refused = client.post(f"/traffic/violations/{violation['id']}/verify", headers=login("tariq"))
    assert "already verified" in refused.text


def test_a_dispatcher_has_no_traffic_page(client, login) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/traffic", headers=login("alice")).status_code == 403


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_a_traffic_officer_reviews_a_dispute_in_the_browser(
    page, server: str, traffic: TrafficApi, client, login
) -> None:  # type: ignore[no-untyped-def]
    plate, cnic = new_plate(), new_cnic()
    traffic.register(plate, cnic, owner="Shahid Hussain")
    ref = traffic.challan(plate)["reference"]
    traffic.red_light(new_plate())
    client.post(
        f"/api/traffic/challans/{ref}/dispute",
        json={"cnic": cnic, "reason": "vehicle was sold in March"},
        headers=login("charlie"),
    )
    page.goto(f"{server}/login?next=/traffic")
    page.fill("input[name=username]", "tariq")
    page.fill("input[name=password]", "tariq-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/traffic")
    row = page.locator("tr", has_text=ref).first
    row.locator("button", has_text="Take for review").click()
    page.locator("tr", has_text=ref).first.locator("input[name=note]").wait_for()
    page.locator("tr", has_text=ref).first.locator("input[name=note]").fill("sale deed checked")
    page.locator("tr", has_text=ref).first.locator("button", has_text="Quash").click()
    page.locator("tr", has_text=ref).locator(".status.quashed").first.wait_for()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "traffic-tariq.png"), full_page=True)
    status = client.get(f"/api/traffic/challans/{ref}", headers=login("tariq")).json()["status"]
    assert status == "quashed"
