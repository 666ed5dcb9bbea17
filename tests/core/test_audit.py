"""The audit log records who did what and why, and any tampering with it is named."""

from __future__ import annotations

import itertools
from enum import StrEnum
from typing import Any, cast

import pytest
from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from safecity.core import audit
from safecity.core.audit import Actor, AuditEntry, AuditEvent, TreeHeadSigner
from safecity.core.audit_tree import forget_trees
from safecity.core.errors import InvalidInput
from safecity.core.merkle import MerkleTree, hash_leaf, verify_consistency, verify_inclusion

ALICE = Actor(id=1, username="alice", role="dispatcher")
BOB = Actor(id=2, username="bob", role="records_officer")
SIGNER = TreeHeadSigner.from_secret("test secret for tree heads")
TABLE = cast(Table, AuditEntry.__table__)


def _append(session: Session, n: int) -> list[int]:
    events = [
        AuditEvent(
            actor=ALICE if i % 2 else BOB,
            action="person.read" if i % 3 == 0 else "incident.update",
            object_type="person" if i % 3 == 0 else "incident",
            object_id=str(100 + i),
            personal_data=i % 3 == 0,
            purpose="FIR-LHR-0712-2026-00045 investigation" if i % 3 == 0 else None,
            request_id=f"req-{i}",
            details={"step": i, "note": "ünïcode ✓", "nested": {"b": [1, 2.5, None], "a": True}},
        )
        for i in range(n)
    ]
    return list(audit.record_many(session, events))


def _row(session: Session, index: int) -> dict[str, Any]:
    row = session.execute(select(TABLE).where(TABLE.c.leaf_index == index)).mappings().one()
    return dict(row)


def _set(session: Session, index: int, **values: Any) -> None:
    session.execute(update(TABLE).where(TABLE.c.leaf_index == index).values(**values))
    session.expire_all()


def _rehash(session: Session, index: int) -> None:
    """What a tamperer who knows the leaf format does after editing a row."""
    session.expire_all()
    entry = session.get(AuditEntry, index)
    assert entry is not None
    _set(session, index, leaf_hash=audit.entry_leaf_hash(entry))


def test_appended_entries_get_consecutive_indices_and_verify(db_session: Session) -> None:
    first = audit.record(
        db_session, actor=ALICE, action="incident.create", object_type="incident", object_id=7
    )
    assert list(range(first.index + 1, first.index + 10)) == _append(db_session, 9)
    last = audit.record(
        db_session,
        actor=BOB,
        action="person.read",
        object_type="person",
        object_id="p-1",
        purpose="bail check",
    )
    assert last.index == first.index + 10
    assert first.object_id == "7" and last.purpose == "bail check"
    times = list(db_session.scalars(select(AuditEntry.at).order_by(AuditEntry.index)))
    assert all(a < b for a, b in itertools.pairwise(times))
    audit.tree_head(db_session, SIGNER)
    report = audit.verify_log(db_session, SIGNER)
    assert report.ok, report.reason
    assert report.first_bad_index is None and report.entries == last.index + 1 and report.checkpoints == 1


def test_reading_personal_data_without_a_purpose_is_refused(db_session: Session) -> None:
    for purpose in (None, "  "):
        with pytest.raises(InvalidInput) as excinfo:
            audit.record(
                db_session,
                actor=ALICE,
                action="person.read",
                object_type="person",
                personal_data=True,
                purpose=purpose,
            )
        assert excinfo.value.field == "purpose"
    with pytest.raises(InvalidInput) as excinfo:
        audit.record_many(
            db_session,
            [AuditEvent(actor=ALICE, action="person.read", object_type="person", personal_data=True)],
        )
    assert excinfo.value.field == "purpose"
    assert audit.log_size(db_session) == 0


def test_entries_written_one_by_one_verify_whatever_their_details_and_role_type(db_session: Session) -> None:
    class Role(StrEnum):
        ANALYST = "analyst"

    analyst = Actor(id=None, username="sadia", role=Role.ANALYST)
    details = {"ids": (3, 1), "ratio": 0.1, "name": "Müller ✓", "deep": {"z": [], "a": {}}}
    entry = audit.record(
        db_session, actor=analyst, action="report.export", object_type="report", details=details
    )
    assert entry.role == "analyst" and entry.details == {
        "ids": [3, 1],
        "ratio": 0.1,
        "name": "Müller ✓",
        "deep": {"z": [], "a": {}},
    }
    _append(db_session, 2)
    assert audit.verify_log(db_session, SIGNER).ok


