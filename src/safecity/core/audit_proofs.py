"""Signed tree heads and Merkle proofs served from the stored audit log.

A head is only signed over a log that still matches the previous signed head
and whose new entries still hash to their stored leaf hashes, so the signer
never blesses a history that was rewritten behind its back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.core.audit_models import AuditCheckpoint
from safecity.core.audit_scan import scan_leaves
from safecity.core.audit_tree import AuditLogBroken, log_size, stored_tree
from safecity.core.db import utcnow
from safecity.core.errors import InvalidInput, NotFound
from safecity.core.merkle import MerkleTree, verify_consistency, verify_inclusion
from safecity.core.tree_heads import SignedTreeHead, TreeHeadSigner, TreeHeadVerifier

__all__ = [
    "ConsistencyProof",
    "InclusionProof",
    "checkpoint_head",
    "consistency_proof",
    "inclusion_proof",
    "latest_tree_head",
    "tree_head",
]

_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """Leaf ``index`` is in the ``tree_size``-leaf tree with ``root_hash`` (hashes are hex)."""

    index: int
    tree_size: int
    leaf_hash: str
    path: list[str]
    root_hash: str

    def verify(self) -> bool:
        return verify_inclusion(self.leaf_hash, self.index, self.tree_size, self.path, self.root_hash)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash,
            "path": list(self.path),
            "root_hash": self.root_hash,
        }


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """The ``second``-leaf tree extends the ``first``-leaf one without changing it."""

    first: int
    second: int
    first_root: str
    second_root: str
    path: list[str]

    def verify(self) -> bool:
        return verify_consistency(self.first, self.second, self.first_root, self.second_root, self.path)

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "second": self.second,
            "first_root": self.first_root,
            "second_root": self.second_root,
            "path": list(self.path),
        }


def _tree_for(session: Session, tree_size: int | None) -> tuple[MerkleTree, int]:
    size = log_size(session)
    if tree_size is None:
        tree_size = size
    elif not 0 <= tree_size <= size:
        raise InvalidInput(f"tree size must be between 0 and {size}", field="tree_size")
    return stored_tree(session, size), tree_size


def inclusion_proof(session: Session, index: int, tree_size: int | None = None) -> InclusionProof:
    """Audit path for entry ``index`` in the tree of ``tree_size`` leaves (default: the whole log)."""
    tree, size = _tree_for(session, tree_size)
    if index < 0 or index >= tree.size:
        raise NotFound(f"no audit entry {index}")
    if index >= size:
        raise InvalidInput(f"entry {index} is not in a tree of size {size}", field="index")
    return InclusionProof(
        index=index,
        tree_size=size,
        leaf_hash=tree.leaf(index).hex(),
        path=[h.hex() for h in tree.inclusion_path(index, size)],
        root_hash=tree.root(size).hex(),
    )


def consistency_proof(session: Session, first: int, second: int | None = None) -> ConsistencyProof:
    """Proof that the log at size ``second`` (default: now) is an append-only extension of size ``first``."""
    tree, size = _tree_for(session, second)
    if not 0 < first <= size:
        raise InvalidInput(f"first size must be between 1 and {size}", field="first")
    return ConsistencyProof(
        first=first,
        second=size,
        first_root=tree.root(first).hex(),
        second_root=tree.root(size).hex(),
        path=[h.hex() for h in tree.consistency_path(first, size)],
    )


def checkpoint_head(checkpoint: AuditCheckpoint) -> SignedTreeHead:
    return SignedTreeHead(
        size=checkpoint.tree_size,
        root_hash=checkpoint.root_hash,
        timestamp=checkpoint.at,
        signature=checkpoint.signature,
        key_id=checkpoint.key_id,
    )


def _latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size.desc(), AuditCheckpoint.id.desc())
    return session.scalars(stmt.limit(1)).first()


def latest_tree_head(session: Session) -> SignedTreeHead | None:
    """The newest stored signed tree head, to hand to a partner without signing anew."""
    checkpoint = _latest_checkpoint(session)
    return None if checkpoint is None else checkpoint_head(checkpoint)


def _check_checkpoint(
    tree: MerkleTree, size: int, checkpoint: AuditCheckpoint, key: TreeHeadVerifier
) -> None:
    head = checkpoint_head(checkpoint)
    if checkpoint.key_id == key.key_id and not key.verify(head):
        raise AuditLogBroken(f"the tree head stored for size {head.size} has an invalid signature")
    if head.size > size:
        raise AuditLogBroken(f"the log has {size} entries but a signed tree head covers {head.size}")
    if tree.root(head.size).hex() != head.root_hash:
        raise AuditLogBroken(f"the first {head.size} entries no longer match their signed tree head")


def _check_entries(session: Session, tree: MerkleTree, start: int, end: int) -> None:
    for leaf in scan_leaves(session, start=start, end=end):
        if leaf.recomputed != tree.leaf(leaf.leaf_index):
            raise AuditLogBroken(f"audit entry {leaf.leaf_index} does not match its leaf hash")


def tree_head(session: Session, signer: TreeHeadSigner, *, store: bool = True) -> SignedTreeHead:
    """Sign the current root; with ``store`` keep it as a checkpoint that later verification relies on.

    Raises `AuditLogBroken` instead of signing if the log no longer matches
    the last checkpoint or an entry appended since no longer matches its hash.
    """
    size = log_size(session)
    tree = stored_tree(session, size)
    last = _latest_checkpoint(session)
    if last is not None:
        _check_checkpoint(tree, size, last, signer)
    _check_entries(session, tree, 0 if last is None else last.tree_size, size)
    stamp = utcnow()
    if last is not None and stamp <= last.at:
        stamp = last.at + _TICK
    head = signer.sign(size, tree.root(size).hex(), stamp)
    if store and (last is None or last.tree_size != size):
        session.add(
            AuditCheckpoint(
                tree_size=size,
                root_hash=head.root_hash,
                at=head.timestamp,
                signature=head.signature,
                key_id=head.key_id,
            )
        )
        session.flush()
    return head
