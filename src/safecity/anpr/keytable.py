"""An open-addressing hash table of 64-bit integer keys, probed a whole batch at a time.

The watchlist index holds millions of keys. As a dict of ``bytes`` each probe
chases three pointers to scattered objects, and on a shared machine each of
those cache misses costs hundreds of nanoseconds; a miss-heavy read mix spent
most of its time waiting on memory. Here each slot is a (key, value) pair of
64-bit words side by side in one numpy array, so a probe that finds its key has
its value in the same cache line, and a batch of probes is a gather the CPU
overlaps. One scalar probe (``get``) is one or two array reads.

Each slot's key word also carries, in its top bits, how far past that slot the
keys whose home it is were placed (their longest displacement). A batch reads
each key's home slot, and only where that bound says so the few slots after
it: two rounds of gathers, however long the clusters. Following linear probing
to the next empty slot took up to thirty rounds for a batch of 1,000, each a
handful of numpy calls on ever fewer keys, and those calls cost more than the
probes (a window of four slots per round was slower still: every call then
worked along rows of four). So keys are below 2**50 (a packed plate key has
50 bits).

A table built with ``filtered=True`` also keeps a bit filter, 16 bits per slot
(a few MB, so it stays in cache) that answers most probes for absent keys
without touching the table: nearly all the probes for a read that gained a
character miss.

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
KEY_BITS = 50
_KEY_MASK = (1 << KEY_BITS) - 1
_NP_KEY_MASK = np.uint64(_KEY_MASK)
_NP_KEY_BITS = np.uint64(KEY_BITS)
_MAX_BOUND = (1 << (64 - KEY_BITS)) - 1

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


class _Arrays(NamedTuple):
    slots: U64  # (capacity, 2): bound << KEY_BITS | key, then value (an int64 stored as its bits)
    mask: int
    shift: int
    filter: npt.NDArray[np.uint8]
    filter_shift: np.uint64
    key_view: memoryview  # flat: the key of slot s at 2s, its value at 2s + 1
    value_view: memoryview


class KeyTable:
    """Maps non-zero integer keys below 2**`KEY_BITS` to int64 values (``NONE`` is reserved for absence).

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
        slots = np.zeros((capacity, 2), dtype=np.uint64)
        bits = capacity * _FILTER_BITS_PER_SLOT if self._filtered else 8
        flat = slots.reshape(-1)
        # Scalar reads through a memoryview give plain ints, several times faster than numpy scalars.
        return _Arrays(
            slots, capacity - 1, 64 - (capacity.bit_length() - 1),
            np.zeros(bits // 8, dtype=np.uint8), np.uint64(64 - (bits.bit_length() - 1)),
            flat.data, flat.view(np.int64).data,
        )  # fmt: skip

    @staticmethod
    def _filter_bits(arrays: _Arrays, keys: U64) -> tuple[I64, npt.NDArray[np.uint8]]:
        bit = (keys * _FILTER_MULTIPLIER) >> arrays.filter_shift
        return (bit >> np.uint64(3)).astype(np.intp), (bit & np.uint64(7)).astype(np.uint8)

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
            found = keys[2 * slot] & _KEY_MASK
            if found == key:
                return int(arrays.value_view[2 * slot + 1])
            if not found:
                return NONE
            slot = (slot + 1) & mask

    def get_many(self, keys: U64) -> I64:
        """Values of ``keys`` (``NONE`` where absent; key 0 is always absent)."""
        arrays = self._arrays
        values = np.full(keys.shape, NONE, dtype=np.int64)
        if self._filtered:
            byte, bit = self._filter_bits(arrays, keys)
            maybe = (arrays.filter.take(byte) >> bit) & np.uint8(1)
            pending = np.flatnonzero(maybe.view(bool) & (keys != 0))
        else:
            pending = np.flatnonzero(keys)
        wanted = keys.take(pending)
        home = ((wanted * _FIB) >> np.uint64(arrays.shift)).astype(np.intp)
        found = arrays.slots.take(home, axis=0)
        hit = (found[:, 0] & _NP_KEY_MASK) == wanted
        values[pending[hit]] = found[hit, 1].view(np.int64)
        bound = (found[:, 0] >> _NP_KEY_BITS).astype(np.intp)
        further = np.flatnonzero(bound * ~hit)  # a key of this home lies further on
        if further.size:
            counts = bound.take(further)
            owner = further.repeat(counts)
            step = np.arange(1, owner.size + 1) - (counts.cumsum() - counts).repeat(counts)
            found = arrays.slots.take((home.take(owner) + step) & arrays.mask, axis=0)
            hit = (found[:, 0] & _NP_KEY_MASK) == wanted.take(owner)
            values[pending[owner[hit]]] = found[hit, 1].view(np.int64)
        return values

    def put(self, key: int, value: int) -> None:
        """Set ``key`` to ``value`` (inserting it if absent)."""
        if not 0 < key <= _KEY_MASK:
            raise ValueError(f"keys are between 1 and 2**{KEY_BITS} - 1 (0 marks an empty slot)")
        if (self._count + 1) > _MAX_LOAD * (self._arrays.mask + 1):
            self._grow(self._count + 1)
        arrays = self._arrays
        keys, mask = arrays.key_view, arrays.mask
        home = slot = ((key * _FIB_INT) & _MASK64) >> arrays.shift
        while True:
            found = keys[2 * slot] & _KEY_MASK
            if found == key:
                arrays.value_view[2 * slot + 1] = value
                return
            if not found:
                self._mark(arrays, np.array([key], dtype=np.uint64))
                arrays.value_view[2 * slot + 1] = value
                keys[2 * slot] = key
                distance = (slot - home) & mask
                if distance > keys[2 * home] >> KEY_BITS:  # published last: readers then look this far
                    keys[2 * home] = _bounded(distance) << KEY_BITS | (keys[2 * home] & _KEY_MASK)
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
        if not keys.size:
            return
        if int(keys.max()) > _KEY_MASK:
            raise ValueError(f"keys are below 2**{KEY_BITS}")
        self._mark(arrays, keys)
        table_keys, table_values = arrays.slots[:, 0], arrays.slots[:, 1].view(np.int64)
        pending = np.arange(keys.size)
        homes = ((keys * _FIB) >> np.uint64(arrays.shift)).astype(np.int64)
        slots = homes.copy()
        distances = np.zeros(keys.size, dtype=np.int64)
        while pending.size:
            free = table_keys[slots] == 0
            candidates, candidate_slots = pending[free], slots[free]
            # Several keys may want one free slot this round: the first takes it, the rest move on.
            taken_slots, first = np.unique(candidate_slots, return_index=True)
            winners = candidates[first]
            table_values[taken_slots] = values[winners]
            table_keys[taken_slots] = keys[winners]
            placed = np.zeros(keys.size, dtype=bool)
            placed[winners] = True
            left = ~placed[pending]
            pending = pending[left]
            slots = (slots[left] + 1) & arrays.mask
            distances[pending] += 1
        # each home's bound: the longest displacement of its keys, old or new
        order = np.lexsort((distances, homes))
        last = np.append(homes[order][1:] != homes[order][:-1], True)
        home, distance = homes[order][last], distances[order][last]
        bound = np.maximum(table_keys[home] >> _NP_KEY_BITS, distance.astype(np.uint64))
        if int(bound.max()) > _MAX_BOUND:
            raise RuntimeError("a key table cluster outgrew its bound")  # not at half load
        table_keys[home] = (table_keys[home] & _NP_KEY_MASK) | (bound << _NP_KEY_BITS)

    def _grow(self, needed: int) -> None:
        old = self._arrays
        occupied = np.flatnonzero(old.slots[:, 0])
        capacity = old.mask + 1
        while needed > _MAX_LOAD * capacity:
            capacity *= 2
        arrays = self._allocate(capacity)
        self._place(arrays, old.slots[occupied, 0] & _NP_KEY_MASK, old.slots[occupied, 1].view(np.int64))
        self._arrays = arrays

    @property
    def nbytes(self) -> int:
        arrays = self._arrays
        return int(arrays.slots.nbytes + arrays.filter.nbytes)


def _bounded(distance: int) -> int:
    if distance > _MAX_BOUND:
        raise RuntimeError("a key table cluster outgrew its bound")  # not at half load
    return distance


class SharedPostings:
    """The plates of keys held by several: tuples for one read, a flat array for a batch.

    Append-only: changing a key's plates stores the new set at the end (edits are
    rare). Readers take ``_arrays`` once; growth swaps in a complete copy.
    """

    def __init__(self) -> None:
        self.tuples: list[tuple[int, ...]] = []
        # flat plates, and each set's (start, count) in them: one gather (one cache line) per set
        self._arrays: tuple[I64, I64] = (np.zeros(1024, dtype=np.int64), np.zeros((1024, 2), dtype=np.int64))
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
        plates, spans = self._arrays
        if self._used + flat.size > plates.size or index + counts.size > spans.shape[0]:
            size = max(2 * plates.size, self._used + flat.size)
            sets = max(2 * spans.shape[0], index + counts.size)
            plates = np.concatenate([plates, np.zeros(size - plates.size, dtype=np.int64)])
            spans = np.concatenate([spans, np.zeros((sets - spans.shape[0], 2), dtype=np.int64)])
        plates[self._used : self._used + flat.size] = flat
        # a set's start and count change in one store: a reader sees the old set or the new one
        starts = self._used + np.cumsum(counts) - counts
        spans[index : index + counts.size] = np.stack([starts, counts], axis=1)
        self._arrays = (plates, spans)
        self._used += flat.size

    def expand(self, indexes: I64) -> tuple[I64, I64]:
        """(which of ``indexes``, plate) for every plate of every set named, vectorised."""
        plates, spans = self._arrays
        span = spans.take(indexes, axis=0)
        counts = span[:, 1]
        owner = np.arange(indexes.size).repeat(counts)
        offsets = np.arange(owner.size) - (counts.cumsum() - counts).repeat(counts)
        return owner, plates.take(span[:, 0].repeat(counts) + offsets)
