"""Fuzzy person-name index for Roman-Urdu and Urdu-script names.

Search runs in two stages so that it stays fast at a million persons:

1. candidate generation — every query part is expanded to similar distinct
   parts of the index (`Vocabulary`), and their posting lists add
   IDF-weighted similarity into a dense score array (numpy, no Python loop
   over persons); the best few hundred persons go on;
2. re-ranking — those candidates are scored exactly by aligning their parts
   with the query's (`alignment.align_scores`), with initials ("M. Asif"),
   reordered parts and missing titles handled there, and by a whole-string
   comparison that catches names split or joined differently;
3. grading — a small share of the score is the similarity of the written
   spellings (`spelling.SpellingStore`), so the exact spelling beats another
   spelling of the same sounds, which beats a merely similar name, and
   identical names are ordered by a checksum of their keys: results never
   depend on the order in which names were added.

A query that can be read in two ways (an Urdu word with ال inside, a word
that may be two names typed without a space: `segmentation`) is searched in
both, and each person keeps its better score.  Parts often left out of
records (Muhammad) cost less when missing (``optional_share``).

One key may be added under several names (aliases); results hold each key
once, with its best score.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from safecity.core.errors import InvalidInput
from safecity.identity.alignment import AlignmentParams, align_scores
from safecity.identity.phonetics import QueryToken, query_readings
from safecity.identity.postings import INITIAL_WEIGHT, TITLE_FACTOR, Postings, build_postings
from safecity.identity.segmentation import segmentations
from safecity.identity.spelling import SpellingStore
from safecity.identity.vocabulary import Vocabulary

__all__ = ["Match", "NameIndex"]

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]
F32 = NDArray[np.float32]

_INITIAL_SIMILARITY = 0.9
_EXPANSION_CACHE = 65536


@dataclass(frozen=True, slots=True)
class Match:
    """One search result: the caller's key and a similarity in [0, 1]."""

    key: str
    score: float


