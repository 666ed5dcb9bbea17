"""The police verification certificate as a PDF, with a QR code of its public verification URL.

The QR code carries only the URL (an unguessable code), never personal
data, so a photocopy or a photo of the certificate reveals nothing that the
paper itself does not. Names recorded in Urdu script are printed in Urdu
(core/pdf.py sets them in Noto Naskh Arabic); the rest is English, as on the CNIC.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import qrcode
from PIL import Image

from safecity.core.pdf import new_document, row, text_block

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


def render_certificate(text: CertificateText) -> bytes:
    """The certificate, one A4 page; returns the PDF bytes."""
    pdf = new_document(f"Police verification certificate {text.ref}")
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
    row(pdf, "Reference", text.ref)
    row(pdf, "Name", text.full_name + (f" {text.relation_line}" if text.relation_line else ""))
    row(pdf, "Identity document", text.identity_line)
    row(pdf, "District", text.district)
    row(pdf, "Purpose", text.purpose)
    row(pdf, "Issued on", text.issued_on.isoformat())
    row(pdf, "Issued by", text.issued_by)
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    statement = (
        f"The records of {text.district} police were checked for the person named above. "
        "Nothing was found on record that prevents the issue of this certificate on the date of issue."
    )
    text_block(pdf, statement)
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
    text_block(pdf, text.verify_url, height=5, size=9, family="Courier", link=text.verify_url)
    return bytes(pdf.output())