def test_details_that_are_not_json_are_refused(db_session: Session) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        audit.record(db_session, actor=ALICE, action="x.y", object_type="x", details={"when": object()})
    assert excinfo.value.field == "details"
    with pytest.raises(InvalidInput) as excinfo:  # would collapse to one key once stored as JSON
        audit.record(db_session, actor=ALICE, action="x.y", object_type="x", details={1: "a", "1": "b"})  # type: ignore[dict-item]
    assert excinfo.value.field == "details"


def test_changing_a_field_of_an_entry_names_it(db_session: Session) -> None:
    _append(db_session, 12)
    _set(db_session, 5, purpose="curiosity")
    report = audit.verify_log(db_session, SIGNER)
    assert not report.ok and report.first_bad_index == 5


def test_deleting_an_entry_names_it(db_session: Session) -> None:
    _append(db_session, 12)
    db_session.execute(delete(TABLE).where(TABLE.c.leaf_index == 4))
    report = audit.verify_log(db_session, SIGNER)
    assert not report.ok and report.first_bad_index == 4
    assert "missing" in report.reason


def test_swapping_two_entries_names_the_first(db_session: Session) -> None:
    _append(db_session, 12)
    third, eighth = _row(db_session, 3), _row(db_session, 8)
    for target, source in ((3, eighth), (8, third)):
        _set(db_session, target, **{k: v for k, v in source.items() if k != "leaf_index"})
    report = audit.verify_log(db_session, SIGNER)
    assert not report.ok and report.first_bad_index == 3


def test_swapping_entries_and_recomputing_their_hashes_is_named_by_time_order(db_session: Session) -> None:
    _append(db_session, 12)
    third, eighth = _row(db_session, 3), _row(db_session, 8)
    for target, source in ((3, eighth), (8, third)):
        _set(db_session, target, **{k: v for k, v in source.items() if k not in ("leaf_index", "leaf_hash")})
        _rehash(db_session, target)
    report = audit.verify_log(db_session, SIGNER)
    assert not report.ok and report.first_bad_index == 3
    assert "order" in report.reason


def test_deleting_the_tail_after_a_checkpoint_is_detected(db_session: Session) -> None:
    _append(db_session, 10)
    audit.tree_head(db_session, SIGNER)
    db_session.execute(delete(TABLE).where(TABLE.c.leaf_index >= 7))
    report = audit.verify_log(db_session, SIGNER)
    assert not report.ok and report.first_bad_index == 7


def test_recomputing_the_leaf_hash_after_a_change_is_caught_by_the_signed_head(db_session: Session) -> None:
    for _ in range(9):
        _append(db_session, 1)
        audit.tree_head(db_session, SIGNER)
    _set(db_session, 6, action="incident.read")
    _rehash(db_session, 6)
    report = audit.verify_log(db_session, SIGNER)
    assert not report.ok and report.first_bad_index == 6
    assert "signed" in report.reason


def test_a_rewrite_between_sparse_checkpoints_is_placed_after_the_last_good_one(db_session: Session) -> None:
    _append(db_session, 5)
    audit.tree_head(db_session, SIGNER)
    _append(db_session, 10)
    audit.tree_head(db_session, SIGNER)
    _set(db_session, 9, object_id="999")
    _rehash(db_session, 9)
    report = audit.verify_log(db_session, SIGNER)
    assert not report.ok and report.first_bad_index == 5


def test_a_checkpoint_forged_over_a_rewrite_fails_its_signature(db_session: Session) -> None:
    _append(db_session, 6)
    audit.tree_head(db_session, SIGNER)
    _set(db_session, 2, actor="mallory")
    _rehash(db_session, 2)
    leaves = [
        bytes.fromhex(h) for h in db_session.scalars(select(AuditEntry.leaf_hash).order_by(AuditEntry.index))
    ]
    checkpoint = db_session.scalars(select(audit.AuditCheckpoint)).one()
    forged = TreeHeadSigner.from_secret("the tamperer's own secret").sign(
        6, MerkleTree(leaves).root().hex(), checkpoint.at
    )
    _set_checkpoint = update(audit.AuditCheckpoint).values(
        root_hash=forged.root_hash, signature=forged.signature
    )
    db_session.execute(_set_checkpoint)
    report = audit.verify_log(db_session, SIGNER)
    assert not report.ok
    assert any("signature" in problem for problem in report.problems)


