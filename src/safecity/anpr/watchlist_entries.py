"""The (list name, reason) sets of listed plates, interned and laid out for batch gathers.

Most plates share one set (``stolen`` with no reason), so a set is stored once and
each plate's record holds only its number and size. A set's number is where its
pairs begin in a flat numpy array, so that a batch of hits gathers every list
name and reason (object pointers in one contiguous, huge-page-backed array)
without touching a Python tuple per hit: with a reason per plate (FIR numbers),
chasing a list item, a tuple and a pair for every hit cost about as much as the
rest of matching.

Append-only: a plate whose set changes gets the number of another (new or
existing) set. One writer at a time; a set is complete before its number is
published, and growth swaps in a complete copy, so readers need no lock.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["Entries", "EntrySets"]

Entries = tuple[tuple[str, str], ...]  # (list name, reason) pairs, sorted by list name
I64 = npt.NDArray[np.int64]


class EntrySets:
    """Interned sets of (list name, reason); a set's number is its first pair's index."""

    def __init__(self) -> None:
        self._numbers: dict[Entries, int] = {(): 0}
        self._pairs: npt.NDArray[np.object_] = np.full((1024, 2), "", dtype=object)
        self.sets: list[Entries | None] = [()]  # sets[number]; None where no set starts
        self._used = 1  # pair 0 is the empty set's placeholder

    def number(self, entries: Entries) -> int:
        """The number of this set of pairs (given sorted by list name), storing it if new."""
        found = self._numbers.get(entries)
        if found is not None:
            return found
        start, size = self._used, len(entries)
        pairs = self._pairs
        if start + size > pairs.shape[0]:
            grown = np.full((max(2 * pairs.shape[0], start + size), 2), "", dtype=object)
            grown[: pairs.shape[0]] = pairs
            pairs = grown
        pairs[start : start + size] = entries
        self._pairs = pairs
        self.sets += [entries, *(None,) * (size - 1)]
        self._used += size
        self._numbers[entries] = start
        return start

    def gather(self, numbers: I64, counts: I64) -> tuple[list[str], list[str]]:
        """Names and reasons of the sets ``numbers`` of ``counts`` pairs, laid end to end."""
        index = numbers
        if (counts != 1).any():  # a plate on several lists
            index = (numbers - counts.cumsum() + counts).repeat(counts) + np.arange(int(counts.sum()))
        picked = self._pairs.take(index, axis=0)
        return picked[:, 0].tolist(), picked[:, 1].tolist()
