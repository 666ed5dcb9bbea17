"""Reconciling a bank's collection file against issued challans.

Columns (titles matched loosely): ``transaction_id``, ``challan`` (the
challan number the payer quoted), ``amount`` (PKR) and ``paid_at`` (ISO 8601;
a time without a zone is read as Pakistan time, as banks print it). Each line
is *matched* (the challan becomes paid), *unmatched* (unknown challan, wrong
amount, or a challan that is not payable — kept for the finance desk), a
*duplicate* (a transaction already imported, or a second payment of the same
challan in the file), or *rejected* (a line that cannot be read), with its line
number and the field at fault.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from safecity.core.auth import User
from safecity.core.db import utcnow
from safecity.core.errors import InvalidInput
from safecity.traffic import service
from safecity.traffic.models import BankPayment, Challan, ChallanStatus, PaymentOutcome
from safecity.traffic.repository import TrafficRepository

__all__ = ["PaymentLine", "ReconcileReport", "reconcile"]

_LOCAL = ZoneInfo("Asia/Karachi")
_ALIASES = {
    "transaction_id": ("transaction_id", "txn_id", "transaction", "reference_no", "stan"),
    "challan": ("challan", "challan_no", "challan_number", "psid", "consumer_no"),
    "amount": ("amount", "amount_pkr", "paid_amount"),
    "paid_at": ("paid_at", "payment_date", "date", "value_date"),
}
_PAYABLE = (ChallanStatus.ISSUED, ChallanStatus.UPHELD)


@dataclass(frozen=True)
class PaymentLine:
    row: int
    transaction_id: str
    challan: str
    outcome: str  # matched | unmatched | duplicate | rejected
    field: str | None = None
    reason: str = ""


@dataclass
class ReconcileReport:
    lines: list[PaymentLine] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)


def _columns(header: list[str]) -> dict[str, str]:
    keys = {re.sub(r"[^a-z0-9]+", "_", h.strip().lower()).strip("_"): h for h in header}
    found: dict[str, str] = {}
    for name, aliases in _ALIASES.items():
        title = next((keys[a] for a in aliases if a in keys), None)
        if title is None:
            raise InvalidInput(f"the bank file has no {name} column", field=name)
        found[name] = title
    return found


def _parse(values: dict[str, str]) -> tuple[str, str, int, datetime]:
    txn, ref = values["transaction_id"], values["challan"].upper()
    if not txn:
        raise InvalidInput("transaction id is empty", field="transaction_id")
    if not ref:
        raise InvalidInput("challan number is empty", field="challan")
    try:
        amount = int(float(values["amount"].replace(",", "")))
    except ValueError as exc:
        raise InvalidInput(f"not an amount: {values['amount']!r}", field="amount") from exc
    try:
        paid_at = datetime.fromisoformat(values["paid_at"])
    except ValueError as exc:
        raise InvalidInput(f"not a date-time: {values['paid_at']!r}", field="paid_at") from exc
    return txn, ref, amount, paid_at if paid_at.tzinfo else paid_at.replace(tzinfo=_LOCAL)


def _problem(challan: Challan | None, amount: int) -> tuple[str, str] | None:
    if challan is None:
        return "challan", "no such challan"
    if challan.status not in _PAYABLE:
        return "challan", f"challan is {challan.status.value}, not payable"
    if amount != challan.fine_pkr:
        return "amount", f"paid {amount}, the fine is {challan.fine_pkr}"
    return None


def reconcile(session: Session, *, text: str, actor: User | None) -> ReconcileReport:
    """Apply a bank file; safe to run twice (the second run reports every line as a duplicate)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = _columns(list(reader.fieldnames or []))
    parsed: list[tuple[int, tuple[str, str, int, datetime]]] = []
    report = ReconcileReport()
    for record in reader:
        values = {name: (record.get(title) or "").strip() for name, title in columns.items()}
        try:
            parsed.append((reader.line_num, _parse(values)))
        except InvalidInput as exc:
            line = PaymentLine(
                reader.line_num,
                values["transaction_id"],
                values["challan"],
                "rejected",
                exc.field,
                exc.detail,
            )
            report.lines.append(line)
    repo = TrafficRepository(session)
    known = repo.known_transactions([p[1][0] for p in parsed])
    challans = repo.challans_by_reference(p[1][1] for p in parsed)
    seen: set[str] = set()
    for row, (txn, ref, amount, paid_at) in parsed:
        if txn in known or txn in seen:
            report.lines.append(
                PaymentLine(row, txn, ref, "duplicate", "transaction_id", "transaction already imported")
            )
            continue
        seen.add(txn)
        challan = challans.get(ref)
        if challan is not None and challan.payment_ref is not None and challan.status is ChallanStatus.PAID:
            report.lines.append(
                PaymentLine(row, txn, ref, "duplicate", "challan", f"already paid by {challan.payment_ref}")
            )
            _keep(
                session, txn, ref, amount, paid_at, PaymentOutcome.UNMATCHED, "second payment", challan, actor
            )
            continue
        problem = _problem(challan, amount)
        if problem is not None:
            report.lines.append(PaymentLine(row, txn, ref, "unmatched", *problem))
            _keep(session, txn, ref, amount, paid_at, PaymentOutcome.UNMATCHED, problem[1], challan, actor)
            continue
        assert challan is not None
        service.mark_paid(session, challan=challan, paid_at=paid_at, payment_ref=txn, actor=actor)
        _keep(session, txn, ref, amount, paid_at, PaymentOutcome.MATCHED, "", challan, actor)
        report.lines.append(PaymentLine(row, txn, ref, "matched"))
    session.flush()
    counts = {k: report.count(k) for k in ("matched", "unmatched", "duplicate", "rejected")}
    service._audit(
        session, actor, "traffic.payments.reconcile", "traffic_bank_payment", "file", details=counts
    )
    return report


def _keep(
    session: Session,
    txn: str,
    ref: str,
    amount: int,
    paid_at: datetime,
    outcome: PaymentOutcome,
    reason: str,
    challan: Challan | None,
    actor: User | None,
) -> None:
    session.add(
        BankPayment(
            transaction_id=txn,
            challan_reference=ref[:32],
            amount_pkr=amount,
            paid_at=paid_at,
            outcome=outcome,
            reason=reason[:300],
            challan_id=challan.id if challan else None,
            imported_at=utcnow(),
            imported_by=actor.username if actor else "system",
        )
    )