class NameIndex:
    """In-memory name index; ``add``/``add_many`` then ``search``.

    Adding after searching is allowed; the posting lists are rebuilt on the
    next search, so add in batches (``add_many``) when loading many names.
    """

    def __init__(
        self,
        *,
        candidates: int = 300,
        token_expansions: int = 32,
        min_token_similarity: float = 0.6,
        skeleton_weight: float = 0.8,
        script_skeleton_weight: float = 0.95,
        whole_name_weight: float = 0.9,
        common_share: float = 0.005,
        same_spelling_similarity: float = 1.0,
        spelling_weight: float = 0.1,
        optional_share: float = 0.5,
        alignment: AlignmentParams | None = None,
    ) -> None:
        self.candidates = candidates
        self.token_expansions = token_expansions
        self.min_token_similarity = min_token_similarity
        self.skeleton_weight = skeleton_weight
        self.script_skeleton_weight = script_skeleton_weight
        self.whole_name_weight = whole_name_weight
        self.common_share = common_share
        self.spelling_weight = spelling_weight
        self.optional_share = optional_share
        self.alignment = alignment or AlignmentParams()
        self._spelling = SpellingStore()
        self._vocab = Vocabulary(loose_similarity=same_spelling_similarity)
        self._keys: list[str] = []
        self._tokens = array("i")
        self._titles = array("b")
        self._optional = array("b")
        self._offsets = array("q", [0])
        self._built: Postings | None = None
        self._expansions: dict[QueryToken, tuple[I64, F32]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: str, name: str) -> None:
        if not isinstance(key, str) or not key.strip():
            raise InvalidInput("key must be a non-empty string", field="key")
        for token in self._parse(name, field="name")[0]:
            self._tokens.append(self._vocab.intern(token.forms[0], from_script=token.from_script))
            self._titles.append(token.title)
            self._optional.append(token.optional)
        self._offsets.append(len(self._tokens))
        self._spelling.add(name)
        self._keys.append(key)
        self._built = None
        self._expansions.clear()

    def add_many(self, pairs: Iterable[tuple[str, str]]) -> None:
        for key, name in pairs:
            self.add(key, name)

    def search(self, name: str, k: int = 10) -> list[Match]:
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidInput("k must be a positive integer", field="k")
        readings = self._parse(name, field="name")
        if not self._keys:
            return []
        built = self._build()
        persons, scores = self._score_readings(readings, built)
        if persons.size == 0:
            return []
        tiebreak = built.key_order[persons]
        if self.spelling_weight > 0:
            # graded: the exact spelling beats another spelling of the same sounds, which beats a
            # similar name; this, not the order of adding, decides between equal phonetic scores
            spelt = self._spelling.similarity(name, persons)
            scores = (1.0 - self.spelling_weight) * scores + self.spelling_weight * spelt
        return self._top_keys(persons, scores, tiebreak, k)

    def _score_readings(self, readings: list[list[QueryToken]], built: Postings) -> tuple[I32, F32]:
        """Candidates of every reading and segmentation, each scored by its best one."""
        weighted: list[tuple[list[QueryToken], F32]] = []
        found: list[I32] = []
        for query in (q for r in readings for q in segmentations(r, self._vocab, self._best_similarity)):
            expansions = [self._expand(token, built) for token in query]
            weights = np.array(
                [self._query_weight(t, e, built) for t, e in zip(query, expansions, strict=True)],
                dtype=np.float32,
            )
            weighted.append((query, weights))
            found.append(self._candidate_persons(query, expansions, float(weights.sum()), built))
        persons = found[0] if len(found) == 1 else np.unique(np.concatenate(found)).astype(np.int32)
        scores = np.zeros(persons.size, dtype=np.float32)
        if persons.size:
            for query, weights in weighted:
                scores = np.maximum(scores, self._rerank(query, weights, persons, built))
        return persons, scores

    # -- parsing and building -------------------------------------------------

    @staticmethod
    def _parse(name: str, *, field: str) -> list[list[QueryToken]]:
        """Every reading of ``name``; the first is the one indexed (see `phonetics.query_readings`)."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("name must not be blank", field=field)
        readings = query_readings(name)
        if not readings[0]:
            raise InvalidInput(f"name has no letters to match on: {name!r}", field=field)
        return [tokens for tokens in readings if tokens]

    def _build(self) -> Postings:
        if self._built is None:
            self._built = build_postings(
                self._keys,
                self._tokens,
                self._offsets,
                self._titles,
                self._optional,
                self._vocab.strings,
                optional_share=self.optional_share,
            )
        return self._built

    # -- stage 1: candidates --------------------------------------------------

    def _best_similarity(self, token: QueryToken) -> float:
        sims = self._expand(token, self._build())[1]
        return float(sims.max()) if sims.size else 0.0

    def _expand(self, token: QueryToken, built: Postings) -> tuple[I64, F32]:
        """Similar vocabulary ids and their similarity for one query part (cached until the next add)."""
        if token.initial:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        cached = self._expansions.get(token)
        if cached is None:
            if len(self._expansions) >= _EXPANSION_CACHE:
                self._expansions.clear()
            cached = self._expansions[token] = self._expand_uncached(token)
        return cached

    def _expand_uncached(self, token: QueryToken) -> tuple[I64, F32]:
        ids = np.asarray(self._vocab.neighbours(token.forms), dtype=np.int64)
        sims = self._vocab.similarity(
            token.forms,
            ids,
            skeleton_weight=self.skeleton_weight,
            script_skeleton_weight=self.script_skeleton_weight,
            query_from_script=token.from_script,
        )
        keep = sims >= self.min_token_similarity
        ids, sims = ids[keep], sims[keep]
        if ids.size > self.token_expansions:
            # equal similarities go by spelling, not by vocabulary id (the order names were added)
            strings = self._vocab.strings
            top = sorted(range(ids.size), key=lambda i: (-float(sims[i]), strings[int(ids[i])]))
            keep_at = np.asarray(top[: self.token_expansions], dtype=np.int64)
            ids, sims = ids[keep_at], sims[keep_at]
        return ids, sims

    def _query_weight(self, token: QueryToken, expansion: tuple[I64, F32], built: Postings) -> float:
        if token.initial:
            return INITIAL_WEIGHT
        ids, sims = expansion
        if ids.size == 0:
            return math.log1p(len(self._keys))
        weight = float(built.idf[ids[sims == sims.max()]].max())
        return weight * TITLE_FACTOR if token.title else weight

    def _candidate_persons(
        self,
        query: list[QueryToken],
        expansions: list[tuple[I64, F32]],
        query_weight: float,
        built: Postings,
    ) -> I32:
        """Best persons by a Dice-like bound: shared weight over both names' total weight.

        Ties (many persons share a name) go by a checksum of the key, so
        results are deterministic and do not depend on the order of adding.
        """
        if all(ids.size == 0 for ids, _ in expansions):
            expansions = [self._initial_expansion(t, built) for t in query]
        acc = np.zeros(len(self._keys), dtype=np.float32)
        # one stored part reached from several query parts (Naseer ... Naseer) credits a person once
        # per time the person holds it, not once per query part
        reached: dict[int, list[float]] = {}
        for ids, sims in expansions:
            for vid, sim in zip(ids.tolist(), sims.tolist(), strict=True):
                reached.setdefault(vid, []).append(sim)
        pairs = sorted(
            (int(built.starts[vid + 1] - built.starts[vid]), vid, sorted(found, reverse=True))
            for vid, found in reached.items()
        )
        common = max(int(len(self._keys) * self.common_share), 5000)
        hit: list[I32] = []
        seen: NDArray[np.bool_] | None = None
        for size, vid, best in pairs:
            span = slice(int(built.starts[vid]), int(built.starts[vid + 1]))
            persons, weight = built.persons[span], built.posting_weight[span]
            if size > common and hit:
                # a very common part (Muhammad, Khan) only re-scores persons found through rarer parts
                if seen is None:
                    seen = np.zeros(len(self._keys), dtype=bool)
                    seen[np.concatenate(hit)] = True
                mask = seen[persons]
                persons, weight = persons[mask], weight[mask]
            else:
                hit.append(persons)
            acc[persons] += best[0] * weight
            if len(best) > 1 and persons.size > 1:
                again = np.flatnonzero(persons[1:] == persons[:-1]) + 1  # a person's second entry
                acc[persons[again]] += best[1] * weight[again]
        if not hit:
            return np.zeros(0, dtype=np.int32)
        # a person reached through several parts is listed once, so it takes one candidate place
        mark = np.zeros(len(self._keys), dtype=bool)
        mark[np.concatenate(hit)] = True
        unique = np.flatnonzero(mark).astype(np.int32)
        limit = self.candidates
        rank = self._approximate(acc, unique, query_weight, built)
        if unique.size > limit:
            unique = unique[np.argpartition(-rank, limit - 1)[:limit]]
        return unique.astype(np.int32)

    @staticmethod
    def _approximate(acc: F32, persons: I32, query_weight: float, built: Postings) -> NDArray[np.float64]:
        shared = acc[persons].astype(np.float64)
        total = query_weight + built.person_weight[persons].astype(np.float64)
        return 2.0 * shared / np.maximum(total, 1e-6) - built.key_order[persons].astype(np.float64) * 1e-9

    def _initial_expansion(self, token: QueryToken, built: Postings) -> tuple[I64, F32]:
        ids = np.flatnonzero(built.first_letters == token.forms[0][:1]).astype(np.int64)
        return ids, np.full(ids.size, _INITIAL_SIMILARITY, dtype=np.float32)

    # -- stage 2: exact re-ranking ------------------------------------------

    def _rerank(self, query: list[QueryToken], query_weights: F32, persons: I32, built: Postings) -> F32:
        starts = built.offsets[persons]
        lengths = built.offsets[persons + 1] - starts
        width = max(int(lengths.max()), 1)
        cols = np.arange(width)
        present = cols[None, :] < lengths[:, None]
        positions = np.where(present, starts[:, None] + cols[None, :], 0)
        token_ids = built.tokens[positions]
        vocab_ids, local = np.unique(np.where(present, token_ids, 0), return_inverse=True)
        local = local.reshape(token_ids.shape)
        table = self._token_table(query, vocab_ids, built)
        cube = np.transpose(table[:, local], (1, 0, 2))
        cube[~np.broadcast_to(present[:, None, :], cube.shape)] = -1.0
        cand_weights = np.where(present, built.token_weight[positions], 0.0).astype(np.float32)
        cand_miss = np.where(present, built.miss_weight[positions], 0.0).astype(np.float32)
        query_miss = np.where([t.optional for t in query], query_weights * self.optional_share, query_weights)
        scores = align_scores(
            cube, query_weights, cand_weights, self.alignment, query_miss.astype(np.float32), cand_miss
        )
        return np.maximum(scores, self._whole_name(query, token_ids, present))

    def _token_table(self, query: list[QueryToken], vocab_ids: I64, built: Postings) -> F32:
        """Similarity of every query part to every candidate part (query x vocab_ids)."""
        table = np.zeros((len(query), vocab_ids.size), dtype=np.float32)
        letters = built.first_letters[vocab_ids]
        single = built.single_letter[vocab_ids]
        for row, token in enumerate(query):
            letter_match = letters == token.forms[0][:1]
            if token.initial:
                table[row] = np.where(letter_match, _INITIAL_SIMILARITY, 0.0)
                continue
            table[row] = self._vocab.similarity(
                token.forms,
                vocab_ids,
                skeleton_weight=self.skeleton_weight,
                script_skeleton_weight=self.script_skeleton_weight,
                query_from_script=token.from_script,
            )
            table[row, single] = np.where(letter_match[single], _INITIAL_SIMILARITY, 0.0)
        return table

    def _whole_name(self, query: list[QueryToken], token_ids: I32, present: NDArray[np.bool_]) -> F32:
        """Whole-string ratio, for names joined or split differently (Abujafar / Abu Jafar)."""
        if self.whole_name_weight <= 0:
            return np.zeros(token_ids.shape[0], dtype=np.float32)
        joined = "".join(t.forms[0] for t in query if not t.initial)
        if not joined:
            return np.zeros(token_ids.shape[0], dtype=np.float32)
        parts = self._vocab.arrays()[0][token_ids]
        parts[~present] = ""
        names = np.add.reduce(parts, axis=1).tolist()
        ratios: F32 = np.asarray(process.cdist([joined], names, scorer=fuzz.ratio, dtype=np.float32)[0])
        return (ratios * (self.whole_name_weight / 100.0)).astype(np.float32)

    def _top_keys(self, persons: I32, scores: F32, tiebreak: F32, k: int) -> list[Match]:
        # exact ties (identical names) go by a checksum of the key, not by the order of adding
        order = np.lexsort((tiebreak, -np.round(scores, 6)))
        seen: set[str] = set()
        results: list[Match] = []
        for pos in order.tolist():
            key = self._keys[int(persons[pos])]
            if key in seen:
                continue
            seen.add(key)
            results.append(Match(key=key, score=round(float(scores[pos]), 6)))
            if len(results) == k:
                break
        return results
