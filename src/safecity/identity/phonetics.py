"""Phonetic keys for Pakistani names written in Roman letters.

Roman Urdu has no standard spelling: one name is written Muhammad, Mohammad,
Muhammed or Mohd; Chaudhry, Chaudhary or Ch.; Naveed or Navid.  Soundex was
built for English surnames and merges too much (initial letter + 3 digits)
while missing the Urdu habits (ee/i, oo/u, w/v, q/k, aspirated kh/gh/bh,
doubled letters, e for the short a of Ahmed/Mehmood).  Two keys are used:

* ``phonetic(token)`` folds the spelling habits that never distinguish two
  names (aa/a, ee/i, oo/u, e/a, o/u, w/v, q/k, c/k, ph/f, h after a consonant,
  doubled letters, final h after a vowel) but keeps the vowels, so rapidfuzz
  can still tell Hasan from Husna.
* ``skeleton(phonetic)`` keeps the first sound and the remaining consonants
  only; Urdu script does not write short vowels, so this is the level at which
  محمد ("mhmd") and Muhammad agree.  It is also the candidate-generation key.

Name particles are normalised so that Nasir-ud-Din / Nasiruddin / Nasir Uddin,
Ehsan Ullah / Ehsanullah, Abdur Rahman / Abd-ur-Rahman / Abdurrahman and
Mahmood-ul Hassan / Mahmoodul Hassan become the same token sequence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from safecity.identity.transliteration import (
    has_arabic_script,
    has_joined_article,
    transliterate,
    transliterate_variants,
)

__all__ = [
    "TITLES",
    "QueryToken",
    "index_tokens",
    "loose_forms",
    "phonetic",
    "query_readings",
    "query_tokens",
    "shortened_forms",
    "skeleton",
    "spelling_words",
]

_VOWELS = frozenset("aeiou")

# Abbreviations written in records; mapped before the phonetic folding.
_ABBREVIATIONS: dict[str, str] = {
    "mohd": "muhammad",
    "muhd": "muhammad",
    "mhd": "muhammad",
    "md": "muhammad",
    "mohmd": "muhammad",
    "mu": "muhammad",
    "ch": "chaudhry",
    "chd": "chaudhry",
    "syd": "syed",
    "sayyid": "syed",
    "sayyed": "syed",
    "sayed": "syed",
    "saiyed": "syed",
    "seyed": "syed",
    "sh": "shaikh",
    "shk": "shaikh",
    "mst": "mussammat",
    "mst.": "mussammat",
    "bux": "bakhsh",
    "buksh": "bakhsh",
    "bakhash": "bakhsh",
}

# Connecting particles (-ud-, -ul-, -e-) carry no identity of their own.
_PARTICLES = frozenset(
    {"ul", "ud", "uz", "us", "ur", "un", "ush", "ut", "al", "el", "ad", "az", "e", "i", "o"}
)

_TITLE_WORDS = (
    "mr mrs ms miss dr doctor prof professor engr he haji hajji alhaj hafiz mufti maulana molana mawlana "
    "moulana maulvi molvi qari shaikh sheikh shiekh mian sardar nawab khawaja khwaja begum bibi mussammat "
    "sahib sahab janab allama hazrat sufi pir mir late marhoom mister mstr"
)


def _fold_consonants(s: str) -> str:
    # English-style qu spellings (Tarique, Siddique, Quader) write a plain q
    s = re.sub(r"que$", "q", s)
    s = re.sub(r"qu(?=[aeio])", "q", s)
    s = s.replace("x", "ks").replace("sch", "sh").replace("sh", "S").replace("ch", "C")
    s = s.replace("ph", "f").replace("ck", "k").replace("c", "k").replace("q", "k").replace("w", "v")
    s = re.sub(r"(?<=.)nb", "mb", s)  # n before b is said m: Sunbal / Sumbal, Qanbar / Qambar
    # aspiration (bh, dh, kh, gh, th, jh, rh, zh ...) is dropped: h right after a consonant
    s = re.sub(r"(?<=[bdfgjklmnprstvzSC])h", "", s)
    return s.replace("S", "x").replace("C", "c")


def _fold_vowels(s: str) -> str:
    s = s.replace("ee", "i").replace("ie", "i").replace("oo", "u").replace("ou", "u").replace("au", "u")
    s = re.sub(r"ov(?=[^aeiouy]|$)", "u", s)  # Chowdhury, Showkat
    s = s.replace("aa", "a").replace("ay", "ai").replace("ey", "ai").replace("ei", "ai")
    # y is a consonant at the start or before a vowel (Yusuf, Hayat), else the vowel i (Chaudhry);
    # between i and a vowel it is only a glide (Rabiya / Rabia, Saniya / Sania)
    s = re.sub(r"(?<=.)y(?![aeiou])", "i", s)
    s = re.sub(r"(?<=i)y(?=[aeiou])", "", s)
    s = re.sub(r"(?<=[^aeiou])y(?=[aeiou])", "i", s)  # Maryam / Mariam, Shahryar / Shahriar
    # e and o stay: they are the ambiguous vowels that `loose_forms` expands
    return s


@lru_cache(maxsize=262144)
def phonetic(token: str) -> str:
    """Fold spelling habits that never separate two names; keep vowels."""
    s = _fold_vowels(_fold_consonants(token.lower()))
    if len(s) > 2 and s.endswith("h") and s[-2] in _VOWELS:
        s = s[:-1]
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=262144)
def skeleton(phon: str) -> str:
    """First sound plus consonants: the level at which Urdu script and Roman agree."""
    if not phon:
        return ""
    first = "a" if phon[0] in _VOWELS else phon[0]
    rest = "".join(ch for ch in phon[1:] if ch not in "aeiouhyv")
    return re.sub(r"(.)\1+", r"\1", first + rest)


# What the ambiguous Roman vowels can stand for: e is the short a of Ahmed/Mehmood, the i of
# Tarek/Fatema/Hafez or the ai of Sumera/Sher; o is the u of Mohsin or the a of Khodeja/Khondakar.
_AMBIGUOUS: dict[str, tuple[str, ...]] = {"e": ("a", "i", "ai"), "o": ("u", "a")}
_MAX_LOOSE_FORMS = 36


_SHORT_VOWEL = re.compile(r"(?<=[^aeiou])[aeiou](?=[^aeiou])")


def _readings(phon: str) -> list[str]:
    forms = [""]
    for ch in phon:
        options = _AMBIGUOUS.get(ch, (ch,))
        if len(forms) * len(options) > _MAX_LOOSE_FORMS:
            options = options[:1]
        forms = [f + o for f in forms for o in options]
    return [re.sub(r"(.)\1+", r"\1", f) for f in forms]


@lru_cache(maxsize=262144)
def loose_forms(phon: str) -> frozenset[str]:
    """Every reading of a phonetic token, with its unwritten short vowels masked.

    e and o are read as any vowel they can stand for; a lone vowel between two
    consonants inside the word is a short vowel that Urdu script does not
    write, so each romaniser guesses it (Musarrat / Masarrat, Sumbul / Sumbal)
    and it is masked as ``*``.  Vowel runs (ai, long vowels) and the first and
    last sounds are kept, so Umar never meets Amir, Hasan never meets Hussain
    and Amin never meets Amina.  Too many ambiguous vowels (a long run-together
    word) give the first reading only.
    """
    return frozenset(_SHORT_VOWEL.sub("*", form) for form in _readings(phon))


@lru_cache(maxsize=262144)
def shortened_forms(phon: str) -> frozenset[str]:
    """Loose forms with masked short vowels left out (Chowdhury / Chaudhry, Khawaja / Khwaja, Amina / Amna).

    A name matches another when one of its loose forms is a shortened form of the other.
    """
    result: set[str] = set()
    for form in loose_forms(phon):
        spans = [i for i, ch in enumerate(form) if ch == "*"][:5]
        for mask in range(1 << len(spans)):
            drop = {spans[i] for i in range(len(spans)) if mask >> i & 1}
            result.add("".join(ch for i, ch in enumerate(form) if i not in drop))
    return frozenset(result)


TITLES: frozenset[str] = frozenset(phonetic(w) for w in _TITLE_WORDS.split())


@dataclass(frozen=True, slots=True)
class QueryToken:
    """One query word: its phonetic forms (first is primary) and whether it is an initial."""

    forms: tuple[str, ...]
    initial: bool = False
    from_script: bool = False
    title: bool = False
    """Used as a title here (Hafiz Abdul Salam), not as a name (Abdul Hafiz, plain "Hafiz")."""
    optional: bool = False
    """Often left out of records (the Muhammad of Muhammad Saif-ur-Rehman): missing it costs little."""


def _split_compound(p: str) -> list[tuple[str, str | None]]:
    """Split particle compounds; returns (token, unsplit alternative or None)."""
    if p in ("ula", "ala", "ulah", "alah"):
        return [("ala", None)]
    if p in ("udin", "adin", "uldin"):
        return [("din", None)]
    if p.startswith("abd") and len(p) > 3 and p[3] in _VOWELS:
        rest = p[3:]
        if rest.endswith("ula") and len(rest) <= 4:
            return [("abd", None), ("ala", None)]
        if len(rest) <= 3:
            return [("abd", None)] if rest[0] == "u" else [(p, None)]  # Abdul, but Abdal is a name
        rest = rest[2:] if rest[:2] in ("ul", "al") else rest[1:]
        return [("abd", None), *_split_compound(rest)]
    if p.startswith("abu") and len(p) >= 6:
        return [("abu", None), *_split_compound(p[3:])]
    if p.endswith("udin") and len(p) >= 6:
        return [*_split_compound(p[:-4]), ("din", None)]
    if p.endswith("ula") and len(p) >= 6 and p[-4] not in _VOWELS:
        return [*_split_compound(p[:-3]), ("ala", None)]
    if p.endswith("ul") and len(p) >= 5 and p[-3] not in _VOWELS:
        return [(p, p[:-2])]  # Rafiqul / Rafiq-ul: the bare stem is only a query alternative
    return [(p, None)]


def _raw_words(text: str) -> list[tuple[str, bool]]:
    """Lower-case ASCII words of a Roman name, flagging initials ("M." or a lone letter)."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    ascii_text = re.sub(r"['`\u2019\u02bc\u02bb]", "", ascii_text)
    words: list[tuple[str, bool]] = []
    for match in re.finditer(r"[a-z]+\.?", ascii_text):
        word = match.group().rstrip(".")
        dotted = match.group().endswith(".")
        if word in _ABBREVIATIONS:
            words.extend((w, False) for w in _ABBREVIATIONS[word].split())
        elif len(word) == 1 and (dotted or word not in _PARTICLES):
            words.append((word, True))
        else:
            words.append((word, False))
    meaningful = [w for w in words if w[1] or w[0] not in _PARTICLES]
    return meaningful or words


_RAW_SUFFIXES = (
    ("ullah", "ullah"),
    ("ulla", "ullah"),
    ("allah", "ullah"),
    ("uddin", "din"),
    ("uddeen", "din"),
    ("udeen", "din"),
    ("udin", "din"),
    # the Arabic article assimilated with another vowel: Mohyeddin, Alaeddine, Saladin, Ziauddin
    ("eddine", "din"),
    ("eddin", "din"),
    ("eddeen", "din"),
    ("addin", "din"),
    # Bakhsh ("given by") closes compound names; Bux is its Sindhi spelling: Allahbux, Khuda Bux
    ("bakhsh", "bakhsh"),
    ("baksh", "bakhsh"),
    ("bux", "bakhsh"),
    ("buksh", "bakhsh"),
    ("bakhash", "bakhsh"),
)
_RAW_ABD = re.compile(r"abd(?:ush|u[lrsznt]?|al)(?=[a-z]{3})")


def _raw_split(word: str) -> list[str]:
    """Split compounds on the written form, before vowel folding blurs the seam (Ataullah)."""
    for suffix, canonical in _RAW_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return [*_raw_split(word[: -len(suffix)]), canonical]
    abd = _RAW_ABD.match(word)
    if abd and abd.end() < len(word):
        return ["abd", *_raw_split(word[abd.end() :])]
    return [word]


@lru_cache(maxsize=131072)
def _word_tokens(word: str) -> tuple[tuple[str, str | None], ...]:
    tokens: list[tuple[str, str | None]] = []
    for piece in _raw_split(word):
        tokens.extend((t, alt) for t, alt in _split_compound(phonetic(piece)) if t)
    return tuple(tokens)


def _roman_query(text: str) -> list[QueryToken]:
    tokens: list[QueryToken] = []
    for word, initial in _raw_words(text):
        if initial:
            tokens.append(QueryToken(forms=(phonetic(word)[:1] or word,), initial=True))
            continue
        for tok, alt in _word_tokens(word):
            tokens.append(QueryToken(forms=(tok, alt) if alt else (tok,)))
    return tokens


def _script_query(text: str, *, articles: bool = True) -> list[QueryToken]:
    tokens: list[QueryToken] = []
    for options in transliterate_variants(text, articles=articles):
        split = [_word_tokens(option) for option in options]
        primary = split[0]
        for pos, (tok, alt) in enumerate(primary):
            forms = [tok] + ([alt] if alt else [])
            for other in split[1:]:
                if len(other) == len(primary):
                    forms.append(other[pos][0])
            tokens.append(QueryToken(forms=tuple(dict.fromkeys(forms)), from_script=True))
    return tokens


# compound tails: the word before them is part of one name (Hafiz-ud-Din, Mir Allah), never a title
_COMPOUND_TAILS = frozenset({"din", "ala"})
# honorifics written after the name (Mukhtaran Bibi, Aziz Sahib)
_TRAILING_TITLES = frozenset(phonetic(w) for w in ("bibi", "begum", "sahib", "sahab", "mussammat"))
# Muhammad in Roman spellings and as transliterated from محمد (no vowels written: not Mahmood)
_MUHAMMAD = frozenset(
    phonetic(w)
    for w in ("muhammad", "mohammad", "mohammed", "muhammed", "mohamed", "muhamad", transliterate("محمد"))
)


def _is_muhammad(token: QueryToken) -> bool:
    return token.forms[0] in _MUHAMMAD


def _mark_titles(tokens: list[QueryToken]) -> list[QueryToken]:
    """Flag the words used as titles: the leading run of title words, and trailing honorifics.

    Hafiz, Mian, Mir or Sardar lead a name as titles but are names elsewhere
    (Abdul Hafiz, Aziz Mian, Hafiz Uddin), and a name made of title words only
    (plain "Hafiz") is a name, so a word is a title by its position, not by
    its spelling.
    """
    flags = [False] * len(tokens)
    lead = 0
    while lead < len(tokens) and tokens[lead].forms[0] in TITLES:
        lead += 1
    while lead and (lead == len(tokens) or tokens[lead].forms[0] in _COMPOUND_TAILS):
        lead -= 1  # the last leading title word is the name itself (Hafiz, Hafiz-ud-Din)
    flags[:lead] = [True] * lead
    for pos in range(max(lead, 1), len(tokens)):
        flags[pos] = tokens[pos].forms[0] in _TRAILING_TITLES
    optional = [not flag and _is_muhammad(t) for t, flag in zip(tokens, flags, strict=True)]
    if all(f or o for f, o in zip(flags, optional, strict=True)):
        optional = [False] * len(tokens)  # plain "Muhammad" is the name itself
    return [
        replace(t, title=flag, optional=opt) if flag or opt else t
        for t, flag, opt in zip(tokens, flags, optional, strict=True)
    ]


def query_tokens(text: str, *, articles: bool = True) -> list[QueryToken]:
    """Tokens of a query in either script, with alternative forms where spelling is ambiguous."""
    if has_arabic_script(text):
        tokens = _script_query(text, articles=articles)
        if re.search(r"[A-Za-z]", text):
            tokens += _roman_query(re.sub(r"[^\sA-Za-z.'\-]", " ", text))
        return _mark_titles(tokens)
    return _mark_titles(_roman_query(text))


def query_readings(text: str) -> list[list[QueryToken]]:
    """Every segmentation worth searching: an Urdu word with ال inside is read split and whole."""
    readings = [query_tokens(text)]
    if has_arabic_script(text) and has_joined_article(text):
        readings.append(query_tokens(text, articles=False))
    return readings


def index_tokens(text: str) -> list[str]:
    """Phonetic tokens stored for one indexed name (primary forms only)."""
    return [t.forms[0] for t in query_tokens(text)]


@lru_cache(maxsize=65536)
def _spelling_words(text: str) -> tuple[str, ...]:
    words: list[str] = []
    if has_arabic_script(text):
        words.extend(transliterate(text).split())
        text = re.sub(r"[^\sA-Za-z.'\-]", " ", text)
    words.extend(word for word, _ in _raw_words(text))
    return tuple(words)


def spelling_words(text: str) -> list[str]:
    """The words of a name as written (lower case, abbreviations expanded, Urdu transliterated)."""
    return list(_spelling_words(text))
