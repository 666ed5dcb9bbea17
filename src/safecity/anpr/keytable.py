"""An open-addressing hash table of 64-bit integer keys, probed a whole batch at a time.

The watchlist index holds millions of keys. As a dict of ``bytes`` each probe
chases three pointers to scattered objects, and on a shared machine each of
those cache misses costs hundreds of nanoseconds; a miss-heavy read mix spent
most of its time waiting on memory. Here keys and values are two flat numpy
arrays: a batch of probes is one gather per round of linear probing, which the
CPU overlaps, and one scalar probe (``get``) is one or two array reads.

A table built with ``filtered=True`` also keeps a bit filter, 16 bits per slot
(a few MB, so it stays in cache) that answers most probes for absent keys
without touching the table: the class index is probed ten times per read and
nearly all of those probes miss.

Keys are never deleted (the watchlist marks removed plates dead instead), so
linear probing needs no tombstones. Key 0 means an empty slot and is never
stored; probing for 0 finds nothing.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = ["NONE", "KeyTable", "SharedPostings"]

NONE = -1  # the value `get` and `get_many` give for an absent key
_FIB = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing spreads packed keys over the slots
_FIB_INT = 0x9E3779B97F4A7C15
_FILTER_MULTIPLIER = np.uint64(0xD6E8FEB86659FD93)  # a second, independent hash for the filter
_FILTER_BITS_PER_SLOT = 16
_MASK64 = (1 << 64) - 1
_MAX_LOAD = 0.5
_WINDOW = np.arange(4)

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


class _Arrays(NamedTuple):
    keys: U64
    values: I64
    mask: int
    shift: int
    filter: npt.NDArray[np.uint8]
    filter_shift: np.uint64
    key_view: memoryview
    value_view: memoryview


class KeyTable:
    """Maps non-zero uint64 keys to int64 values (``NONE`` is reserved for absence).

    One writer at a time; readers may probe while it writes and see each key
    before or after its write, never half of it: a value is stored before its
    key, and a grown table is swapped in whole (readers take ``_arrays`` once).
    """

    def __init__(self, capacity: int = 1024, *, filtered: bool = False) -> None:
        self._filtered = filtered
        self._arrays = self._allocate(max(16, 1 << (capacity - 1).bit_length()))
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def _allocate(self, capacity: int) -> _Arrays:
        keys = np.zeros(capacity, dtype=np.uint64)
        values = np.zeros(capacity, dtype=np.int64)
        bits = capacity * _FILTER_BITS_PER_SLOT if self._filtered else 8
        # Scalar reads through a memoryview give plain ints, several times faster than numpy scalars.
        return _Arrays(
            keys, values, capacity - 1, 64 - (capacity.bit_length() - 1),
            np.zeros(bits // 8, dtype=np.uint8), np.uint64(64 - (bits.bit_length() - 1)),
            keys.data, values.data,
        )  # fmt: skip

    @staticmethod
    def _filter_bits(arrays: _Arrays, keys: U64) -> tuple[I64, npt.NDArray[np.uint8]]:
        bit = (keys * _FILTER_MULTIPLIER) >> arrays.filter_shift
        return (bit >> np.uint64(3)).astype(np.int64), (bit & np.uint64(7)).astype(np.uint8)

    def _mark(self, arrays: _Arrays, keys: U64) -> None:
        if self._filtered:
            byte, bit = self._filter_bits(arrays, keys)
            np.bitwise_or.at(arrays.filter, byte, np.left_shift(1, bit).astype(np.uint8))

    def get(self, key: int) -> int:
        """The value of ``key``, or ``NONE``."""
        if not key:
            return NONE
        arrays = self._arrays
        keys, mask = arrays.key_view, arrays.mask
        slot = ((key * _FIB_INT) & _MASK64) >> arrays.shift
        while True:
            found = keys[slot]
            if found == key:
                return int(arrays.value_view[slot])
            if not found:
                return NONE
            slot = (slot + 1) & mask

    def get_many(self, keys: U64) -> I64:
        """Values of ``keys`` (``NONE`` where absent).

        Each round gathers a window of consecutive slots per key, so at half load
        nearly every probe ends in the first round: a key is never stored past an
        empty slot of its run, since nothing is ever deleted.
        """
        arrays = self._arrays
        values = np.full(keys.shape, NONE, dtype=np.int64)
        if self._filtered:
            byte, bit = self._filter_bits(arrays, keys)
            pending = np.flatnonzero(((arrays.filter[byte] >> bit) & 1).astype(bool) & (keys != 0))
        else:
            pending = np.flatnonzero(keys)
        slots = ((keys[pending] * _FIB) >> np.uint64(arrays.shift)).astype(np.int64)
        wanted = keys[pending][:, None]
        while pending.size:
            window = (slots[:, None] + _WINDOW) & arrays.mask
            found = arrays.keys[window]
            same = found == wanted
            hit = same.any(axis=1)
            if hit.any():
                values[pending[hit]] = arrays.values[window[hit, same[hit].argmax(axis=1)]]
            more = ~hit & (found != 0).all(axis=1)
            pending, wanted = pending[more], wanted[more]
            slots = slots[more] + _WINDOW.size
        return values

    def put(self, key: int, value: int) -> None:
        """Set ``key`` to ``value`` (inserting it if absent)."""
        if not key:
            raise ValueError("key 0 marks an empty slot")
        if (self._count + 1) > _MAX_LOAD * (self._arrays.mask + 1):
            self._grow(self._count + 1)
        arrays = self._arrays
        keys, mask = arrays.key_view, arrays.mask
        slot = ((key * _FIB_INT) & _MASK64) >> arrays.shift
        while True:
            found = keys[slot]
            if found == key:
                arrays.value_view[slot] = value
                return
            if not found:
                self._mark(arrays, np.array([key], dtype=np.uint64))
                arrays.value_view[slot] = value
                keys[slot] = key
                self._count += 1
                return
            slot = (slot + 1) & mask

    def put_new(self, keys: U64, values: I64) -> None:
        """Insert distinct keys known to be absent, vectorised (how a large list is built)."""
        if not keys.size:
            return
        if self._count + keys.size > _MAX_LOAD * (self._arrays.mask + 1):
            self._grow(self._count + keys.size)
        self._place(self._arrays, keys, values)
        self._count += int(keys.size)

    def _place(self, arrays: _Arrays, keys: U64, values: I64) -> None:
        self._mark(arrays, keys)
        pending = np.arange(keys.size)
        slots = ((keys * _FIB) >> np.uint64(arrays.shift)).astype(np.int64)
        while pending.size:
            free = arrays.keys[slots] == 0
            candidates, candidate_slots = pending[free], slots[free]
            # Several keys may want one free slot this round: the first takes it, the rest move on.
            taken_slots, first = np.unique(candidate_slots, return_index=True)
            winners = candidates[first]
            arrays.values[taken_slots] = values[winners]
            arrays.keys[taken_slots] = keys[winners]
            placed = np.zeros(keys.size, dtype=bool)
            placed[winners] = True
            left = ~placed[pending]
            pending = pending[left]
            slots = (slots[left] + 1) & arrays.mask

    def _grow(self, needed: int) -> None:
        old = self._arrays
        occupied = np.flatnonzero(old.keys)
        capacity = old.mask + 1
        while needed > _MAX_LOAD * capacity:
            capacity *= 2
        arrays = self._allocate(capacity)
        self._place(arrays, old.keys[occupied], old.values[occupied])
        self._arrays = arrays

    @property
    def nbytes(self) -> int:
        arrays = self._arrays
        return int(arrays.keys.nbytes + arrays.values.nbytes + arrays.filter.nbytes)


class SharedPostings:
    """The plates of keys held by several: tuples for one read, a flat array for a batch.

    Append-only: changing a key's plates stores the new set at the end (edits are
    rare). Readers take ``_arrays`` once; growth swaps in a complete copy.
    """

    def __init__(self) -> None:
        self.tuples: list[tuple[int, ...]] = []
        # flat plates, and the start and count of each set in them
        self._arrays: tuple[I64, I64, I64] = tuple(np.zeros(1024, dtype=np.int64) for _ in range(3))  # type: ignore[assignment]
        self._used = 0

    def __getitem__(self, index: int) -> tuple[int, ...]:
        return self.tuples[index]

    def add(self, plates: tuple[int, ...]) -> int:
        self._store(np.array(plates, dtype=np.int64), np.array([len(plates)]), len(self.tuples))
        self.tuples.append(plates)
        return len(self.tuples) - 1

    def replace(self, index: int, plates: tuple[int, ...]) -> None:
        self._store(np.array(plates, dtype=np.int64), np.array([len(plates)]), index)
        self.tuples[index] = plates

    def add_many(self, flat: I64, counts: I64) -> int:
        """Append ``counts.size`` sets laid end to end in ``flat``; returns the first one's index."""
        first = len(self.tuples)
        self._store(flat, counts, first)
        listed = flat.tolist()
        ends = np.cumsum(counts).tolist()
        self.tuples += [tuple(listed[e - c : e]) for e, c in zip(ends, counts.tolist(), strict=True)]
        return first

    def _store(self, flat: I64, counts: I64, index: int) -> None:
        plates, start, count = self._arrays
        if self._used + flat.size > plates.size or index + counts.size > start.size:
            size = max(2 * plates.size, self._used + flat.size)
            sets = max(2 * start.size, index + counts.size)
            plates = np.concatenate([plates, np.zeros(size - plates.size, dtype=np.int64)])
            start = np.concatenate([start, np.zeros(sets - start.size, dtype=np.int64)])
            count = np.concatenate([count, np.zeros(sets - count.size, dtype=np.int64)])
        plates[self._used : self._used + flat.size] = flat
        start[index : index + counts.size] = self._used + np.cumsum(counts) - counts
        count[index : index + counts.size] = counts
        self._arrays = (plates, start, count)
        self._used += flat.size

    def expand(self, indexes: I64) -> tuple[I64, I64]:
        """(which of ``indexes``, plate) for every plate of every set named, vectorised."""
        plates, start, count = self._arrays
        counts = count[indexes]
        owner = np.repeat(np.arange(indexes.size), counts)
        offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        return owner, plates[np.repeat(start[indexes], counts) + offsets]