def test_tree_head_refuses_to_sign_over_a_changed_entry(db_session: Session) -> None:
    _append(db_session, 4)
    audit.tree_head(db_session, SIGNER)
    _append(db_session, 4)
    _set(db_session, 6, role="admin")
    with pytest.raises(audit.AuditLogBroken):
        audit.tree_head(db_session, SIGNER)


def test_a_fresh_process_refuses_to_sign_over_rewritten_history(db_session: Session) -> None:
    _append(db_session, 6)
    audit.tree_head(db_session, SIGNER)
    _append(db_session, 2)
    _set(db_session, 1, purpose="rewritten")
    _rehash(db_session, 1)
    forget_trees()
    with pytest.raises(audit.AuditLogBroken):
        audit.tree_head(db_session, SIGNER)


def test_signed_tree_heads_verify_with_the_public_key_alone(db_session: Session) -> None:
    _append(db_session, 3)
    head = audit.tree_head(db_session, SIGNER)
    partner = audit.TreeHeadVerifier(SIGNER.public_key_hex)
    assert partner.verify(head) and head.size == 3
    assert audit.latest_tree_head(db_session) == head
    assert TreeHeadSigner.from_secret("test secret for tree heads").public_key_hex == SIGNER.public_key_hex
    assert TreeHeadSigner.from_secret("another secret").public_key_hex != SIGNER.public_key_hex
    forged = audit.SignedTreeHead(head.size + 1, head.root_hash, head.timestamp, head.signature, head.key_id)
    assert not partner.verify(forged)


def test_proofs_from_the_log_verify_for_every_size(db_session: Session) -> None:
    _append(db_session, 70)
    leaves = [
        bytes.fromhex(h) for h in db_session.scalars(select(AuditEntry.leaf_hash).order_by(AuditEntry.index))
    ]
    reference = MerkleTree(leaves)
    for size in range(1, 71):
        root = reference.root(size).hex()
        for index in {0, size // 2, size - 1}:
            proof = audit.inclusion_proof(db_session, index, tree_size=size)
            assert proof.root_hash == root and proof.verify()
            assert verify_inclusion(leaves[index], index, size, proof.path, root)
            assert not verify_inclusion(hash_leaf(b"not logged"), index, size, proof.path, root)
        consistency = audit.consistency_proof(db_session, size, 70)
        assert consistency.first_root == root and consistency.verify()
        wrong = reference.root(size - 1).hex() if size > 1 else hash_leaf(b"x").hex()
        assert not verify_consistency(size, 70, wrong, consistency.second_root, consistency.path)


def test_proofs_follow_the_log_after_a_rolled_back_append(db_session: Session) -> None:
    _append(db_session, 5)
    nested = db_session.begin_nested()
    _append(db_session, 3)
    assert audit.inclusion_proof(db_session, 6).tree_size == 8
    nested.rollback()
    _append(db_session, 4)
    leaves = [
        bytes.fromhex(h) for h in db_session.scalars(select(AuditEntry.leaf_hash).order_by(AuditEntry.index))
    ]
    proof = audit.inclusion_proof(db_session, 6)
    assert proof.tree_size == 9 and proof.root_hash == MerkleTree(leaves).root().hex() and proof.verify()


def test_proof_requests_outside_the_log_are_refused(db_session: Session) -> None:
    _append(db_session, 3)
    with pytest.raises(InvalidInput) as excinfo:
        audit.inclusion_proof(db_session, 0, tree_size=4)
    assert excinfo.value.field == "tree_size"
    with pytest.raises(InvalidInput) as excinfo:
        audit.inclusion_proof(db_session, 2, tree_size=2)
    assert excinfo.value.field == "index"
    with pytest.raises(InvalidInput) as excinfo:
        audit.consistency_proof(db_session, 0, 3)
    assert excinfo.value.field == "first"
