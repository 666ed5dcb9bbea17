"""English and Urdu (right-to-left) through Babel message catalogues.

Catalogues live in ``web/locale/<lang>/LC_MESSAGES/messages.po``; the
compiled ``.mo`` files ship in the package (``scripts/i18n.sh`` rebuilds them).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

__all__ = ["LANGUAGES", "RTL_LANGUAGES", "pick_language", "translations"]

LANGUAGES = ("en", "ur")
RTL_LANGUAGES = frozenset({"ur"})
_LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@cache
def translations(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(_LOCALE_DIR), [lang], domain="messages")


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """An explicit choice (cookie) wins; otherwise the browser's first supported language."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"
