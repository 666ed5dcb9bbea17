"""Plates of interest, matched against reads that OCR has partly got wrong.

A camera read rarely differs from the truth by an arbitrary edit: it swaps
look-alike glyphs (0/O/D/Q, 1/I/L, 8/B, 5/S, 2/Z, 6/G) or loses or gains one
character at a plate's edge or a worn bolt. So every listed plate is filed
under its *confusion-class key* (each look-alike group collapsed to one symbol,
packed into an integer, see `plate_keys`) and under each one-character deletion
of that key (the symmetric-delete idea). Looking a read up is a handful of
probes, whatever the list size:

1. the read's key in the class index — an exact or look-alike read;
2. the read's key in the deletion index — the read lost a character;
3. each deletion of the read's key in the class index — it gained one.

By default only the closest tier that has any hit is returned (1, else 2, else
3), as a spelling corrector does: once a read matches a listed plate outright,
its one-edit neighbours are noise for an operator, and OCR loses characters
far more often than it invents them. ``exhaustive=True`` returns all tiers.

`match_many` probes a whole batch with numpy (`keytable`) and applies the tier
rules to all its reads at once (`watchlist_batch`); no Python code runs per read.
Adding or removing a plate touches only its own keys (milliseconds at any
size). A million plates, each with its own reason, take about 1 GB (the numpy
index about 200 MB of it). One writer at a time; readers may match while it
writes (see `keytable`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from safecity.core.errors import InvalidInput

from . import plate_keys as pk
from .keytable import NONE, KeyTable, SharedPostings
from .plates import normalise_plate
from .watchlist_batch import RECORD, Index, match_batch
from .watchlist_entries import Entries, EntrySets
from .watchlist_hits import EXTRA, MISSING, SAME, SCORED, WatchlistHit, hit_order

__all__ = ["Watchlist", "WatchlistHit"]

_BATCH_MIN = 16  # below this, numpy's per-call overhead costs more than it saves
_BULK_MIN = 256
_new = tuple.__new__  # builds a NamedTuple in C, skipping its Python-level __new__
I64 = npt.NDArray[np.int64]


class Watchlist:
    """Named lists of plates (``stolen``, ``wanted``, …) matched tolerantly against reads."""

    _rows: npt.NDArray[np.void]

    def __init__(self) -> None:
        self._plates: list[str] = []
        self._compact: list[bytes] = []  # canonical without hyphens, to tell exact from look-alike
        self._ids: dict[str, int] = {}
        self._entries = EntrySets()  # many plates share one (list, reason) set
        self._live = 0
        self._resize(1024)
        self._by_class = KeyTable(filtered=True)
        self._by_deletion = KeyTable()
        self._shared = SharedPostings()  # plates of a key held by several (value -2 - index)

    def _resize(self, capacity: int) -> None:
        """One 32-byte record per plate, what a batch gathers: a hit costs one cache miss, not three."""
        rows = np.zeros(capacity, dtype=RECORD)
        if hasattr(self, "_rows"):
            rows[: self._rows.size] = self._rows
        self._rows = rows
        self._words = rows.view(np.uint64).reshape(capacity, RECORD.itemsize // 8)  # what a batch gathers
        self._set_view = rows["set"].data  # fast scalar reads and writes

    def _records(self) -> npt.NDArray[np.uint64]:
        return self._words

    def __len__(self) -> int:
        """Number of plates on at least one list."""
        return self._live

    def __contains__(self, plate: object) -> bool:
        if not isinstance(plate, str):
            return False
        pid = self._ids.get(normalise_plate(plate))
        return pid is not None and self._set_view[pid] != 0

    def add(self, plate: str, list_name: str, reason: str = "") -> str:
        """List ``plate`` (any spelling) on ``list_name``; returns its canonical form.

        Adding the same plate to the same list again replaces the reason.
        """
        _check_list_name(list_name)
        canonical = normalise_plate(plate)
        pid = self._add_canonical(canonical, list_name, reason)
        if pid is not None:
            self._index_one(pid)
        return canonical

    def add_many(self, items: Iterable[Sequence[str]]) -> int:
        """Add ``(plate, list_name[, reason])`` rows; all or nothing, returns the count.

        A bad row raises `InvalidInput` naming its row number before anything is added.
        """
        rows: list[tuple[str, str, str]] = []
        for row_number, item in enumerate(items, start=1):
            if len(item) not in (2, 3):
                raise InvalidInput(f"row {row_number}: expected (plate, list_name[, reason])", field="items")
            try:
                _check_list_name(item[1])
                rows.append((normalise_plate(item[0]), item[1], item[2] if len(item) == 3 else ""))
            except InvalidInput as exc:
                raise InvalidInput(f"row {row_number}: {exc.detail}", field=exc.field or "items") from exc
        fresh = [pid for row in rows if (pid := self._add_canonical(*row)) is not None]
        if len(fresh) < _BULK_MIN:
            for pid in fresh:
                self._index_one(pid)
        else:
            self._index_many(fresh)
        return len(rows)

    def remove(self, plate: str, list_name: str | None = None) -> bool:
        """Take ``plate`` off one list (or all); True if it was listed.

        Its index keys stay behind: a plate without entries yields no hits.
        """
        pid = self._ids.get(normalise_plate(plate))
        if pid is None:
            return False
        before = self._entries_of(pid)
        after = tuple(e for e in before if list_name is not None and e[0] != list_name)
        self._set_entries(pid, after)
        return after != before

    def match(self, read_text: str, *, exhaustive: bool = False) -> list[WatchlistHit]:
        """Listed plates ``read_text`` may be, best first; ``[]`` when none."""
        compact = pk.key_of(read_text)
        if compact is None:
            return []
        key = pk.pack(compact)
        get = self._by_class.get
        extra = [get(pk.delete(key, i)) for i in range(len(compact))]
        found = self._candidates(get(key), self._by_deletion.get(key), extra, exhaustive)
        return self._hits(found, compact) if found else []

    def match_many(self, texts: Iterable[str], *, exhaustive: bool = False) -> list[list[WatchlistHit]]:
        """`match` for each read, in order; a batch is probed at once (the fast way in)."""
        texts = texts if isinstance(texts, list) else list(texts)
        results: list[list[WatchlistHit]] = []
        for start in range(0, len(texts), 4096):  # bounded temporary arrays
            results += self._match_batch(texts[start : start + 4096], exhaustive)
        return results

    def _candidates(
        self, same: int, shorter: int, longer: list[int], exhaustive: bool
    ) -> list[tuple[int, int]]:
        """The tier rules for one read: (plate, code) of the live plates its probes found."""
        live = self._set_view
        found: dict[int, int] = {}
        for pid in self._postings(same):
            found[pid] = SAME
        if found and not exhaustive and any(live[pid] for pid in found):
            return [(pid, code) for pid, code in found.items() if live[pid]]
        for pid in self._postings(shorter):
            found.setdefault(pid, MISSING)  # else only removed plates matched: try the next tier
        if found and not exhaustive and any(live[pid] for pid in found):
            return [(pid, code) for pid, code in found.items() if live[pid]]
        for value in longer:
            for pid in self._postings(value):
                found.setdefault(pid, EXTRA)
        return [(pid, code) for pid, code in found.items() if live[pid]]

    def _postings(self, value: int) -> tuple[int, ...]:
        if value >= 0:
            return (value,)
        return () if value == NONE else self._shared.tuples[-2 - value]

    def _hits(self, found: list[tuple[int, int]], compact: bytes) -> list[WatchlistHit]:
        hits: list[WatchlistHit] = []
        for pid, code in found:
            listed = self._compact[pid]
            if code == SAME:  # same length: count the look-alike swaps
                code = sum(1 for a, b in zip(listed, compact, strict=True) if a != b)
            score, kind = SCORED[min(code, EXTRA)]
            plate = self._plates[pid]
            hits += [_new(WatchlistHit, (plate, n, score, r, kind)) for n, r in self._entries_of(pid)]
        if len(hits) > 1:
            hits.sort(key=hit_order)
        return hits

    def _match_batch(self, texts: list[str], exhaustive: bool) -> list[list[WatchlistHit]]:
        n = len(texts)
        joined = "\0".join(texts)
        if n < _BATCH_MIN or not joined.isascii() or joined.count("\0") != n - 1:
            return [self.match(text, exhaustive=exhaustive) for text in texts]  # rare odd input
        batch = pk.to_batch(joined.encode("ascii").translate(pk.COMPACT, pk.SEPARATORS), n)
        index = Index(self._by_class, self._by_deletion, self._shared, self._records, self._entries)
        return match_batch(index, batch, exhaustive)

    def _entries_of(self, pid: int) -> Entries:
        entries = self._entries.sets[self._set_view[pid] & 0xFFFFFFFF]
        assert entries is not None
        return entries

    def _set_entries(self, pid: int, entries: Entries) -> None:
        entries = tuple(sorted(entries))
        number = self._entries.number(entries)
        before = self._set_view[pid]
        self._set_view[pid] = number | len(entries) << 32  # one store: number and size agree
        self._live += bool(entries) - (before != 0)

    def _add_canonical(self, canonical: str, list_name: str, reason: str) -> int | None:
        """Record the entry; returns the plate's id when it is new and still needs indexing."""
        pid = self._ids.get(canonical)
        if pid is not None:
            kept = tuple(e for e in self._entries_of(pid) if e[0] != list_name)
            self._set_entries(pid, (*kept, (list_name, reason)))
            return None
        compact = canonical.encode("ascii").translate(None, b"-")
        if len(compact) >= pk.WIDTH:  # normalise_plate never gives this; matching relies on it
            raise InvalidInput(f"plate {canonical!r} is too long", field="plate")
        pid = len(self._plates)
        if pid >= self._rows.size:
            self._resize(2 * self._rows.size)
        self._ids[canonical] = pid
        self._plates.append(canonical)
        self._compact.append(compact)
        self._set_entries(pid, ((list_name, reason),))
        return pid

    def _index_one(self, pid: int) -> None:
        compact = self._compact[pid]
        self._rows["raw"][pid] = pk.pack_raw(compact)
        self._rows["plate"][pid] = self._plates[pid]
        key = pk.pack(compact)
        self._post(self._by_class, key, pid)
        for deleted in {pk.delete(key, i) for i in range(len(compact))}:
            self._post(self._by_deletion, deleted, pid)

    def _post(self, table: KeyTable, key: int, pid: int) -> None:
        current = table.get(key)
        if current == NONE:
            table.put(key, pid)
        elif current >= 0:
            if current != pid:
                table.put(key, -2 - self._shared.add((current, pid)))
        elif pid not in (plates := self._shared[-2 - current]):
            self._shared.replace(-2 - current, (*plates, pid))

    def _index_many(self, pids: list[int]) -> None:
        """`_index_one` for many plates at once, with numpy."""
        batch = pk.to_batch(b"\0".join(self._compact[pid] for pid in pids), len(pids))
        ids = np.array(pids, dtype=np.int64)
        self._rows["raw"][ids] = batch.raw
        self._rows["plate"][ids] = [self._plates[pid] for pid in pids]
        self._post_many(self._by_class, batch.keys, ids)
        deletions = batch.deletions()  # (position, plate)
        _, plate = np.nonzero(deletions)
        self._post_many(self._by_deletion, deletions[deletions != 0], ids[plate])

    def _post_many(self, table: KeyTable, keys: npt.NDArray[np.uint64], pids: I64) -> None:
        order = np.lexsort((pids, keys))
        keys, pids = keys[order], pids[order]
        distinct = np.ones(keys.size, dtype=bool)
        distinct[1:] = (keys[1:] != keys[:-1]) | (pids[1:] != pids[:-1])
        keys, pids = keys[distinct], pids[distinct]
        known = table.get_many(keys) != NONE
        for key, pid in zip(keys[known].tolist(), pids[known].tolist(), strict=True):
            self._post(table, key, pid)
        keys, pids = keys[~known], pids[~known]
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        counts = np.diff(np.append(starts, keys.size))
        values = pids[starts].copy()
        several = np.flatnonzero(counts > 1)
        if several.size:
            grouped = np.isin(np.repeat(np.arange(starts.size), counts), several)
            first = self._shared.add_many(pids[grouped], counts[several])
            values[several] = -2 - (first + np.arange(several.size))
        table.put_new(keys[starts], values)


def _check_list_name(list_name: object) -> None:
    if not isinstance(list_name, str) or not list_name.strip():
        raise InvalidInput("a watchlist name is required", field="list_name")
