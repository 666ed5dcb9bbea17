"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and proof verification.

Pure functions and one in-memory structure, no database: the audit log feeds
it leaf hashes, partners use the two ``verify_*`` functions on their side.

`MerkleTree` keeps every *complete* power-of-two subtree hash, level by level,
in flat ``bytearray`` buffers (32 bytes per node, about 64 MB for a million
leaves). Appending is amortised O(1) hashes per leaf and any subtree of the
RFC tree shape is then O(log n) lookups away, so proofs for any tree size up
to the current one cost O(log² n) without touching the leaves again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleTree",
    "hash_leaf",
    "hash_node",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256

HashLike = bytes | bytearray | memoryview | str


def hash_leaf(data: bytes) -> bytes:
    """Leaf hash: SHA-256(0x00 || data); the prefix keeps leaves and nodes apart (second pre-images)."""
    return _sha256(_LEAF_PREFIX + data).digest()


def hash_node(left: bytes, right: bytes) -> bytes:
    return _sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than ``n`` (n >= 2): the RFC 6962 split point."""
    return 1 << ((n - 1).bit_length() - 1)


def _as_bytes(value: HashLike) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value)
    return bytes(value)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """Reference MTH by direct recursion; used to cross-check `MerkleTree` in tests."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return hash_node(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


class MerkleTree:
    """Append-only Merkle tree over leaf hashes, with proofs for any earlier size."""

    def __init__(self, leaf_hashes: Iterable[bytes] | bytes | bytearray = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        return len(self._levels[0]) // HASH_SIZE

    def leaf(self, index: int) -> bytes:
        if not 0 <= index < self.size:
            raise IndexError(index)
        return bytes(self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def extend(self, leaf_hashes: Iterable[bytes] | bytes | bytearray) -> None:
        """Append leaves (an iterable of 32-byte hashes, or their concatenation) and hash new subtrees."""
        if isinstance(leaf_hashes, bytes | bytearray):
            if len(leaf_hashes) % HASH_SIZE:
                raise ValueError("concatenated leaf hashes must be a multiple of 32 bytes")
            self._levels[0] += leaf_hashes
        else:
            level0 = self._levels[0]
            for h in leaf_hashes:
                if len(h) != HASH_SIZE:
                    raise ValueError("a leaf hash is 32 bytes")
                level0 += h
        self._hash_up()

    def _hash_up(self) -> None:
        level = 1
        while len(self._levels[level - 1]) >= 2 * HASH_SIZE:
            if level == len(self._levels):
                self._levels.append(bytearray())
            child, parent = self._levels[level - 1], self._levels[level]
            have, want = len(parent) // HASH_SIZE, len(child) // (2 * HASH_SIZE)
            if have == want:
                break
            data = bytes(child[have * 2 * HASH_SIZE : want * 2 * HASH_SIZE])
            parent += b"".join(
                _sha256(_NODE_PREFIX + data[i : i + 2 * HASH_SIZE]).digest()
                for i in range(0, len(data), 2 * HASH_SIZE)
            )
            level += 1

    def _subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a subtree of the RFC shape (complete ones are stored)."""
        n = end - start
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            pos = (start >> level) * HASH_SIZE
            return bytes(self._levels[level][pos : pos + HASH_SIZE])
        k = _split(n)
        return hash_node(self._subtree(start, start + k), self._subtree(start + k, end))

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} outside 0..{self.size}")
        return size

    def root(self, size: int | None = None) -> bytes:
        size = self._check_size(size)
        return EMPTY_ROOT if size == 0 else self._subtree(0, size)

    def inclusion_path(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.3.1 PATH(index, D[0:size]), deepest sibling first."""
        size = self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of size {size}")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._subtree(start + k, end))
                end = start + k
            else:
                path.append(self._subtree(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_path(self, first: int, second: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.4.1 PROOF(first, D[0:second]); empty when the sizes are equal."""
        second = self._check_size(second)
        if not 0 < first <= second:
            raise ValueError(f"need 0 < first <= second, got {first}, {second}")
        path: list[bytes] = []
        start, end, m, complete = 0, second, first, True
        while end - start != m:
            k = _split(end - start)
            if m <= k:
                path.append(self._subtree(start + k, end))
                end = start + k
            else:
                path.append(self._subtree(start, start + k))
                start, m, complete = start + k, m - k, False
        if not complete:
            path.append(self._subtree(start, end))
        path.reverse()
        return path


def _shift_until_odd_or_zero(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion(
    leaf_hash: HashLike, index: int, size: int, proof: Sequence[HashLike], root: HashLike
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show leaf ``index`` of a ``size``-leaf tree under ``root``?

    Hashes may be bytes or hex strings. Never raises on a bad proof: returns False.
    """
    try:
        r, expected = _as_bytes(leaf_hash), _as_bytes(root)
        path = [_as_bytes(p) for p in proof]
    except ValueError:
        return False
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _sha256(_NODE_PREFIX + p + r).digest()
            if not fn & 1:
                fn, sn = _shift_until_odd_or_zero(fn, sn)
        else:
            r = _sha256(_NODE_PREFIX + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected


def verify_consistency(
    first: int, second: int, first_root: HashLike, second_root: HashLike, proof: Sequence[HashLike]
) -> bool:
    """RFC 9162 §2.1.4.2: is the ``second``-leaf tree an append-only extension of the ``first``-leaf one?"""
    try:
        first_hash, second_hash = _as_bytes(first_root), _as_bytes(second_root)
        path = [_as_bytes(p) for p in proof]
    except ValueError:
        return False
    if not 0 < first <= second:
        return False
    if first == second:
        return not path and first_hash == second_hash
    if not path:
        return False
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _sha256(_NODE_PREFIX + c + fr).digest()
            sr = _sha256(_NODE_PREFIX + c + sr).digest()
            if not fn & 1:
                fn, sn = _shift_until_odd_or_zero(fn, sn)
        else:
            sr = _sha256(_NODE_PREFIX + sr + c).digest()
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_hash and sr == second_hash
