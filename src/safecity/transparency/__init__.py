"""Signed tree heads and Merkle proofs of the audit log, for auditors and partner agencies."""
