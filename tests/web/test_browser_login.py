"""A person logs in through the real page in headless Chromium and sees the shell."""

from __future__ import annotations

import pytest
from tests.web.conftest import CHROMIUM, SHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def test_a_dispatcher_logs_in_and_sees_her_menu_and_jurisdiction(page, server: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{server}/")
    assert page.url.startswith(f"{server}/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "alice-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    assert "Welcome, Alice Baloch" in page.content()
    menu = page.locator("nav.menu a").all_inner_texts()
    assert "Organisation" in menu and "Users" not in menu
    assert "District Korangi" in page.inner_text("main")
    assert "SYNTHETIC" in page.inner_text(".synthetic-banner")
    page.screenshot(path=str(SHOTS / "home-alice-en.png"), full_page=True)


def test_a_wrong_password_shows_an_error_on_the_page(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/login")
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", "not-his-password")
    page.click("button[type=submit]")
    assert "wrong username or password" in page.inner_text("#login-error")
    page.screenshot(path=str(SHOTS / "login-error.png"))


def test_urdu_switches_the_page_to_right_to_left(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/login")
    page.click("a.lang")
    page.wait_for_selector("html[dir=rtl]")
    assert page.get_attribute("html", "lang") == "ur"
    assert "لاگ ان" in page.inner_text("h1")
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", "bob-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    assert "خوش آمدید" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "home-bob-ur.png"), full_page=True)
