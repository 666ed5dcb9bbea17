"""Fellegi–Sunter scoring of possible duplicate persons, with the `recordlinkage` package.

Registers digitised at different stations hold the same person twice
("Muhammad Asif s/o Ghulam Rasool" and "M. Asif s/o Gulam Rasul").  The
model is the classic one, not a home-made score:

1. blocking — only pairs that share a phonetic key of a name part (the
   consonant skeleton from `safecity.identity`, the key the name index uses),
   a CNIC or a phone number are compared;
2. comparison vectors — name and father's name (Levenshtein ratio on the
   sorted phonetic parts, so Mohd/Muhammad and Chowdhury/Chaudhry agree), CNIC,
   date of birth, birth year (from the date or a recorded age), district, phone;
3. m/u probabilities estimated by EM (`recordlinkage.ECMClassifier`) on the
   candidate pairs plus a random sample of non-blocked pairs, so that even a
   small register teaches the model what a non-match looks like;
4. each pair's match probability and its per-field evidence: agreement and
   the log2 weight log(m/u) (or log((1-m)/(1-u)) when the field disagrees).

A field missing on either side counts as disagreeing, as recordlinkage
scores it; the evidence says "missing" so a reviewer is not misled.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd  # type: ignore[import-untyped]
import recordlinkage  # type: ignore[import-untyped]
from recordlinkage.index import Block  # type: ignore[import-untyped]

from safecity.identity.phonetics import TITLES, index_tokens, skeleton

__all__ = ["FIELDS", "FieldEvidence", "LinkRecord", "ScoredPair", "score_pairs"]

FIELDS = ("name", "father_name", "cnic", "date_of_birth", "birth_year", "district", "phone")
_COMMON = frozenset(
    {"md", "kn", "al", "amd", "xa", "dn", "ala"}
)  # Muhammad, Khan, Ali, Ahmad, Shah, -din, -ullah
_BACKGROUND_PAIRS = 5


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


def _candidates(frame: pd.DataFrame, rng: random.Random) -> tuple[pd.MultiIndex, pd.MultiIndex]:
    indexer = recordlinkage.Index()
    for column in ("block", "cnic", "phone"):
        indexer.add(Block(column))
    blocked = indexer.index(frame)
    ids = list(frame.index)
    wanted = min(_BACKGROUND_PAIRS * max(len(blocked), 20), len(ids) * (len(ids) - 1) // 2)
    seen = set(blocked)
    background: set[tuple[int, int]] = set()
    tries = 0
    while len(background) < wanted and tries < wanted * 10:
        tries += 1
        a, b = rng.sample(ids, 2)
        pair = (max(a, b), min(a, b))
        if pair not in seen and (pair[1], pair[0]) not in seen:
            background.add(pair)
    names = list(blocked.names)
    return blocked, pd.MultiIndex.from_tuples(sorted(background), names=names)


def _compare(frame: pd.DataFrame, pairs: pd.MultiIndex) -> pd.DataFrame:
    compare = recordlinkage.Compare()
    compare.string("name", "name", method="levenshtein", threshold=0.85, label="name")
    compare.string("father_name", "father_name", method="levenshtein", threshold=0.8, label="father_name")
    compare.exact("cnic", "cnic", label="cnic")
    compare.exact("dob", "dob", label="date_of_birth")
    compare.exact("birth_year", "birth_year", label="birth_year")
    compare.exact("district", "district", label="district")
    compare.exact("phone", "phone", label="phone")
    features: pd.DataFrame = compare.compute(pairs, frame)
    return features.astype(int)


def _missing(frame: pd.DataFrame, a: int, b: int, field: str) -> bool:
    column = {"date_of_birth": "dob"}.get(field, field)
    return bool(pd.isna(frame.at[a, column]) or pd.isna(frame.at[b, column]))


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
    blocked, background = _candidates(frame, random.Random(seed))
    if len(blocked) == 0:
        return []
    features = _compare(frame, blocked.append(background))
    model = recordlinkage.ECMClassifier(binarize=None)
    model.fit(features)
    candidate_features = features.loc[blocked]
    probabilities = model.prob(candidate_features)
    weights = model.log_weights
    result: list[ScoredPair] = []
    for (a, b), row in candidate_features.iterrows():
        probability = float(probabilities.loc[(a, b)])
        if probability < min_probability:
            continue
        evidence = tuple(
            FieldEvidence(
                field=field,
                agreement="missing"
                if _missing(frame, a, b, field)
                else ("agree" if row[field] == 1 else "disagree"),
                weight=round(float(weights[field][int(row[field])]), 3),
            )
            for field in FIELDS
        )
        result.append(
            ScoredPair(
                person_a=int(min(a, b)),
                person_b=int(max(a, b)),
                probability=round(probability, 6),
                match_weight=round(sum(e.weight for e in evidence), 3),
                evidence=evidence,
            )
        )
    result.sort(key=lambda p: (-p.probability, p.person_a, p.person_b))
    return result
