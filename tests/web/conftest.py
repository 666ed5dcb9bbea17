"""Browser fixtures: the app served by uvicorn in a thread, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from safecity.app import create_app
from safecity.core.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[str]:
    """Its own app instance, with the real lifespan (event bus, relay) running in the server's loop.

    Module-scoped on purpose: other test folders import this fixture, and with the in-process bus
    every running app's relay competes for the same outbox rows (one worker per database is the
    supported shape without NATS). A server left running by an earlier module would take the
    events that a later module's live stream waits for.
    """
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        pg = context.new_page()
        yield pg
        browser.close()
