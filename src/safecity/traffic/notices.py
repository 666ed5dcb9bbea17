"""What the owner receives: a PDF notice and an SMS through a pluggable gateway.

The default gateway only queues each message in ``traffic_sms_outbox`` (the
API lists it), so an installation without a carrier contract still has every
message it would have sent; a real carrier link registers another gateway
with `register_gateway` and is chosen by ``SAFECITY_TRAFFIC_SMS_GATEWAY``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from safecity.core.errors import InvalidInput
from safecity.core.pdf import new_document, row
from safecity.traffic.models import Challan, SmsMessage, Vehicle, Violation

__all__ = ["OutboxGateway", "SmsGateway", "gateway_named", "register_gateway", "render_notice", "sms_text"]

_LOCAL = ZoneInfo("Asia/Karachi")
_KIND_LABEL = {
    "red_light": "Crossing a red signal",
    "over_speed": "Over-speeding (average speed on a section)",
    "wrong_way": "Driving the wrong way",
    "no_helmet": "Riding without a helmet",
    "lane": "Lane violation",
}


class SmsGateway(Protocol):
    name: str

    def send(self, session: Session, *, to_phone: str, body: str, challan_id: int | None) -> SmsMessage: ...


class OutboxGateway:
    """Queue the message in the outbox table; a relay (or an operator) sends it later."""

    name = "outbox"

    def send(self, session: Session, *, to_phone: str, body: str, challan_id: int | None) -> SmsMessage:
        message = SmsMessage(to_phone=to_phone, body=body[:640], challan_id=challan_id, gateway=self.name)
        session.add(message)
        session.flush()
        return message


_GATEWAYS: dict[str, Callable[[], SmsGateway]] = {"outbox": OutboxGateway}


def register_gateway(name: str, factory: Callable[[], SmsGateway]) -> None:
    _GATEWAYS[name] = factory


def gateway_named(name: str) -> SmsGateway:
    factory = _GATEWAYS.get(name)
    if factory is None:
        raise InvalidInput(
            f"no SMS gateway {name!r}; known: {', '.join(sorted(_GATEWAYS))}", field="sms_gateway"
        )
    return factory()


def _local(at: datetime) -> str:
    return at.astimezone(_LOCAL).strftime("%d %b %Y %H:%M")


def sms_text(challan: Challan) -> str:
    return (
        f"Traffic e-challan {challan.reference}: {_KIND_LABEL[challan.kind.value]} by {challan.plate}. "
        f"Fine PKR {challan.fine_pkr}. Dispute by {_local(challan.dispute_until)} PKT. "
        "Pay at any bank with the challan number."
    )


def render_notice(challan: Challan, vehicle: Vehicle, violation: Violation) -> bytes:
    """The printable e-challan notice sent to the registered owner."""
    pdf = new_document(f"E-challan {challan.reference}")
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "Traffic Police - E-Challan Notice", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    rows = [
        ("Challan number", challan.reference),
        ("Issued", f"{_local(challan.issued_at)} PKT"),
        ("Registered owner", vehicle.owner_name),
        ("Address", vehicle.owner_address),
        ("Vehicle", f"{vehicle.plate} ({vehicle.make}, {vehicle.colour})"),
        ("Offence", _KIND_LABEL[challan.kind.value]),
        ("When", f"{_local(violation.at)} PKT"),
        ("Where", f"{violation.lat:.5f} N, {violation.lon:.5f} E"),
        ("Fine", f"PKR {challan.fine_pkr:,}"),
        ("Dispute until", f"{_local(challan.dispute_until)} PKT"),
    ]
    if violation.measured_kph is not None and violation.limit_kph is not None:
        rows.insert(
            6, ("Measured speed", f"{violation.measured_kph:.0f} km/h (limit {violation.limit_kph:.0f})")
        )
    for label, value in rows:
        row(pdf, label, value, label_width=45)
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        0,
        5,
        "Pay at any designated bank branch quoting the challan number. To dispute this notice, "
        "apply before the 'Dispute until' time above with the owner's CNIC; a traffic officer "
        "reviews every dispute.",
    )
    return bytes(pdf.output())
