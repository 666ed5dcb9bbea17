"""One Jinja2 environment for every page, with per-request translations."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from safecity.core.auth import User
from safecity.web.i18n import RTL_LANGUAGES, pick_language, translations
from safecity.web.nav import menu_for

__all__ = ["LANG_COOKIE", "render"]

LANG_COOKIE = "safecity_lang"
_TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
)


def _local_time(value: datetime | None, tz: str = "Asia/Karachi") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


_env.filters["localtime"] = _local_time


def render(
    request: Request, template: str, *, user: User | None = None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    lang = pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
    trans = translations(lang)

    def gettext(message: str, **variables: Any) -> str:
        """New-style gettext: ``_("Welcome, %(name)s", name=...)`` formats after translating."""
        text = trans.gettext(message)
        return text % variables if variables else text

    def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        text = trans.ngettext(singular, plural, n)
        return text % {"num": n, **variables}

    page = _env.get_template(template)
    html = page.render(
        request=request,
        user=user,
        menu=menu_for(user) if user else [],
        lang=lang,
        dir="rtl" if lang in RTL_LANGUAGES else "ltr",
        gettext=gettext,
        ngettext=ngettext,
        _=gettext,
        synthetic=getattr(request.app.state.settings, "demo_mode", False),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
