"""Distinct name parts of an index and fast lookup of similar parts.

A million persons share far fewer distinct name parts (Muhammad, Khan, Ali
... plus typos), so fuzzy matching is done once per distinct part, not per
person.  Similar parts are found through their consonant skeletons with a
one-deletion neighbourhood (the SymSpell idea): two skeletons within one edit
share a key, so a misspelt consonant still meets the right part; vowel
differences never change the skeleton at all.  Candidates from the keys are
then ranked with rapidfuzz on the vowel-keeping phonetic form.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from safecity.identity.phonetics import loose_forms, shortened_forms, skeleton

__all__ = ["Vocabulary"]

_VOWEL_ENDS = frozenset("aeiouy")


def _keys(skel: str) -> set[str]:
    keys = {skel}
    if len(skel) >= 3:
        keys.update(skel[:i] + skel[i + 1 :] for i in range(len(skel)))
    return keys


class Vocabulary:
    """Interned phonetic tokens with a skeleton-key index for similar-token search."""

    def __init__(self, *, vowel_tolerance: float = 0.85, loose_similarity: float = 1.0) -> None:
        self.vowel_tolerance = vowel_tolerance
        self.loose_similarity = loose_similarity
        self.ids: dict[str, int] = {}
        self.strings: list[str] = []
        self.skeletons: list[str] = []
        self.from_script: list[bool] = []
        self._by_key: dict[str, list[int]] = {}
        self._by_loose: dict[str, list[int]] = {}
        self._by_shortened: dict[str, list[int]] = {}
        self._frozen: tuple[NDArray[np.object_], NDArray[np.object_], NDArray[np.bool_]] | None = None

    def __len__(self) -> int:
        return len(self.strings)

    def intern(self, token: str, *, from_script: bool = False) -> int:
        found = self.ids.get(token)
        if found is not None:
            if from_script and not self.from_script[found]:
                self.from_script[found] = True
                self._frozen = None
            return found
        self._frozen = None
        new = len(self.strings)
        self.ids[token] = new
        self.strings.append(token)
        skel = skeleton(token)
        self.skeletons.append(skel)
        self.from_script.append(from_script)
        for key in _keys(skel):
            self._by_key.setdefault(key, []).append(new)
        for form in loose_forms(token):
            self._by_loose.setdefault(form, []).append(new)
        for form in shortened_forms(token):
            self._by_shortened.setdefault(form, []).append(new)
        return new

    def same_spelling(self, forms: Iterable[str]) -> set[int]:
        """Token ids that are another spelling of one of ``forms`` (Tarek / Tariq, Sumera / Sumaira)."""
        found: set[int] = set()
        for form in forms:
            for loose in loose_forms(form):
                found.update(self._by_shortened.get(loose, ()))
            for short in shortened_forms(form):
                found.update(self._by_loose.get(short, ()))
        return found

    def arrays(self) -> tuple[NDArray[np.object_], NDArray[np.object_], NDArray[np.bool_]]:
        """Strings, skeletons and script flags as arrays, for vectorised gathering."""
        if self._frozen is None:
            strings = np.empty(len(self.strings), dtype=object)
            strings[:] = self.strings
            skeletons = np.empty(len(self.skeletons), dtype=object)
            skeletons[:] = self.skeletons
            self._frozen = (strings, skeletons, np.array(self.from_script, dtype=bool))
        return self._frozen

    def neighbours(self, forms: Iterable[str]) -> list[int]:
        """Token ids whose skeleton is within about one edit of any form's skeleton."""
        found: set[int] = set()
        for form in forms:
            exact = self.ids.get(form)
            if exact is not None:
                found.add(exact)
            for key in _keys(skeleton(form)):
                found.update(self._by_key.get(key, ()))
        return sorted(found)

    def similarity(
        self,
        forms: Sequence[str],
        ids: Sequence[int] | NDArray[np.int64],
        *,
        skeleton_weight: float,
        script_skeleton_weight: float,
        query_from_script: bool,
    ) -> NDArray[np.float32]:
        """Best similarity (0..1) of any form to each token id.

        Vowel-keeping ratio for Roman-to-Roman; when either side came from
        Urdu script (no short vowels written), the consonant skeletons are
        trusted more.
        """
        if len(ids) == 0:
            return np.zeros(0, dtype=np.float32)
        all_strings, all_skeletons, all_script = self.arrays()
        strings = all_strings[ids].tolist()
        skels = all_skeletons[ids].tolist()
        workers = 1 if len(ids) < 5000 else -1
        phon: NDArray[np.float32] = np.asarray(
            process.cdist(forms, strings, scorer=fuzz.ratio, dtype=np.float32, workers=workers),
            dtype=np.float32,
        )
        skel: NDArray[np.float32] = np.asarray(
            process.cdist(
                [skeleton(f) for f in forms], skels, scorer=fuzz.ratio, dtype=np.float32, workers=workers
            ),
            dtype=np.float32,
        )
        weight = np.full(len(strings), skeleton_weight, dtype=np.float32)
        if query_from_script:
            weight[:] = script_skeleton_weight
        else:
            weight[all_script[ids]] = script_skeleton_weight
        phon /= 100.0
        skel /= 100.0
        # equal consonants with different vowels (Tarek/Tariq, Amina/Amna) are near-identical, unless
        # only one of them ends in a vowel: a final vowel is written in Urdu (Amin / Amina, Nasir /
        # Nasira, Hamid / Hamida are different names), so it is not a romaniser's guess
        final = np.fromiter((s[-1:] in _VOWEL_ENDS for s in strings), dtype=bool, count=len(strings))
        form_final = np.fromiter((f[-1:] in _VOWEL_ENDS for f in forms), dtype=bool, count=len(forms))
        same_end = form_final[:, None] == final[None, :]
        same_consonants = np.where(
            (skel >= 1.0) & same_end, self.vowel_tolerance + (1.0 - self.vowel_tolerance) * phon, 0.0
        )
        best: NDArray[np.float32] = np.maximum(np.maximum(phon, skel * weight[None, :]), same_consonants)
        result: NDArray[np.float32] = best.max(axis=0).astype(np.float32)
        same = self.same_spelling(forms)
        if same:
            hit = np.isin(np.asarray(ids, dtype=np.int64), np.fromiter(same, dtype=np.int64, count=len(same)))
            result[hit] = np.maximum(result[hit], self.loose_similarity)
        return result
