"""RFC 6962 tree shape, proofs and their verification, without a database."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from safecity.core.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    hash_leaf,
    hash_node,
    root_of,
    verify_consistency,
    verify_inclusion,
)


def _leaves(n: int, salt: int = 0) -> list[bytes]:
    return [hash_leaf(f"{salt}:{i}".encode()) for i in range(n)]


def _flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


def test_hashes_use_the_rfc6962_domain_prefixes() -> None:
    assert hash_leaf(b"") == hashlib.sha256(b"\x00").digest()
    left, right = hash_leaf(b"a"), hash_leaf(b"b")
    assert hash_node(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert MerkleTree().root() == EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_a_three_leaf_tree_splits_at_two() -> None:
    a, b, c = _leaves(3)
    assert MerkleTree([a, b, c]).root() == hash_node(hash_node(a, b), c)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=1, max_value=70), salt=st.integers(0, 1000))
def test_tree_roots_match_the_reference_for_every_prefix(size: int, salt: int) -> None:
    leaves = _leaves(size, salt)
    grown = MerkleTree()
    for leaf in leaves:
        grown.extend([leaf])
    whole = MerkleTree(b"".join(leaves))
    for n in range(size + 1):
        assert grown.root(n) == whole.root(n) == root_of(leaves[:n])


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=1, max_value=70), salt=st.integers(0, 1000))
def test_inclusion_proofs_verify_for_every_leaf_and_fail_for_a_wrong_leaf_or_root(
    size: int, salt: int
) -> None:
    leaves = _leaves(size, salt)
    tree = MerkleTree(leaves + _leaves(3, salt + 1))  # extra leaves: proofs are for an earlier size
    root = root_of(leaves)
    for index, leaf in enumerate(leaves):
        path = tree.inclusion_path(index, size)
        assert verify_inclusion(leaf, index, size, path, root)
        assert verify_inclusion(leaf.hex(), index, size, [p.hex() for p in path], root.hex())
        assert not verify_inclusion(_flip(leaf), index, size, path, root)
        assert not verify_inclusion(leaf, index, size, path, _flip(root))
        if path:
            assert not verify_inclusion(leaf, index, size, [_flip(path[0]), *path[1:]], root)
            assert not verify_inclusion(leaf, index, size, path[:-1], root)
    assert not verify_inclusion(leaves[0], size, size, tree.inclusion_path(0, size), root)


@settings(max_examples=60, deadline=None)
@given(second=st.integers(min_value=1, max_value=70), salt=st.integers(0, 1000))
def test_consistency_proofs_verify_for_every_earlier_size_and_fail_for_a_wrong_root(
    second: int, salt: int
) -> None:
    leaves = _leaves(second, salt)
    tree = MerkleTree(leaves)
    second_root = root_of(leaves)
    for first in range(1, second + 1):
        first_root = root_of(leaves[:first])
        path = tree.consistency_path(first, second)
        assert verify_consistency(first, second, first_root, second_root, path)
        assert not verify_consistency(first, second, _flip(first_root), second_root, path)
        assert not verify_consistency(first, second, first_root, _flip(second_root), path)
        if path:
            assert not verify_consistency(first, second, first_root, second_root, path[:-1])


def test_a_rewritten_prefix_is_not_consistent_with_the_old_root() -> None:
    leaves = _leaves(20)
    old_root = root_of(leaves[:13])
    rewritten = MerkleTree([*leaves[:5], hash_leaf(b"forged"), *leaves[6:]])
    path = rewritten.consistency_path(13, 20)
    assert not verify_consistency(13, 20, old_root, rewritten.root(), path)


def test_malformed_proof_input_is_rejected_rather_than_raising() -> None:
    leaf = hash_leaf(b"x")
    assert not verify_inclusion(leaf, -1, 1, [], leaf)
    assert not verify_inclusion("not hex", 0, 1, [], leaf)
    assert not verify_consistency(0, 1, EMPTY_ROOT, leaf, [])
    assert not verify_consistency(2, 1, leaf, leaf, [])
    assert verify_consistency(1, 1, leaf, leaf, [])
