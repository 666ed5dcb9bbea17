"""Pakistani CNIC numbers: canonical form, province code and gender digit.

A CNIC (Computerised National Identity Card) number has 13 digits, written
``#####-#######-#``.  Its structure, as NADRA numbers are described in the
press (The News, 19 Jan 2020 "Did you know?"; Samaa TV, Jan 2020 "There is a
secret meaning behind your CNIC number"; Express Tribune / Daily Pakistan
reports repeating NADRA's description):

* digit 1 — province/region of the holder's permanent address:
  1 Khyber Pakhtunkhwa, 2 FATA (former tribal areas, now merged into KP),
  3 Punjab, 4 Sindh, 5 Balochistan, 6 Islamabad Capital Territory,
  7 Gilgit-Baltistan.  None of these sources assigns 0, 8 or 9, so numbers
  starting with them are rejected.  (Azad Jammu & Kashmir is not listed in
  them; if AJK numbers need to be accepted, add the code to ``PROVINCES``
  after confirming it with NADRA.)
* digits 2-5 — division, district, tehsil and union council;
* digits 6-12 — family number;
* digit 13 — gender: odd for men, even for women.

Zero is even, so it reads as female here; no source says it is unused.
"""

from __future__ import annotations

import re

from safecity.core.errors import InvalidInput

__all__ = ["PROVINCES", "province_of", "validate_cnic"]

PROVINCES: dict[str, str] = {
    "1": "Khyber Pakhtunkhwa",
    "2": "FATA (former tribal areas)",
    "3": "Punjab",
    "4": "Sindh",
    "5": "Balochistan",
    "6": "Islamabad Capital Territory",
    "7": "Gilgit-Baltistan",
}

_DASHED = re.compile(r"\d{5}-\d{7}-\d")
_PLAIN = re.compile(r"\d{13}")
_GENDERS = {"m": "m", "male": "m", "f": "f", "female": "f", "x": "x"}
_FIELD = "cnic"


def _digits(text: str) -> str:
    if not isinstance(text, str):
        raise InvalidInput("CNIC must be text", field=_FIELD)
    compact = text.strip().translate(str.maketrans("", "", " "))
    if _DASHED.fullmatch(compact):
        return compact.replace("-", "")
    if _PLAIN.fullmatch(compact):
        return compact
    count = sum(ch.isdigit() for ch in compact)
    if not compact:
        reason = "CNIC is empty"
    elif not re.fullmatch(r"[\d-]+", compact):
        reason = "CNIC may contain only digits and dashes"
    elif count != 13:
        reason = f"CNIC must have 13 digits, got {count}"
    else:
        reason = "CNIC dashes must be placed as #####-#######-#"
    raise InvalidInput(f"{reason}: {text!r}", field=_FIELD)


def validate_cnic(text: str, *, gender: str | None = None) -> str:
    """Return ``text`` as ``#####-#######-#``, or raise `InvalidInput` saying why.

    ``gender`` (M/male, F/female, X; any case) is checked against the last
    digit; X accepts either parity.
    """
    digits = _digits(text)
    if digits[0] not in PROVINCES:
        raise InvalidInput(
            f"CNIC first digit must be a province code 1-7, got {digits[0]}: {text!r}", field=_FIELD
        )
    if gender is not None:
        wanted = _GENDERS.get(gender.strip().lower()) if isinstance(gender, str) else None
        if wanted is None:
            raise InvalidInput(f"gender must be M, F or X, got {gender!r}", field="gender")
        odd = int(digits[-1]) % 2 == 1
        if wanted == "m" and not odd:
            raise InvalidInput("CNIC last digit is even (female) but gender is male", field=_FIELD)
        if wanted == "f" and odd:
            raise InvalidInput("CNIC last digit is odd (male) but gender is female", field=_FIELD)
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


def province_of(cnic: str) -> str:
    """Province or region named by a CNIC's first digit (validates it first)."""
    return PROVINCES[validate_cnic(cnic)[0]]
