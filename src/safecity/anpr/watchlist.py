"""Plates of interest, matched against reads that OCR has partly got wrong.

A camera read rarely differs from the truth by an arbitrary edit: it swaps
look-alike glyphs (0/O/D/Q, 1/I/L, 8/B, 5/S, 2/Z, 6/G) or loses or gains one
character at a plate's edge or a worn bolt. So every listed plate is filed
under a *confusion-class key* (each look-alike group collapsed to one symbol)
and under each one-character deletion of that key (the symmetric-delete idea).
Looking a read up is a handful of dictionary probes, whatever the list size:

1. the read's key in the class index — an exact or look-alike read;
2. the read's key in the deletion index — the read lost a character;
3. each deletion of the read's key in the class index — it gained one.

By default only the closest tier that has any hit is returned (1, else 2, else
3), as a spelling corrector does: once a read matches a listed plate outright,
its one-edit neighbours are noise for an operator, and OCR loses characters
far more often than it invents them. ``exhaustive=True`` returns all tiers.

Memory is roughly ten keys per plate: about 1.1 GB for a million plates.
Building is single-threaded; share a built list between threads read-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from safecity.core.errors import InvalidInput

from .plates import normalise_plate

__all__ = ["Watchlist", "WatchlistHit"]

SCORE_EXACT = 1.0
SCORE_PER_CONFUSION = 0.05
SCORE_FLOOR_CONFUSED = 0.8
SCORE_MISSING = 0.75
SCORE_EXTRA = 0.7

_LOOK_ALIKES = (b"0ODQ", b"1IL", b"8B", b"5S", b"2Z", b"6G")
_SEPARATORS = b" -._/:|\t\n\r"
_LOWER = b"abcdefghijklmnopqrstuvwxyz"
# Keys are ASCII bytes: bytes.translate is a C table walk, several times faster
# than str.translate's per-character dict lookups, and matching is all lookups.
_COMPACT = bytes.maketrans(_LOWER, _LOWER.upper())
_CLASS = bytes.maketrans(
    _LOWER + b"".join(g[1:] for g in _LOOK_ALIKES) + b"".join(g[1:].lower() for g in _LOOK_ALIKES),
    _LOWER.upper()
    + b"".join(g[:1] * (len(g) - 1) for g in _LOOK_ALIKES)
    + b"".join(g[:1] * (len(g) - 1) for g in _LOOK_ALIKES),
)

# A key's plates: a bare int for the common single plate, else a tuple. Neither is
# tracked by the garbage collector, so a million-plate index adds nothing to the
# collector's full passes (lists here made each pass walk millions of objects).
_Postings = dict[bytes, int | tuple[int, ...]]
# Hits are built per read: tuple.__new__ skips NamedTuple's Python-level __new__.
_new = tuple.__new__


class WatchlistHit(NamedTuple):
    """A listed plate a read may be; ``score`` 1.0 is an exact read, ``kind`` says why it matched."""

    plate: str
    list_name: str
    score: float
    reason: str = ""
    kind: str = "exact"


def _post(index: _Postings, key: bytes, pid: int) -> None:
    current = index.get(key)
    if current is None:
        index[key] = pid
    elif isinstance(current, int):
        if current != pid:
            index[key] = (current, pid)
    elif pid not in current:
        index[key] = (*current, pid)


class Watchlist:
    """Named lists of plates (``stolen``, ``wanted``, …) matched tolerantly against reads."""

    def __init__(self) -> None:
        self._plates: list[str] = []
        self._compact: list[bytes] = []  # canonical without hyphens, to tell exact from look-alike
        self._entries: list[tuple[tuple[str, str], ...]] = []
        self._ids: dict[str, int] = {}
        self._by_class: _Postings = {}
        self._by_deletion: _Postings = {}

    def __len__(self) -> int:
        """Number of plates on at least one list."""
        return sum(1 for entries in self._entries if entries)

    def __contains__(self, plate: object) -> bool:
        if not isinstance(plate, str):
            return False
        pid = self._ids.get(normalise_plate(plate))
        return pid is not None and bool(self._entries[pid])

    def add(self, plate: str, list_name: str, reason: str = "") -> str:
        """List ``plate`` (any spelling) on ``list_name``; returns its canonical form.

        Adding the same plate to the same list again replaces the reason.
        """
        _check_list_name(list_name)
        canonical = normalise_plate(plate)
        self._add_canonical(canonical, list_name, reason)
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
        for canonical, list_name, reason in rows:
            self._add_canonical(canonical, list_name, reason)
        return len(rows)

    def remove(self, plate: str, list_name: str | None = None) -> bool:
        """Take ``plate`` off one list (or all); True if it was listed.

        Its index keys stay behind as tombstones: a plate without entries yields no hits.
        """
        pid = self._ids.get(normalise_plate(plate))
        if pid is None:
            return False
        before = self._entries[pid]
        self._entries[pid] = tuple(e for e in before if list_name is not None and e[0] != list_name)
        return self._entries[pid] != before

    def match(self, read_text: str, *, exhaustive: bool = False) -> list[WatchlistHit]:
        """Listed plates ``read_text`` may be, best first; ``[]`` when none."""
        try:
            encoded = read_text.encode("ascii")
        except UnicodeEncodeError:
            return []  # no plate has non-ASCII characters, so nothing can match
        key = encoded.translate(_CLASS, _SEPARATORS)
        same = self._by_class.get(key)
        if same is not None and not exhaustive:
            read = encoded.translate(_COMPACT, _SEPARATORS)
            if isinstance(same, int):  # the common case, kept free of dict building
                if self._compact[same] == read:  # an exact read, inlined: it is most reads
                    hits = self._hits_of(same, SCORE_EXACT, "exact")
                else:
                    hits = self._hits_of(same, *self._score_same_length(read, same))
            else:
                hits = self._hits({pid: self._score_same_length(read, pid) for pid in same})
            if hits:  # else only removed plates matched: try the next tier
                return hits
        found: dict[int, tuple[float, str]] = {}
        if same is not None:
            read = encoded.translate(_COMPACT, _SEPARATORS)
            for pid in (same,) if isinstance(same, int) else same:
                found[pid] = self._score_same_length(read, pid)
        shorter = self._by_deletion.get(key)
        if shorter is not None and not found and not exhaustive and isinstance(shorter, int):
            if hits := self._hits_of(shorter, SCORE_MISSING, "missing"):  # common case, no dict
                return hits
        elif shorter is not None:
            for pid in (shorter,) if isinstance(shorter, int) else shorter:
                found.setdefault(pid, (SCORE_MISSING, "missing"))
            if not exhaustive and (hits := self._hits(found)):
                return hits
        get = self._by_class.get
        for longer in map(get, [key[:i] + key[i + 1 :] for i in range(len(key))]):
            if longer is not None:
                for pid in (longer,) if isinstance(longer, int) else longer:
                    found.setdefault(pid, (SCORE_EXTRA, "extra"))
        return self._hits(found) if found else []

    def match_many(self, texts: Iterable[str], *, exhaustive: bool = False) -> list[list[WatchlistHit]]:
        """`match` for each read, in order."""
        match = self.match
        return [match(text, exhaustive=exhaustive) for text in texts]

    def _add_canonical(self, canonical: str, list_name: str, reason: str) -> None:
        pid = self._ids.get(canonical)
        if pid is not None:
            kept = tuple(e for e in self._entries[pid] if e[0] != list_name)
            self._entries[pid] = (*kept, (list_name, reason))
            return
        pid = len(self._plates)
        self._ids[canonical] = pid
        self._plates.append(canonical)
        self._compact.append(canonical.encode("ascii").translate(None, b"-"))
        self._entries.append(((list_name, reason),))
        key = canonical.encode("ascii").translate(_CLASS, _SEPARATORS)
        _post(self._by_class, key, pid)
        for deleted in {key[:i] + key[i + 1 :] for i in range(len(key))}:
            _post(self._by_deletion, deleted, pid)

    def _score_same_length(self, read: bytes, pid: int) -> tuple[float, str]:
        listed = self._compact[pid]
        if listed == read:
            return SCORE_EXACT, "exact"
        confusions = sum(1 for a, b in zip(listed, read, strict=True) if a != b)
        return max(SCORE_FLOOR_CONFUSED, SCORE_EXACT - SCORE_PER_CONFUSION * confusions), "confusable"

    def _hits_of(self, pid: int, score: float, kind: str) -> list[WatchlistHit]:
        entries = self._entries[pid]
        if len(entries) == 1:  # the common case, without a comprehension's frame (3x faster)
            ((list_name, reason),) = entries
            return [_new(WatchlistHit, (self._plates[pid], list_name, score, reason, kind))]
        plate = self._plates[pid]
        return [_new(WatchlistHit, (plate, name, score, reason, kind)) for name, reason in sorted(entries)]

    def _hits(self, found: dict[int, tuple[float, str]]) -> list[WatchlistHit]:
        if len(found) == 1:
            ((pid, (score, kind)),) = found.items()
            return self._hits_of(pid, score, kind)
        entries, plates = self._entries, self._plates
        new = _new
        hits: list[WatchlistHit] = [
            new(WatchlistHit, (plates[pid], list_name, score, reason, kind))
            for pid, (score, kind) in found.items()
            for list_name, reason in entries[pid]
        ]
        if len(hits) > 1:
            hits.sort(key=lambda h: (-h.score, h.plate, h.list_name))
        return hits


def _check_list_name(list_name: object) -> None:
    if not isinstance(list_name, str) or not list_name.strip():
        raise InvalidInput("a watchlist name is required", field="list_name")
