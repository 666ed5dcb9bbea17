"""The posting lists of `NameIndex`, built in one pass of numpy over what was added.

A part's weight is its IDF (initials count as one, titles a small share); a
part that records often leave out (Muhammad) costs ``optional_share`` of it
when a query lacks it.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["INITIAL_WEIGHT", "TITLE_FACTOR", "Postings", "build_postings"]

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]
F32 = NDArray[np.float32]

TITLE_FACTOR = 0.05  # what a title (Syed, Chaudhry) weighs against a name part
INITIAL_WEIGHT = 1.0  # what an initial (M.) weighs, whatever its IDF


@dataclass(slots=True)
class Postings:
    """The index as arrays, rebuilt after adds: posting lists by part, and per-part and per-person weights."""

    tokens: I32
    offsets: I64
    token_weight: F32
    """Weight of each stored part: its IDF, a small share of it where the part is a title."""
    miss_weight: F32
    """What each stored part costs when a query leaves it out: ``token_weight``, less for optional parts."""
    persons: I32
    posting_weight: F32
    """``token_weight`` in posting-list order (aligned with ``persons``)."""
    starts: I64
    idf: F32
    first_letters: NDArray[np.str_]
    single_letter: NDArray[np.bool_]
    person_weight: F32
    key_order: F32
    """A checksum of each person's key scaled to [0, 1): breaks exact ties independently of adding order."""


def build_postings(
    keys: Sequence[str],
    tokens_added: array[int],
    offsets_added: array[int],
    titles: array[int],
    optional_parts: array[int],
    strings: Sequence[str],
    *,
    optional_share: float,
) -> Postings:
    """``tokens_added``: each person's part ids in turn, ``offsets_added`` where each person starts;
    ``titles`` / ``optional_parts`` flag each part; ``strings`` are the vocabulary's parts by id."""
    n = len(keys)
    tokens = np.frombuffer(tokens_added, dtype=np.int32).copy()
    offsets = np.frombuffer(offsets_added, dtype=np.int64).copy()
    person_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(offsets))
    order = np.argsort(tokens, kind="stable")
    counts = np.bincount(tokens, minlength=len(strings))
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    idf = np.log1p(n / np.maximum(counts, 1)).astype(np.float32)
    single = np.fromiter((len(s) == 1 for s in strings), dtype=bool, count=len(strings))
    idf[single] = INITIAL_WEIGHT
    token_weight = idf[tokens]
    token_weight[np.frombuffer(titles, dtype=np.int8).astype(bool)] *= TITLE_FACTOR
    optional = np.frombuffer(optional_parts, dtype=np.int8).astype(bool)
    miss_weight = np.where(optional, token_weight * optional_share, token_weight)
    person_weight = np.add.reduceat(token_weight, offsets[:-1]) if n else np.zeros(0, np.float32)
    return Postings(
        tokens=tokens,
        offsets=offsets,
        token_weight=token_weight.astype(np.float32),
        miss_weight=miss_weight.astype(np.float32),
        persons=person_of[order],
        posting_weight=token_weight[order].astype(np.float32),
        starts=starts,
        idf=idf,
        first_letters=np.array([s[:1] for s in strings], dtype="<U1"),
        single_letter=single,
        person_weight=person_weight.astype(np.float32),
        key_order=np.fromiter((zlib.crc32(key.encode()) / 2**32 for key in keys), dtype=np.float32, count=n),
    )
