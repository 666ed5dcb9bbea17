"""Each worker's in-memory copy of the watchlists, kept in step with the database.

Loading a million entries takes the better part of a minute (the query,
normalising, indexing), and every worker matches against its own copy, so an
edit must not cost a reload. Every change is logged under a version (see
`WatchlistState`): a worker fetches the changes after its own version and
re-reads the current entries of the plates they name, so applying a change twice
is harmless. It reloads everything only when it cannot trust its copy: on first
use, when the token of its version is gone (it saw a change, in that change's
own transaction, that was then rolled back; or the log was pruned), or when a
list itself changed (its policy applies to every entry).

Entries leave the copy at the first use after they expire, as a reload would
have left them out.
"""

from __future__ import annotations

import gc
import heapq
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from safecity.anpr.models import ListPolicy
from safecity.anpr.repository import AnprRepository, EntryRow
from safecity.anpr.watchlist import Watchlist
from safecity.core.db import utcnow

__all__ = ["ListedEntry", "watchlist_for"]

_MAX_CHANGED_PLATES = 50_000  # beyond this many changed plates, a reload is as quick


@dataclass(frozen=True, slots=True)
class ListedEntry:
    entry_id: int
    policy: ListPolicy
    expires_at: datetime | None


class _WatchlistCache:
    """A worker's `Watchlist` and entries; one writer (under the lock), readers at any time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple[int, str] | None = None  # (version, token) the copy reflects
        self._watchlist = Watchlist()
        self._listed: dict[tuple[str, str], ListedEntry] = {}
        self._expiries: list[tuple[datetime, str, str]] = []  # a heap of (expiry, plate, list)

    def current(self, session: Session) -> tuple[Watchlist, Mapping[tuple[str, str], ListedEntry]]:
        repo = AnprRepository(session)
        state = repo.watchlist_state() or (0, "")
        now = utcnow()
        if state != self._state or (self._expiries and self._expiries[0][0] <= now):
            with self._lock:
                if state != self._state and not self._catch_up(repo, state, now):
                    self._reload(repo, state, now)
                self._expire(now)
        return self._watchlist, self._listed

    def _reload(self, repo: AnprRepository, state: tuple[int, str], now: datetime) -> None:
        watchlist = Watchlist()
        listed: dict[tuple[str, str], ListedEntry] = {}
        rows = repo.active_entries(now)
        watchlist.add_many((plate, name, reason) for _, plate, name, reason, _, _ in rows)
        for entry_id, plate, name, _, policy, expires_at in rows:
            listed[(plate, name)] = ListedEntry(entry_id, ListPolicy(policy), expires_at)
        self._expiries = [(e.expires_at, p, n) for (p, n), e in listed.items() if e.expires_at is not None]
        heapq.heapify(self._expiries)
        del rows
        # One full collection now untracks the new index's many containers, or the next
        # few automatic full collections would each walk them while matching.
        gc.collect()
        self._watchlist, self._listed, self._state = watchlist, listed, state

    def _catch_up(self, repo: AnprRepository, state: tuple[int, str], now: datetime) -> bool:
        """Apply the changes after this copy's version; False when only a reload will do."""
        if self._state is None:
            return False
        version, token = self._state
        changes = repo.watchlist_changes(version)
        if version:  # this copy's own change must still be there (not rolled back, not pruned)
            trusted = any(v == version and t == token for v, t, _, _ in changes)
        else:
            trusted = bool(changes) and changes[0][0] == 1
        if not trusted:
            return False
        if state[0] <= version:
            return True  # the session's view is older than this copy, which stays as it is
        newer = [(name, plate) for v, _, name, plate in changes if v > version]
        if any(plate is None for _, plate in newer) or len(newer) > _MAX_CHANGED_PLATES:
            return False
        changed = {(plate, name) for name, plate in newer if plate is not None}
        self._apply(changed, repo.active_entries_of({plate for plate, _ in changed}, now))
        self._state = changes[-1][:2]
        return True

    def _apply(self, changed: set[tuple[str, str]], rows: list[EntryRow]) -> None:
        current = {(row[1], row[2]): row for row in rows}
        for plate, name in changed:
            row = current.get((plate, name))
            if row is None:
                self._listed.pop((plate, name), None)
                self._watchlist.remove(plate, name)
                continue
            entry_id, _, _, reason, policy, expires_at = row
            self._watchlist.add(plate, name, reason)
            self._listed[(plate, name)] = ListedEntry(entry_id, ListPolicy(policy), expires_at)
            if expires_at is not None:
                heapq.heappush(self._expiries, (expires_at, plate, name))

    def _expire(self, now: datetime) -> None:
        while self._expiries and self._expiries[0][0] <= now:
            expires_at, plate, name = heapq.heappop(self._expiries)
            entry = self._listed.get((plate, name))
            if entry is not None and entry.expires_at == expires_at:  # not re-listed since
                del self._listed[(plate, name)]
                self._watchlist.remove(plate, name)


_caches: dict[str, _WatchlistCache] = {}
_caches_lock = threading.Lock()


def watchlist_for(session: Session) -> tuple[Watchlist, Mapping[tuple[str, str], ListedEntry]]:
    """This worker's current watchlist for the session's database (caught up after any change)."""
    key = str(session.get_bind().engine.url)
    with _caches_lock:
        cache = _caches.setdefault(key, _WatchlistCache())
    return cache.current(session)
