"""The written spelling of indexed names, for a graded second opinion on ties.

The phonetic tokens deliberately forget how a name was spelt: Mohammad and
Muhammad become one token, and so do names that differ only in an unwritten
short vowel.  Many persons then score exactly alike, and without a second
opinion the order in which they were added would decide who comes first.
This store keeps each person's spelling (lower-case words, abbreviations
expanded, Urdu script transliterated) as ids into a table of distinct words,
so that among equally good phonetic matches the closer spelling wins: the
exact spelling before another spelling of the same sounds, before a merely
similar name.
"""

from __future__ import annotations

from array import array

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from safecity.identity.phonetics import spelling_words

__all__ = ["SpellingStore"]

F32 = NDArray[np.float32]


class SpellingStore:
    """Per-person spelt words, interned; compares a query's spelling with candidates'."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._words: list[str] = []
        self._person_words = array("i")
        self._offsets = array("q", [0])

    def add(self, name: str) -> None:
        for word in spelling_words(name):
            found = self._ids.get(word)
            if found is None:
                found = self._ids[word] = len(self._words)
                self._words.append(word)
            self._person_words.append(found)
        self._offsets.append(len(self._person_words))

    def name(self, person: int) -> str:
        start, end = self._offsets[person], self._offsets[person + 1]
        return " ".join(self._words[i] for i in self._person_words[start:end])

    def similarity(self, query: str, persons: NDArray[np.int32]) -> F32:
        """Spelling similarity in [0, 1]: mean of the plain and the word-order-free ratio."""
        spelt = " ".join(spelling_words(query))
        names = [self.name(int(p)) for p in persons.tolist()]
        if not spelt or not names:
            return np.zeros(len(names), dtype=np.float32)
        plain = np.asarray(
            process.cdist([spelt.replace(" ", "")], [n.replace(" ", "") for n in names], scorer=fuzz.ratio),
            dtype=np.float32,
        )[0]
        unordered = np.asarray(process.cdist([spelt], names, scorer=fuzz.token_sort_ratio), dtype=np.float32)[
            0
        ]
        result: F32 = ((plain + unordered) / 200.0).astype(np.float32)
        return result
