"""Full verification of the stored audit log (`safecity audit verify`).

Two kinds of evidence, and the report names the earliest entry either implicates:

* entry level — every leaf hash is recomputed from the stored fields, indices
  must run 0, 1, 2 … without gaps, and times must strictly increase with the
  index (appends force that), so a changed, deleted or moved row is named;
* signed tree heads — the tree rebuilt from the recomputed leaves must give
  every stored checkpoint's root, and its signature must hold. This catches
  what row checks cannot: a tail deleted after a checkpoint, or a rewrite
  whose author also recomputed the leaf hashes. Such a rewrite can only be
  placed between two checkpoints, so the first entry after the last matching
  checkpoint is named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.core.audit_models import AuditCheckpoint
from safecity.core.audit_proofs import checkpoint_head
from safecity.core.audit_scan import scan_leaves
from safecity.core.merkle import MerkleTree
from safecity.core.tree_heads import TreeHeadVerifier

__all__ = ["VerifyReport", "verify_log"]

_MAX_PROBLEMS = 100


@dataclass(frozen=True, slots=True)
class _Problem:
    index: int | None
    reason: str


@dataclass(slots=True)
class VerifyReport:
    """Outcome of `verify_log`; ``first_bad_index`` is the earliest entry implicated, if any."""

    ok: bool
    first_bad_index: int | None
    reason: str
    entries: int
    checkpoints: int
    signatures_checked: bool
    root_hash: str
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "first_bad_index": self.first_bad_index,
            "reason": self.reason,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "signatures_checked": self.signatures_checked,
            "root_hash": self.root_hash,
            "problems": list(self.problems),
        }

    def __str__(self) -> str:
        status = "OK" if self.ok else f"FAILED at entry {self.first_bad_index}"
        return f"audit log {status}: {self.reason}"


@dataclass
class _EntryScan:
    leaves: bytearray = field(default_factory=bytearray)
    size: int = 0
    problems: list[_Problem] = field(default_factory=list)
    not_listed: int = 0

    def add(self, problem: _Problem) -> None:
        """Keep the first problems only: a mass rewrite must not exhaust memory."""
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.not_listed += 1

    @property
    def first_index(self) -> int | None:
        indices = [p.index for p in self.problems if p.index is not None]
        return min(indices) if indices else None


def _scan_entries(session: Session, chunk: int) -> _EntryScan:
    scan = _EntryScan()
    previous_at = ""
    for leaf in scan_leaves(session, chunk=chunk):
        index = leaf.leaf_index
        if index != scan.size:
            what = f"entry {scan.size} is missing (deleted?)" if index > scan.size else f"bad index {index}"
            scan.add(_Problem(scan.size, f"{what}: the next stored entry is {index}"))
            scan.size = index
        if leaf.recomputed.hex() != leaf.stored:
            scan.add(_Problem(index, f"entry {index} does not match its leaf hash (changed or moved)"))
        if leaf.at <= previous_at:
            scan.add(
                _Problem(index - 1, f"entries {index - 1} and {index} are out of time order (re-ordered?)")
            )
        previous_at = leaf.at
        scan.leaves += leaf.recomputed
        scan.size += 1
    return scan


def _check_heads(
    session: Session, scan: _EntryScan, tree: MerkleTree, key: TreeHeadVerifier | None
) -> tuple[list[_Problem], int]:
    problems: list[_Problem] = []
    limit = scan.first_index
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size, AuditCheckpoint.at, AuditCheckpoint.id)
    checkpoints = list(session.scalars(stmt))
    good_size = 0
    previous_at: datetime | None = None
    for checkpoint in checkpoints:
        head = checkpoint_head(checkpoint)
        signed = f"tree head of size {head.size} signed at {head.timestamp.isoformat()}"
        trusted = True
        if previous_at is not None and head.timestamp < previous_at:
            problems.append(_Problem(None, f"{signed} is older than a smaller tree head"))
        previous_at = head.timestamp
        if key is not None and (head.key_id != key.key_id or not key.verify(head)):
            problems.append(_Problem(None, f"{signed} does not carry a valid signature by this key"))
            trusted = False
        if head.size < 0:
            problems.append(_Problem(None, f"{signed} has a negative size"))
        elif head.size > scan.size:
            problems.append(
                _Problem(scan.size, f"log ends at {scan.size} entries but the {signed} covers {head.size}")
            )
        elif limit is None or head.size <= limit:
            if tree.root(head.size).hex() != head.root_hash:
                problems.append(
                    _Problem(
                        good_size,
                        f"entries {good_size}..{head.size - 1} do not give the root of the {signed} "
                        "(history rewritten)",
                    )
                )
                limit = good_size
            elif trusted:
                good_size = head.size
    return problems, len(checkpoints)


def verify_log(session: Session, key: TreeHeadVerifier | None = None, *, chunk: int = 20_000) -> VerifyReport:
    """Recompute every leaf and check every stored signed tree head.

    ``key`` is the public tree-head key (a `TreeHeadSigner` will do); without
    it the stored roots are still compared but their signatures are not,
    which a forger of checkpoints could exploit — the CLI always passes it.
    """
    scan = _scan_entries(session, chunk)
    tree = MerkleTree(scan.leaves)
    head_problems, n_checkpoints = _check_heads(session, scan, tree, key)
    problems = scan.problems + head_problems
    indexed = sorted((p for p in problems if p.index is not None), key=lambda p: p.index or 0)
    first = indexed[0] if indexed else (problems[0] if problems else None)
    if first is None:
        reason = f"{scan.size} entries and {n_checkpoints} signed tree heads verified"
        if key is None:
            reason += " (signatures not checked: no key given)"
    else:
        others = len(problems) - 1 + scan.not_listed
        reason = first.reason + (f" (and {others} more problems)" if others else "")
    return VerifyReport(
        ok=first is None,
        first_bad_index=first.index if first is not None else None,
        reason=reason,
        entries=scan.size,
        checkpoints=n_checkpoints,
        signatures_checked=key is not None,
        root_hash=tree.root().hex(),
        problems=[p.reason for p in problems[:_MAX_PROBLEMS]],
    )
