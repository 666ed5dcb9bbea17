"""What a watchlist match returns, and how a candidate is scored.

A candidate is found in one of three tiers (same class key, the read lost a
character, the read gained one); its *code* says which, and for a same-length
candidate how many look-alike swaps separate it from the read. ``SCORED[code]``
is its score and kind, shared by the one-read and the batch paths so that both
give identical hits.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["EXTRA", "KINDS", "MISSING", "RANK", "SAME", "SCORED", "SCORES", "WatchlistHit", "hit_order"]

SCORE_EXACT = 1.0
SCORE_PER_CONFUSION = 0.05
SCORE_FLOOR_CONFUSED = 0.8
SCORE_MISSING = 0.75
SCORE_EXTRA = 0.7
# A candidate's code: SAME (same length; SAME + c for c look-alike swaps, at most 15), MISSING or EXTRA.
SAME, MISSING, EXTRA = 0, 16, 17
SCORED = [
    (SCORE_EXACT, "exact"),
    *((max(SCORE_FLOOR_CONFUSED, SCORE_EXACT - SCORE_PER_CONFUSION * c), "confusable") for c in range(1, 16)),
    (SCORE_MISSING, "missing"),
    (SCORE_EXTRA, "extra"),
]
# Sort rank of each code's score (0 best): codes 4-15 all score the floor, so they tie.
RANK = np.unique([-score for score, _ in SCORED], return_inverse=True)[1].astype(np.int64)
# Object arrays: a batch gathers the very float and str objects, allocating none.
SCORES = np.array([score for score, _ in SCORED], dtype=object)
KINDS = np.array([kind for _, kind in SCORED], dtype=object)


class WatchlistHit(NamedTuple):
    """A listed plate a read may be; ``score`` 1.0 is an exact read, ``kind`` says why it matched."""

    plate: str
    list_name: str
    score: float
    reason: str = ""
    kind: str = "exact"


def hit_order(hit: WatchlistHit) -> tuple[float, str, str]:
    """Best first; equal scores by plate, then list."""
    return -hit.score, hit.plate, hit.list_name
