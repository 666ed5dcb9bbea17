"""Query parts typed without a space between two names (BilalButt, محمدعدنان).

A part that matches no indexed part well may be two known parts run
together; it is searched split.  Urdu typists often leave out the space after
a letter that does not join (د ر ز و ا), so an Urdu-script word that is no
known spelling is searched both whole and split: its bare consonants
resemble many shorter names (محمدعدنان "mhmd-dnn" looks like Madan), so a
fair match as a whole word says little.
"""

from __future__ import annotations

from collections.abc import Callable

from safecity.identity.phonetics import QueryToken
from safecity.identity.vocabulary import Vocabulary

__all__ = ["segmentations"]

_MIN_WORD = 6
_MIN_PIECE = 3
_GOOD_MATCH = 0.85


def segmentations(
    query: list[QueryToken], vocab: Vocabulary, best_similarity: Callable[[QueryToken], float]
) -> list[list[QueryToken]]:
    """The query with run-together parts split; a second reading where splitting is only a guess.

    ``best_similarity`` gives the similarity of a query part's closest
    indexed part (0 when none is similar).
    """
    plain: list[QueryToken] = []
    split: list[QueryToken] = []
    for token in query:
        word = token.forms[0]
        if token.initial or len(word) < _MIN_WORD or word in vocab.ids:
            plain.append(token)
            split.append(token)
            continue
        poor = best_similarity(token) < _GOOD_MATCH
        guess = token.from_script and not _known(vocab, word)
        pieces = _two_known_parts(token, vocab) if poor or guess else None
        if pieces is None:
            plain.append(token)
            split.append(token)
            continue
        plain.extend(pieces if poor else [token])
        split.extend(pieces)
    return [plain] if split == plain else [plain, split]


def _two_known_parts(token: QueryToken, vocab: Vocabulary) -> list[QueryToken] | None:
    word = token.forms[0]
    splits = [(word[:i], word[i:]) for i in range(_MIN_PIECE, len(word) - _MIN_PIECE + 1)]
    found = [pair for pair in splits if _known(vocab, pair[0]) and _known(vocab, pair[1])]
    if not found:
        return None
    left, right = max(found, key=lambda pair: min(len(pair[0]), len(pair[1])))
    return [
        QueryToken(forms=(left,), from_script=token.from_script),
        QueryToken(forms=(right,), from_script=token.from_script),
    ]


def _known(vocab: Vocabulary, part: str) -> bool:
    """An indexed part, or another spelling of one (Urdu script writes no short vowels: mhmd)."""
    return part in vocab.ids or bool(vocab.same_spelling((part,)))
