"""Urdu/Arabic-script names to Roman letters, so both scripts meet in one index.

Records arrive in either script: an FIR typed in Urdu, a CNIC extract in
Roman letters.  The matcher compares Roman phonetic keys, so Arabic-script
text is first spelled out letter by letter.  Short vowels are not written in
Urdu, so the result is a consonant-heavy spelling ("mhmd"); the phonetic
skeleton in `phonetics` drops short vowels on the Roman side too, which is
what lets "محمد" meet "Muhammad".

Arabic and Urdu letter forms (ي/ی/ى, ك/ک, ه/ہ/ھ/ة) are folded together, and
written diacritics (zabar, zer, pesh, shadda) are honoured when present.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["has_arabic_script", "has_joined_article", "transliterate", "transliterate_variants"]

_ARABIC_RANGE = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")

# Letter forms that differ only between Arabic and Urdu typing.
_FOLD = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ۍ": "ی",
        "ێ": "ی",
        "ك": "ک",
        "ڪ": "ک",
        "ه": "ہ",
        "ە": "ہ",
        "ۀ": "ہ",
        "ة": "ہ",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ۓ": "ے",
        "ـ": None,  # tatweel (kashida) is typographic only
        "\u200c": " ",  # zero-width non-joiner separates words in Urdu typing
        "\u200d": None,
    }
)

# Consonants and letters with one fixed Roman value.
_LETTERS: dict[str, str] = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ٹ": "t",
    "ث": "s",
    "ج": "j",
    "چ": "ch",
    "خ": "kh",
    "د": "d",
    "ڈ": "d",
    "ذ": "z",
    "ر": "r",
    "ڑ": "r",
    "ز": "z",
    "ژ": "zh",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "z",
    "ط": "t",
    "ظ": "z",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ں": "n",
    "ھ": "h",
    "ء": "",
    "ئ": "i",
    "ؤ": "u",
    "ے": "e",
    "آ": "aa",
    "ع": "a",
}

_DIACRITICS: dict[str, str] = {
    "\u064e": "a",  # zabar / fatha
    "\u0650": "i",  # zer / kasra
    "\u064f": "u",  # pesh / damma
    "\u064b": "an",
    "\u064d": "in",
    "\u064c": "un",
    "\u0670": "a",  # khari zabar / dagger alif
    "\u0652": "",  # jazm / sukun
    "\u0656": "i",
    "\u0657": "u",
}
_SHADDA = "\u0651"
_ALLAH = "اللہ"
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def has_arabic_script(text: str) -> bool:
    return _ARABIC_RANGE.search(text) is not None


def _word(word: str, *, medial_ye: str = "i", medial_waw: str = "u") -> str:
    """Spell one Urdu word; semivowels and final he depend on their neighbours."""
    out: list[str] = []
    n = len(word)
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i + 1 < n else ""
        if ch in _DIACRITICS:
            out.append(_DIACRITICS[ch])
        elif ch == _SHADDA:
            if out and out[-1]:
                out.append(out[-1][-1])
        elif ch == "ا":
            out.append("a")
        elif ch == "و":
            # consonant w at the start, before a long vowel, or after alif; else the vowel u/o (a
            # final و always: ابو Abu, ذو Zu; inside the word it may also be w + an unwritten vowel)
            consonant = i == 0 or (nxt != "" and nxt in "اآی") or prev == "ا"
            out.append("w" if consonant else "u" if i == n - 1 else medial_waw)
        elif ch == "ی" and nxt == "\u0670":
            pass  # alif maqsura: ی with a dagger alif is a long a (موسیٰ Musa, مصطفیٰ Mustafa)
        elif ch == "ی":
            out.append("y" if i == 0 or nxt in "اآو" else "i" if i == n - 1 else medial_ye)
        elif ch == "ہ" and i == n - 1 and i > 0 and prev not in "او":
            # final he after a consonant is the vowel -a (حمزہ Hamza, فاطمہ Fatima), after ye it is
            # the -a of -ia/-iya (عالیہ Aliya, نادیہ Nadia)
            out.append("a")
        elif ch in "ہح":
            # after a consonant an unwritten short vowel precedes it (سہیل Sohail, محمود Mahmood);
            # writing "ah" also keeps س+ہ from reading as the digraph sh
            out.append("ah" if i > 0 and prev not in "اویآ" and out and out[-1][-1:] not in "aiu" else "h")
        elif ch in _LETTERS:
            out.append(_LETTERS[ch])
        elif ch.isascii() and ch.isalnum():
            out.append(ch.lower())
        # any other mark (e.g. hamza above) carries no sound of its own
    return "".join(out)


def _vowel_guesses(word: str, spelled: str) -> list[str]:
    """Other spellings of one word, for vowels and sounds Urdu script leaves to the reader.

    An initial alif carries the unwritten first vowel (اسامہ Usama, ابراہیم
    Ibrahim); a ye inside the word is i, ai or e (زہیب Zohaib, لیلہ Laila),
    which the ambiguous Roman e stands for; a waw inside the word may be w
    before an unwritten vowel (مہوش Mehwish); a final nasal ں is often not
    romanised (سموں Samoo, ریشماں Reshma).
    """
    guesses: list[str] = []
    if word[0] == "ا" and len(word) > 2 and word[1] not in _DIACRITICS and not word.startswith("ال"):
        guesses += ["u" + spelled[1:], "i" + spelled[1:]]
    if word.endswith("ں") and len(word) > 2:
        guesses.append(spelled[:-1])
    guesses += [_word(word, medial_ye="e"), _word(word, medial_waw="w")]
    return [g for g in dict.fromkeys(guesses) if g != spelled]


def _split_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFC", text).translate(_FOLD).translate(_DIGITS)
    words = re.split(r"[\s\-_.,،؛/()]+", folded)
    return [w for w in words if w]


def _allah_split(word: str, *, articles: bool) -> list[str]:
    """Split off a joined Allah (عبداللہ) or, with ``articles``, an article compound (نورالحق)."""
    if word != _ALLAH and word.endswith(_ALLAH) and len(word) > len(_ALLAH):
        return [*_allah_split(word[: -len(_ALLAH)], articles=articles), _ALLAH]
    at = word.find("ال", 2) if articles else -1
    if at >= 2 and len(word) - at - 2 >= 2:
        return [word[:at], *_allah_split(word[at:], articles=articles)]
    return [word]


def has_joined_article(text: str) -> bool:
    """Whether a word holds ال after its start: an article compound (نورالحق) or just a+l (کمالیہ)."""
    words = _split_words(text)
    return any(len(_allah_split(w, articles=True)) > len(_allah_split(w, articles=False)) for w in words)


def transliterate_variants(text: str, *, articles: bool = True) -> list[list[str]]:
    """Roman spellings per word; a word with an ambiguous article gets two.

    The Arabic article ال inside a name (عبد الرحمن, محمود الحسن) is usually
    not written in Roman spellings ("Abdur Rahman"), but it is also the start
    of names such as الیاس (Ilyas); a non-initial word starting with ال is
    therefore offered with and without it.  Inside a word ال is an article
    compound (نورالحق Noor-ul-Haq) or plain letters (کمالیہ Kamaliya,
    بلالانی Bilalani); ``articles=False`` reads it as letters.
    """
    words: list[str] = []
    for w in _split_words(text):
        words.extend(_allah_split(w, articles=articles))
    result: list[list[str]] = []
    for idx, w in enumerate(words):
        if w == _ALLAH:
            result.append(["ullah"])
            continue
        spelled = _word(w)
        if not spelled:
            continue
        options = [spelled, *_vowel_guesses(w, spelled)]
        if w.startswith("ال") and len(w) > 3:
            # inside a name the article is usually not romanised; a first word may be Ilyas, Altaf
            options.insert(0 if idx > 0 else 1, _word(w[2:]))
        result.append(options)
    return result


def transliterate(text: str) -> str:
    """One Roman spelling of ``text`` (first choice for every word)."""
    return " ".join(options[0] for options in transliterate_variants(text))
