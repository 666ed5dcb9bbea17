"""The police verification certificate as a PDF, with a QR code of its public verification URL.

The QR code carries only the URL (an unguessable code), never personal
data, so a photocopy or a photo of the certificate reveals nothing that the
paper itself does not. The PDF uses the core Helvetica font, which covers
Latin-1 only: names are printed in Roman letters (as on the CNIC).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import qrcode
from fpdf import FPDF
from PIL import Image

__all__ = ["CertificateText", "qr_png", "render_certificate"]


@dataclass(frozen=True)
class CertificateText:
    ref: str
    full_name: str
    relation_line: str  # "s/o Ghulam Rasool", or ""
    identity_line: str  # "CNIC 42101-1234567-1", "Passport GBR 123456789"
    district: str
    purpose: str
    issued_on: date
    issued_by: str
    verify_url: str
    demo: bool = False


def qr_png(value: str, *, box_size: int = 8) -> bytes:
    """A PNG of a QR code holding ``value`` (error correction M: survives a creased printout)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(value)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def _latin1(text: str) -> str:
    """Core PDF fonts are Latin-1: anything else becomes '?', visibly, rather than failing."""
    return text.encode("latin-1", errors="replace").decode("latin-1")


def _row(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(48, 8, _latin1(label))
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 8, _latin1(value), new_x="LMARGIN", new_y="NEXT")


def render_certificate(text: CertificateText) -> bytes:
    """The certificate, one A4 page; returns the PDF bytes."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"Police verification certificate {text.ref}")
    pdf.set_author("safecity")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, "Police Verification Certificate", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 7, "(Character certificate)", new_x="LMARGIN", new_y="NEXT", align="C")
    if text.demo:
        pdf.set_text_color(170, 0, 0)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(
            0, 8, "DEMO - SYNTHETIC DATA - NOT A VALID CERTIFICATE", new_x="LMARGIN", new_y="NEXT", align="C"
        )
        pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    _row(pdf, "Reference", text.ref)
    _row(pdf, "Name", text.full_name + (f" {text.relation_line}" if text.relation_line else ""))
    _row(pdf, "Identity document", text.identity_line)
    _row(pdf, "District", text.district)
    _row(pdf, "Purpose", text.purpose)
    _row(pdf, "Issued on", text.issued_on.isoformat())
    _row(pdf, "Issued by", text.issued_by)
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    statement = (
        f"The records of {text.district} police were checked for the person named above. "
        "Nothing was found on record that prevents the issue of this certificate on the date of issue."
    )
    pdf.multi_cell(0, 7, _latin1(statement), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    top = pdf.get_y()
    # 8-bit grey, so the PDF holds it as Flate-compressed PNG scanlines that any reader decodes
    qr = Image.open(io.BytesIO(qr_png(text.verify_url))).convert("L")
    pdf.image(qr, x=pdf.l_margin, y=top, w=45, h=45, link=text.verify_url)
    pdf.set_xy(pdf.l_margin + 50, top + 8)
    pdf.multi_cell(
        0,
        6,
        "Scan the code, or open the address below, to check that this certificate is genuine "
        "and has not been revoked:",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_x(pdf.l_margin + 50)
    pdf.set_font("Courier", "", 9)
    pdf.multi_cell(0, 5, _latin1(text.verify_url), link=text.verify_url, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
