"""PDF documents that print Urdu as well as English.

Certificates and e-challan notices carry names and addresses exactly as they
are on record, and many are recorded in Urdu script. The PDF core fonts
(Helvetica) cover Latin-1 only, so a value holding Arabic-script letters is
set in Noto Naskh Arabic (SIL OFL, vendored from the npm registry, shipped in
the package) with HarfBuzz shaping, which joins the letters and lays the run
right to left; everything else keeps Helvetica. Nothing is replaced by '?'.
"""

from __future__ import annotations

import re
from pathlib import Path

from fpdf import FPDF

__all__ = ["has_arabic_script", "new_document", "row", "text_block"]

_FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
_NASKH = "naskh"
# Arabic, Arabic Supplement, Arabic Extended-A and the presentation forms
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def has_arabic_script(text: str) -> bool:
    return _ARABIC.search(text) is not None


def new_document(title: str, *, author: str = "safecity") -> FPDF:
    """An A4 document with the Urdu font registered and one page added."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.add_font(_NASKH, "", str(_FONTS / "NotoNaskhArabic_400Regular.ttf"))
    pdf.add_font(_NASKH, "B", str(_FONTS / "NotoNaskhArabic_700Bold.ttf"))
    pdf.add_page()
    return pdf


def _set(pdf: FPDF, text: str, style: str, size: float, family: str) -> str:
    """Choose the font for ``text`` and return it as the font can print it."""
    if has_arabic_script(text):
        pdf.set_font(_NASKH, style.replace("I", ""), size)
        pdf.set_text_shaping(True)
        return text
    pdf.set_text_shaping(False)
    pdf.set_font(family, style, size)
    # Latin-1 is all a core font holds; any other letter outside Arabic script shows as '?'.
    return text.encode("latin-1", errors="replace").decode("latin-1")


def text_block(
    pdf: FPDF,
    text: str,
    *,
    height: float = 7,
    style: str = "",
    size: float = 11,
    family: str = "Helvetica",
    width: float = 0,
    link: str = "",
) -> None:
    """A paragraph that wraps; Urdu paragraphs are right-aligned, as they are read."""
    printable = _set(pdf, text, style, size, family)
    align = "R" if printable is text and has_arabic_script(text) else "L"
    pdf.multi_cell(width, height, printable, align=align, link=link, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_shaping(False)


def row(
    pdf: FPDF, label: str, value: str, *, label_width: float = 48, height: float = 8, size: float = 11
) -> None:
    """``label: value`` on one line (the value wraps under itself)."""
    pdf.cell(label_width, height, _set(pdf, label, "B", size, "Helvetica"))
    text_block(pdf, value, height=height, size=size)
