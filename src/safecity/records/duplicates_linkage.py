"""Fellegi–Sunter scoring of possible duplicate persons, with the project's linkage engine.

Registers digitised at different stations hold the same person twice
("Muhammad Asif s/o Ghulam Rasool" and "M. Asif s/o Gulam Rasul").  The
model is the classic one, not a home-made score:

1. blocking — only pairs that share a phonetic key of a name part (the
   consonant skeleton from `safecity.identity`, the key the name index uses),
   a CNIC or a phone number are compared;
2. comparison vectors — name and father's name (Levenshtein ratio on the
   sorted phonetic parts, so Mohd/Muhammad and Chowdhury/Chaudhry agree), CNIC,
   date of birth, birth year (from the date or a recorded age), district, phone;
3. m/u probabilities estimated by EM (`safecity.records.linkage`, the engine
   the FEBRL4 benchmark measures) on the candidate pairs plus a random sample
   of non-blocked pairs, so that even a small register teaches the model what
   a non-match looks like;
4. each pair's match probability and its per-field evidence: agreement and
   the log2 weight log(m/u) (or log((1-m)/(1-u)) when the field disagrees).

A field missing on either side counts as disagreeing, as recordlinkage
scores it; the evidence says "missing" so a reviewer is not misled.  The
fields stay two-level (agree / disagree) so the evidence reads plainly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from safecity.identity.phonetics import TITLES, index_tokens, skeleton
from safecity.records.linkage import MISSING, FieldSpec, link

__all__ = ["FIELDS", "FieldEvidence", "LinkRecord", "ScoredPair", "score_pairs"]

_COMMON = frozenset(
    {"md", "kn", "al", "amd", "xa", "dn", "ala"}
)  # Muhammad, Khan, Ali, Ahmad, Shah, -din, -ullah
_BACKGROUND_PAIRS = 5
_SPECS = (
    FieldSpec("name", "string", bands=(0.85,), method="levenshtein", missing="disagree"),
    FieldSpec("father_name", "string", bands=(0.8,), method="levenshtein", missing="disagree"),
    FieldSpec("cnic", missing="disagree"),
    FieldSpec("date_of_birth", column="dob", missing="disagree"),
    FieldSpec("birth_year", missing="disagree"),
    FieldSpec("district", missing="disagree"),
    FieldSpec("phone", missing="disagree"),
)
_BLOCKS = (("block",), ("cnic",), ("phone",))
FIELDS = tuple(spec.name for spec in _SPECS)  # the evidence order the review pages show


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """What the model sees of one person."""

    id: int
    name: str
    father_name: str | None = None
    cnic: str | None = None
    date_of_birth: date | None = None
    birth_year: int | None = None
    district_id: int | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class FieldEvidence:
    field: str
    agreement: str  # "agree", "disagree" or "missing"
    weight: float  # log2 Bayes factor the model applied


@dataclass(frozen=True, slots=True)
class ScoredPair:
    person_a: int
    person_b: int
    probability: float
    match_weight: float  # sum of field weights (log2)
    evidence: tuple[FieldEvidence, ...]


def _phonetic_name(name: str | None) -> str | None:
    if not name:
        return None
    tokens = [t for t in index_tokens(name) if t not in TITLES]
    return " ".join(sorted(tokens)) or None


def _block_key(name: str | None) -> str | None:
    """Skeleton of the most distinctive name part (the longest one that is not a very common part)."""
    if not name:
        return None
    skeletons = sorted((skeleton(t) for t in name.split()), key=lambda s: (-len(s), s))
    rare = [s for s in skeletons if s not in _COMMON and len(s) > 1]
    chosen = rare or skeletons
    return chosen[0] if chosen else None


def _frame(records: Sequence[LinkRecord]) -> pd.DataFrame:
    rows = []
    for r in records:
        name = _phonetic_name(r.name)
        birth = r.date_of_birth.isoformat() if r.date_of_birth else None
        rows.append(
            {
                "id": r.id,
                "name": name,
                "father_name": _phonetic_name(r.father_name),
                "cnic": r.cnic or None,
                "dob": birth,
                "birth_year": str(r.date_of_birth.year if r.date_of_birth else r.birth_year or "") or None,
                "district": str(r.district_id) if r.district_id is not None else None,
                "phone": r.phone or None,
                "block": _block_key(name),
            }
        )
    return pd.DataFrame(rows).set_index("id")


def _agreement(level: int, spec: FieldSpec) -> str:
    if level == MISSING:
        return "missing"
    return "agree" if level == spec.levels - 1 else "disagree"


def score_pairs(
    records: Sequence[LinkRecord], *, min_probability: float = 0.5, seed: int = 0
) -> list[ScoredPair]:
    """Pairs of records the model thinks are one person, most likely first.

    Needs at least two records; fewer than two candidate pairs give nothing
    to estimate from, and no pairs.
    """
    if len(records) < 2:
        return []
    frame = _frame(records)
    found = link(
        frame,
        None,
        fields=_SPECS,
        blocks=_BLOCKS,
        min_probability=min_probability,
        background=_BACKGROUND_PAIRS,
        seed=seed,
    )
    ids = frame.index.to_numpy()
    weights = np.round(found.model.field_weights(found.levels), 3)
    result: list[ScoredPair] = []
    for k in range(len(found.pairs)):
        a, b = int(ids[found.pairs.left[k]]), int(ids[found.pairs.right[k]])
        evidence = tuple(
            FieldEvidence(
                field=spec.name,
                agreement=_agreement(int(found.levels[k, j]), spec),
                weight=float(weights[k, j]),
            )
            for j, spec in enumerate(_SPECS)
        )
        result.append(
            ScoredPair(
                person_a=min(a, b),
                person_b=max(a, b),
                probability=round(float(found.probability[k]), 6),
                match_weight=round(sum(e.weight for e in evidence), 3),
                evidence=evidence,
            )
        )
    result.sort(key=lambda p: (-p.probability, p.person_a, p.person_b))
    return result
