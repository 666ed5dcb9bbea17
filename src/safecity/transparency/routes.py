"""Proofs that let anyone holding the public key check the audit log was not rewritten."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from safecity.core import audit
from safecity.core.auth import Role, User
from safecity.core.http import DbSession, get_settings, require

router = APIRouter(prefix="/api/audit", tags=["audit"])

Auditor = Annotated[
    User, Depends(require(Role.ADMIN, Role.SUPERVISOR, Role.LIAISON_OFFICER, Role.PARTNER, Role.ANALYST))
]


def _signer(request: Request) -> audit.TreeHeadSigner:
    return audit.signer_from_settings(get_settings(request))


@router.get("/head")
def signed_tree_head(request: Request, user: Auditor, session: DbSession) -> dict[str, Any]:
    return audit.tree_head(session, _signer(request)).as_dict()


@router.get("/public-key")
def public_key(request: Request, user: Auditor) -> dict[str, str]:
    signer = _signer(request)
    return {"algorithm": "Ed25519", "public_key": signer.public_key_hex, "key_id": signer.key_id}


@router.get("/proof/{index}")
def inclusion_proof(
    index: int,
    request: Request,
    user: Auditor,
    session: DbSession,
    tree_size: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    return audit.inclusion_proof(session, index, tree_size=tree_size).as_dict()


@router.get("/consistency")
def consistency_proof(
    user: Auditor,
    session: DbSession,
    first: Annotated[int, Query(ge=1)],
    second: Annotated[int, Query(ge=1)],
) -> dict[str, Any]:
    return audit.consistency_proof(session, first, second).as_dict()
