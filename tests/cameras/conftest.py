"""The browser fixtures of tests/web (a served app and headless Chromium), for the cameras page."""

from tests.web.conftest import page, server

__all__ = ["page", "server"]
