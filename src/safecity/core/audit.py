"""Append-only, tamper-evident audit log (an RFC 6962 Merkle tree of entries).

Every write and every read of personal data is recorded with who, why and
what. Each entry is a leaf; signed tree heads (checkpoints) pin the root at a
size, so changing, deleting, re-ordering or re-hashing entries is detected by
`verify_log`, and partners can check inclusion and consistency proofs with
the public key alone.

This module is the public face; the work is in `audit_append` (writing),
`audit_proofs` (signed heads and proofs), `audit_verify` (full check),
`merkle` (the RFC 6962 algorithms) and `tree_heads` (Ed25519 signing).
Functions flush, never commit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.core.audit_append import SYSTEM, Actor, AuditActor, AuditEvent, record, record_many
from safecity.core.audit_models import AuditCheckpoint, AuditEntry, entry_leaf_hash
from safecity.core.audit_proofs import (
    ConsistencyProof,
    InclusionProof,
    consistency_proof,
    inclusion_proof,
    latest_tree_head,
    tree_head,
)
from safecity.core.audit_tree import AuditLogBroken, log_size
from safecity.core.audit_verify import VerifyReport, verify_log
from safecity.core.config import Settings
from safecity.core.merkle import verify_consistency, verify_inclusion
from safecity.core.tree_heads import SignedTreeHead, TreeHeadSigner, TreeHeadVerifier

__all__ = [
    "SYSTEM",
    "Actor",
    "AuditActor",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditEvent",
    "AuditLogBroken",
    "ConsistencyProof",
    "InclusionProof",
    "SignedTreeHead",
    "Signer",
    "TreeHeadSigner",
    "TreeHeadVerifier",
    "VerifyReport",
    "consistency_proof",
    "entry_leaf_hash",
    "inclusion_proof",
    "latest",
    "latest_tree_head",
    "log_size",
    "record",
    "record_many",
    "signer_from_secret",
    "signer_from_settings",
    "tree_head",
    "verify_consistency",
    "verify_inclusion",
    "verify_log",
]

Signer = TreeHeadSigner


def signer_from_secret(secret: str) -> TreeHeadSigner:
    """The installation's tree-head key, derived from its secret (`Settings.signing_key`)."""
    return TreeHeadSigner.from_secret(secret)


def signer_from_settings(settings: Settings) -> TreeHeadSigner:
    return TreeHeadSigner.from_secret(settings.signing_key)


def latest(session: Session, *, limit: int = 100) -> list[AuditEntry]:
    """The newest entries, newest first (for the audit page)."""
    stmt = select(AuditEntry).order_by(AuditEntry.index.desc()).limit(limit)
    return list(session.scalars(stmt))
