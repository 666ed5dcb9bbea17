"""Signed tree heads: Ed25519 signatures over (size, root, time) of the audit log.

The key pair is derived from the installation secret (HKDF-SHA-256 → 32-byte
Ed25519 seed) so every API worker signs with the same key without a key file
to distribute, while partners only ever get the public half. A signed head is
what makes a rewrite of history detectable: recomputing leaf hashes is easy,
forging the signature over the old root is not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "SignedTreeHead",
    "TreeHeadSigner",
    "TreeHeadVerifier",
    "tree_head_message",
]

_HKDF_SALT = b"safecity.audit.tree-head-key"
_HKDF_INFO = b"ed25519 seed v1"
_MESSAGE_PREFIX = b"safecity.audit.signed-tree-head.v1\x00"


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: tree head times are timezone-aware UTC")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def tree_head_message(size: int, root_hash: str, timestamp: datetime) -> bytes:
    """The exact bytes that are signed; documented so partners can check a head themselves."""
    body = {"root_hash": root_hash, "size": size, "timestamp": _iso(timestamp)}
    return _MESSAGE_PREFIX + json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    """A checkpoint of the log: ``root_hash`` and ``signature`` are lower-case hex."""

    size: int
    root_hash: str
    timestamp: datetime
    signature: str
    key_id: str

    def message(self) -> bytes:
        return tree_head_message(self.size, self.root_hash, self.timestamp)

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "root_hash": self.root_hash,
            "timestamp": _iso(self.timestamp),
            "signature": self.signature,
            "key_id": self.key_id,
        }


class TreeHeadVerifier:
    """The public half: what a partner agency needs to check heads we hand them."""

    def __init__(self, public_key: bytes | str) -> None:
        raw = bytes.fromhex(public_key) if isinstance(public_key, str) else public_key
        self._key = Ed25519PublicKey.from_public_bytes(raw)
        self.public_key_bytes = raw
        self.key_id = hashlib.sha256(raw).hexdigest()[:16]

    @property
    def public_key_hex(self) -> str:
        return self.public_key_bytes.hex()

    @property
    def public_key_pem(self) -> str:
        return self._key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def verify(self, head: SignedTreeHead) -> bool:
        try:
            self._key.verify(bytes.fromhex(head.signature), head.message())
        except (InvalidSignature, ValueError):
            return False
        return True


class TreeHeadSigner(TreeHeadVerifier):
    """Signs tree heads with the installation's Ed25519 key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        super().__init__(
            private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )

    @classmethod
    def from_secret(cls, secret: str) -> TreeHeadSigner:
        """Deterministic: the same secret gives the same key on every worker and restart."""
        if not secret:
            raise ValueError("an empty secret cannot derive a signing key")
        seed = HKDF(algorithm=SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
            secret.encode("utf-8")
        )
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def verifier(self) -> TreeHeadVerifier:
        return TreeHeadVerifier(self.public_key_bytes)

    def sign(self, size: int, root_hash: str, timestamp: datetime) -> SignedTreeHead:
        signature = self._private.sign(tree_head_message(size, root_hash, timestamp))
        return SignedTreeHead(
            size=size, root_hash=root_hash, timestamp=timestamp, signature=signature.hex(), key_id=self.key_id
        )
