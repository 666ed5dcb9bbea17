"""Identity resolution: fuzzy person-name search and CNIC validation.

`NameIndex` finds a person whatever the spelling (Roman-Urdu variants,
initials, reordered parts, Urdu script); `validate_cnic` checks and
canonicalises national identity card numbers.
"""

from safecity.identity.cnic import PROVINCES, province_of, validate_cnic
from safecity.identity.name_index import Match, NameIndex
from safecity.identity.transliteration import transliterate

__all__ = ["PROVINCES", "Match", "NameIndex", "province_of", "transliterate", "validate_cnic"]
