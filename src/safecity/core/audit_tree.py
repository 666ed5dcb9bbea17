"""The Merkle tree of the stored audit log, built once per process and extended.

Reading a million leaf hashes and hashing the tree costs a couple of seconds,
so the tree is kept per database in process memory (about 64 bytes a leaf)
and only new leaves are read on the next call. Before use the cache is
checked against the database at its last shared leaf: a rolled-back or
re-written tail makes that leaf differ and the tree is rebuilt.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecity.core.audit_models import AuditEntry
from safecity.core.errors import Conflict
from safecity.core.merkle import MerkleTree

__all__ = ["AuditLogBroken", "forget_trees", "log_size", "stored_tree"]

_CHUNK = 100_000
_trees: dict[str, MerkleTree] = {}
_trees_lock = threading.Lock()


class AuditLogBroken(Conflict):
    """The stored log is not what was written (gap, rewritten entry, missing signed tail)."""


def _db_key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def log_size(session: Session) -> int:
    """Number of leaves, read from the highest index (O(1) on the primary key)."""
    last = session.scalar(select(func.max(AuditEntry.index)))
    return 0 if last is None else int(last) + 1


def _stored_leaf(session: Session, index: int) -> str | None:
    return session.scalar(select(AuditEntry.leaf_hash).where(AuditEntry.index == index))


def _stored_leaves(session: Session, start: int, end: int) -> Iterator[bytes]:
    for lo in range(start, end, _CHUNK):
        hi = min(lo + _CHUNK, end)
        rows = session.execute(
            select(AuditEntry.index, AuditEntry.leaf_hash)
            .where(AuditEntry.index >= lo, AuditEntry.index < hi)
            .order_by(AuditEntry.index)
        )
        expected = lo
        for index, leaf_hash in rows:
            if index != expected:
                raise AuditLogBroken(f"audit entry {expected} is missing; run `safecity audit verify`")
            yield bytes.fromhex(leaf_hash)
            expected += 1
        if expected != hi:
            raise AuditLogBroken(f"audit entry {expected} is missing; run `safecity audit verify`")


def stored_tree(session: Session, size: int) -> MerkleTree:
    """A tree whose first ``size`` leaves are the stored leaf hashes 0..size-1 (it may hold more)."""
    key = _db_key(session)
    with _trees_lock:
        tree = _trees.get(key) or MerkleTree()
        shared = min(tree.size, size)
        if shared and tree.leaf(shared - 1).hex() != _stored_leaf(session, shared - 1):
            tree = MerkleTree()
        if tree.size < size:
            tree.extend(b"".join(_stored_leaves(session, tree.size, size)))
        _trees[key] = tree
        return tree


def forget_trees() -> None:
    """Drop the cached trees, as a fresh process would start (benchmarks, tests)."""
    with _trees_lock:
        _trees.clear()
