"""Urdu on printed documents: shaped in the Naskh font, never replaced by '?'."""

from __future__ import annotations

import re
import zlib

from safecity.core.pdf import has_arabic_script, new_document, row


def _streams(pdf: bytes) -> str:
    """Every stream of the PDF, inflated where it is compressed, as Latin-1 text."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            out.append(raw.decode("latin-1"))
    return "\n".join(out)


def _document(value: str) -> bytes:
    pdf = new_document("test")
    row(pdf, "Name", value)
    return bytes(pdf.output())


def test_arabic_script_is_detected_in_urdu_only() -> None:
    assert has_arabic_script("محمد عمران")
    assert has_arabic_script("Imran s/o غلام")
    assert not has_arabic_script("Muhammad Imran 42201-1234567-3")


def test_urdu_name_is_embedded_in_the_naskh_font_with_its_letters() -> None:
    pdf = _document("محمد عمران خان")
    assert b"NotoNaskhArabic" in pdf
    text = _streams(pdf)
    # the font's ToUnicode map lets a reader copy the name: meem, ain, noon (U+0645, U+0639, U+0646)
    for code in ("0645", "0639", "0646"):
        assert f"<{code}>" in text
    assert "(?" not in text


def test_english_value_stays_in_the_core_font_as_plain_text() -> None:
    pdf = _document("Muhammad Imran Khan")
    assert b"/BaseFont /Helvetica" in pdf
    assert "(Muhammad Imran Khan)" in _streams(pdf)  # a core-font string, readable as it is
