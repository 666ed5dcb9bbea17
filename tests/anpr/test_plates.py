from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safecity.anpr import InvalidPlate, classify_plate, normalise_plate
from safecity.core.errors import InvalidInput

CANONICAL_EXAMPLES = [
    # Punjab, 2- and 3-letter series, any spacing and case
    ("lea 1234", "LEA-1234"),
    ("LEA-1234", "LEA-1234"),
    ("LEA1234", "LEA-1234"),
    ("  le a  1234 ", "LEA-1234"),
    ("ABC 123", "ABC-123"),
    ("RL 77", "RL-77"),
    ("PUNJAB LEA 1234", "LEA-1234"),
    # Islamabad
    ("ICT 5531", "ICT-5531"),
    ("IDB-1234", "IDB-1234"),
    ("islamabad idd 273", "IDD-273"),
    # Sindh / Karachi
    ("BCA-123", "BCA-123"),
    ("SINDH AFR 4412", "AFR-4412"),
    # Khyber Pakhtunkhwa single-letter series
    ("A 1234", "A-1234"),
    ("J.395", "J-395"),
    # Balochistan, Gilgit-Baltistan, AJK
    ("BE 1234", "BE-1234"),
    ("QA/5678", "QA-5678"),
    ("GLT 123", "GLT-123"),
    ("MRP 5678", "MRP-5678"),
    ("AJK_12", "AJK-12"),
    # government
    ("GOVT GP 1234", "GP-1234"),
    # old two-line plates keep the registration year
    ("LEB 07 1234", "LEB-07-1234"),
    ("LEB-07-1234", "LEB-07-1234"),
    ("LEB071234", "LEB-07-1234"),
    ("LEB 07 123", "LEB-07-123"),
]

LOOK_ALIKE_EXAMPLES = [
    ("LEA I234", "LEA-1234"),
    ("LEA 1Z34", "LEA-1234"),
    ("LEA O1S6", "LEA-0156"),
    ("LEA 8BGQ", "LEA-8860"),
    ("1CT 123", "ICT-123"),
    ("LE8 123", "LEB-123"),
    ("5KA 12", "SKA-12"),
    ("0DB 123", "DDB-123"),
]

INVALID_TEXTS = [
    "",
    "   ",
    "1234",
    "LEA",
    "LEAB 1234",
    "LEA 12345678",
    "LEA-0000",
    "LEA#1234",
    "LEA 12X4",
    "ليا 1234",
    "x" * 100,
]


@pytest.mark.parametrize(("text", "canonical"), CANONICAL_EXAMPLES)
def test_every_province_format_normalises_to_series_dash_number(text: str, canonical: str) -> None:
    assert normalise_plate(text) == canonical


@pytest.mark.parametrize(("text", "canonical"), LOOK_ALIKE_EXAMPLES)
def test_look_alike_characters_are_repaired_by_position(text: str, canonical: str) -> None:
    assert normalise_plate(text) == canonical


@pytest.mark.parametrize("text", INVALID_TEXTS)
def test_text_that_cannot_be_a_plate_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(InvalidPlate) as caught:
        normalise_plate(text)
    assert caught.value.field == "plate"
    assert caught.value.detail


def test_invalid_plate_is_an_invalid_input_error() -> None:
    assert issubclass(InvalidPlate, InvalidInput)
    assert InvalidPlate("x").status_code == 422


def test_classify_reports_series_number_year_and_region() -> None:
    info = classify_plate("leb 07 1234")
    assert (info.plate, info.series, info.year, info.number) == ("LEB-07-1234", "LEB", "07", "1234")
    assert info.region == "Punjab"
    assert classify_plate("ICT 12").region == "Islamabad"
    assert classify_plate("A 1234").region == "Khyber Pakhtunkhwa"
    assert classify_plate("XYZ 12").region == "unknown"


plate_like = st.builds(
    lambda series, sep, year, number: f"{series}{sep}{year}{sep}{number}",
    st.text("ABCDEFGHJKLMNPQRSTVWXYZ018", min_size=0, max_size=4),
    st.sampled_from(["", " ", "-", ".", "  "]),
    st.text("0123456789", max_size=2),
    st.text("0123456789OISBZGLDQ", min_size=0, max_size=6),
)


@given(st.one_of(st.text(max_size=30), plate_like))
def test_normalise_is_idempotent_and_only_raises_invalid_plate(text: str) -> None:
    try:
        canonical = normalise_plate(text)
    except InvalidPlate:
        return
    assert normalise_plate(canonical) == canonical
