"""`Watchlist.match_many`'s engine: a whole batch of reads probed and scored with numpy.

The tier rules of `Watchlist.match` (see `watchlist`) are applied to all reads
at once, and in an order that saves work: every read's own key is probed in
both indexes first (tiers 1 and 2), and only the reads with no live plate
there have their deletions probed (tier 3), unless ``exhaustive``. Each
distinct deletion of a read is probed once (a run of one class symbol gives
one deletion), and a plate has one class key, of one length, so no plate is
found twice for one read: there is nothing to deduplicate.

Every step is a numpy call over the batch or a C-level ``map`` over its hits:
no Python code runs per read or per hit. What is left per hit is what the
caller gets (a `WatchlistHit` tuple and its plate text) and one gathered
32-byte record per candidate plate, which holds everything scoring, sorting
and naming it needs; with a reason per plate, one more cache line for its
(list, reason) pair and the reason's own object.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from . import plate_keys as pk
from .keytable import NONE, KeyTable, SharedPostings
from .watchlist_entries import EntrySets
from .watchlist_hits import EXTRA, KINDS, MISSING, RANK, SAME, SCORES, WatchlistHit

__all__ = ["RECORD", "Index", "match_batch"]

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
# One record per plate. set: the number of its (list, reason) set | the set's size << 32 (0: on
# no list); raw: its raw key (`plate_keys.pack_raw`); plate: its canonical text (at most 11
# characters, LEB-07-1234), 16 bytes so that it reads as two big-endian integers that sort as
# the text does.
RECORD = np.dtype([("set", np.uint64), ("raw", np.uint64), ("plate", "S16")])
_LOW32 = np.uint64(0xFFFFFFFF)
_HIGH32 = np.uint64(32)
_TIER_CODE = np.array([-1, SAME, MISSING, EXTRA])  # a candidate's code by tier (SAME: before swaps)
_new = tuple.__new__  # builds a NamedTuple in C, skipping its Python-level __new__


class Index(NamedTuple):
    """What a batch reads of a `Watchlist`.

    ``records`` gives the current records, viewed as (plates, 4) words; it is asked after
    each probe, so that a plate a probe found (added while the batch ran) has its record.
    """

    by_class: KeyTable
    by_deletion: KeyTable
    shared: SharedPostings
    records: Callable[[], U64]
    entries: EntrySets


class _Found(NamedTuple):
    row: I64  # the read
    record: U64  # (found, 4) records of the live plates found


def match_batch(index: Index, batch: pk.Batch, exhaustive: bool) -> list[list[WatchlistHit]]:
    """`Watchlist.match` of every text in ``batch``, in order."""
    n = batch.keys.size
    same = _found(index, index.by_class.get_many(batch.keys))
    shorter = _found(index, index.by_deletion.get_many(batch.keys))
    if exhaustive:
        pending = np.flatnonzero(batch.lengths)
    else:  # a read with a same-length plate needs no other tier; one with a shorter one, no tier 3
        settled = np.zeros(n, dtype=bool)
        settled[same.row] = True
        keep = ~settled[shorter.row]
        shorter = _Found(shorter.row[keep], shorter.record[keep])
        settled[shorter.row] = True
        pending = np.flatnonzero(~settled & (batch.lengths > 0))
    found = [same, shorter]
    if pending.size:
        found.append(_found(index, index.by_class.get_many(batch.deletions(pending).ravel()), pending))
    tier = np.repeat(np.arange(1, len(found) + 1), [f.row.size for f in found])
    if not tier.size:
        return [[] for _ in range(n)]
    row = np.concatenate([f.row for f in found])
    record = np.concatenate([f.record for f in found])
    return _hits(index, n, batch, row, tier, record)


def _found(index: Index, values: I64, reads: I64 | None = None) -> _Found:
    """The live plates of probe ``values``; probe i is for read ``reads[i % reads.size]`` (or i)."""
    flat = np.flatnonzero(values != NONE)
    plate = values.take(flat)
    row = flat if reads is None else reads.take(flat % reads.size)
    shared = plate < 0
    if shared.any():  # a key several plates share
        owner, plates = index.shared.expand(-2 - plate[shared])
        single = ~shared
        row = np.concatenate([row[single], row[shared].take(owner)])
        plate = np.concatenate([plate[single], plates])
    record = index.records().take(plate, axis=0)
    live = record[:, 0] != 0
    if not live.all():
        return _Found(row[live], record[live])
    return _Found(row, record)


def _hits(
    index: Index, n: int, batch: pk.Batch, row: I64, tier: I64, record: U64
) -> list[list[WatchlistHit]]:
    """Hits of (read, tier, plate record) candidates, best first within each read."""
    swaps = pk.look_alike_swaps(batch.raw.take(row), record[:, 1]).view(np.int64)
    codes = np.where(tier == 1, np.minimum(swaps, 15), _TIER_CODE.take(tier))
    text = record[:, 2:].view(">u8").astype(np.uint64)
    order = np.lexsort((text[:, 1], text[:, 0], row * 32 + RANK.take(codes)))
    row, codes, record = row.take(order), codes.take(order), record.take(order, axis=0)
    counts = (record[:, 0] >> _HIGH32).astype(np.intp)
    names, reasons = index.entries.gather((record[:, 0] & _LOW32).astype(np.intp), counts)
    plate_text = np.ascontiguousarray(record[:, 2:]).view("S16")[:, 0]
    if len(names) != row.size:  # a plate on several lists: one hit per list
        plate_text, codes, row = plate_text.repeat(counts), codes.repeat(counts), row.repeat(counts)
    plates = b"\0".join(plate_text.tolist()).decode("ascii").split("\0")
    fields = zip(plates, names, SCORES.take(codes).tolist(), reasons, KINDS.take(codes).tolist(), strict=True)
    hits = list(map(_new, repeat(WatchlistHit), fields))
    ends = np.bincount(row, minlength=n).cumsum().tolist()
    return list(map(hits.__getitem__, map(slice, [0, *ends[:-1]], ends)))
