"""The command-centre page shell: who may open it, which controls it offers, and its words."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

JS = Path(__file__).resolve().parents[2] / "src" / "safecity" / "web" / "static" / "js"


def _words(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="cc-text">(.*?)</script>', html, re.S)
    assert found is not None
    words: dict[str, Any] = json.loads(found.group(1))
    return words


def test_a_dispatcher_gets_intake_and_dispatch_controls(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/command", headers=login("alice"))
    assert response.status_code == 200
    assert 'data-can-dispatch="yes"' in response.text and 'data-can-intake="yes"' in response.text
    assert 'id="call-form"' in response.text
    assert "OpenStreetMap contributors" in response.text and "ODbL" in response.text


def test_a_call_taker_takes_calls_but_cannot_dispatch(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/command", headers=login("omar"))
    assert 'data-can-dispatch="no"' in response.text and 'data-can-intake="yes"' in response.text


def test_an_analyst_watches_without_a_call_form(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/command", headers=login("ayesha"))
    assert response.status_code == 200
    assert 'data-can-dispatch="no"' in response.text and 'id="call-form"' not in response.text


def test_a_citizen_is_refused_the_command_centre(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/command", headers=login("charlie")).status_code == 403


def test_every_word_the_script_uses_is_in_the_page(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    words = _words(client.get("/command", headers=login("alice")).text)
    script = "".join(p.read_text(encoding="utf-8") for p in JS.glob("command*.js"))
    used = set(re.findall(r"\bT\.([a-z_]+)", script))
    assert used and used <= set(words), sorted(used - set(words))
    for step in ("en_route", "on_scene"):  # built as T["to_" + status]
        assert f"to_{step}" in words
    for status in (
        "new",
        "dispatched",
        "en_route",
        "on_scene",
        "cleared",
        "closed",
        "available",
        "returning",
    ):
        assert status in words["status"]


def test_the_words_are_translated_in_urdu(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    client.cookies.set("safecity_lang", "ur")
    try:
        html = client.get("/command", headers=login("alice")).text
    finally:
        client.cookies.delete("safecity_lang")
    assert 'dir="rtl"' in html
    assert _words(html)["agency"]["police"] == "پولیس"


def test_the_camera_layer_and_plate_alerts_have_their_words_in_both_languages(  # type: ignore[no-untyped-def]
    client: TestClient, login
) -> None:
    english = client.get("/command", headers=login("alice")).text
    assert 'id="anpr-card"' in english and 'id="anpr-list"' in english
    words = _words(english)
    assert words["cam_status"]["never"] == "never heard from" and words["match"]["confusable"]
    client.cookies.set("safecity_lang", "ur")
    try:
        urdu = _words(client.get("/command", headers=login("alice")).text)
    finally:
        client.cookies.delete("safecity_lang")
    assert urdu["cam_status"]["offline"] == "آف لائن" and urdu["confirm"] == "تصدیق کریں"
    assert urdu["plate_alerts"] == "نمبر پلیٹ الرٹس" and urdu["cam_kind"]["anpr"] == "ANPR کیمرہ"
