"""Whole-name scores from token similarities: greedy alignment, IDF-weighted.

A name is a bag of parts whose order varies between records (surname first on
one form, last on another) and whose titles come and go (Mian, Syed, Ch.).
Each candidate's parts are aligned to the query's parts greedily, best pair
first; the score is the weighted share of aligned similarity, where a part's
weight is its inverse document frequency (agreeing on "Muhammad" says little,
agreeing on "Ludhianvi" says a lot).  Parts left unaligned on either side
count at half weight, so "Sidra Nawaz" still finds "Sidra Nawaz Bhatti".

Everything is vectorised over the candidates with numpy; the per-query Python
work is independent of the index size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["AlignmentParams", "align_scores"]

F32 = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class AlignmentParams:
    """Scoring knobs; defaults are general, not fitted to one data set."""

    min_pair: float = 0.5
    """Token pairs less similar than this are not aligned at all."""
    unmatched_weight: float = 0.3
    """Share of its weight an unaligned part costs (either side)."""


def align_scores(
    sim: F32,
    query_weights: F32,
    cand_weights: F32,
    params: AlignmentParams,
    query_miss: F32 | None = None,
    cand_miss: F32 | None = None,
) -> F32:
    """Score candidates from a (candidates, query parts, candidate parts) similarity cube.

    ``sim`` holds -1 where a candidate has fewer parts (padding);
    ``cand_weights`` is 0 there.  ``query_miss`` / ``cand_miss`` are what a
    part costs when left unaligned (default: its weight); optional parts cost
    less.  Returns one score in [0, 1] per candidate.
    """
    query_miss = query_weights if query_miss is None else query_miss
    cand_miss = cand_weights if cand_miss is None else cand_miss
    sim = sim.copy()
    m, q, length = sim.shape
    rows = np.arange(m)
    numerator = np.zeros(m, dtype=np.float32)
    aligned_weight = np.zeros(m, dtype=np.float32)
    q_used = np.zeros((m, q), dtype=bool)
    c_used = np.zeros((m, length), dtype=bool)
    flat = sim.reshape(m, q * length)
    for _ in range(min(q, length)):
        best_at = flat.argmax(axis=1)
        best = flat[rows, best_at]
        qi = best_at // length
        cj = best_at % length
        ok = best >= params.min_pair
        pair_weight = (query_weights[qi] + cand_weights[rows, cj]) * 0.5
        numerator += np.where(ok, best * pair_weight, 0.0).astype(np.float32)
        aligned_weight += np.where(ok, pair_weight, 0.0).astype(np.float32)
        q_used[rows[ok], qi[ok]] = True
        c_used[rows[ok], cj[ok]] = True
        sim[rows, qi, :] = -1.0
        sim[rows, :, cj] = -1.0
        if not ok.any():
            break
    left_q = (query_miss[None, :] * ~q_used).sum(axis=1)
    left_c = (cand_miss * ~c_used).sum(axis=1)
    denominator = aligned_weight + params.unmatched_weight * (left_q + left_c)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(denominator > 0, numerator / denominator, 0.0)
    return np.clip(scores, 0.0, 1.0).astype(np.float32)
