from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safecity.core.errors import InvalidInput
from safecity.identity import province_of, validate_cnic

valid_digits = st.tuples(
    st.sampled_from("1234567"),
    st.text(alphabet="0123456789", min_size=12, max_size=12),
).map(lambda parts: parts[0] + parts[1])


def test_dashed_and_plain_forms_give_the_same_canonical_number() -> None:
    assert validate_cnic("35202-1234567-1") == "35202-1234567-1"
    assert validate_cnic("3520212345671") == "35202-1234567-1"
    assert validate_cnic("  35202-1234567-1 ") == "35202-1234567-1"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("3520212345", "13 digits"),
        ("35202123456712", "13 digits"),
        ("3520-21234567-1", "dashes"),
        ("35202-1234567-A", "only digits"),
        ("", "empty"),
    ],
)
def test_malformed_numbers_are_rejected_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_cnic(text)
    assert caught.value.field == "cnic"
    assert reason in caught.value.detail


@pytest.mark.parametrize("first", ["0", "8", "9"])
def test_numbers_without_a_province_code_are_rejected(first: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_cnic(f"{first}5202-1234567-1")
    assert "province" in caught.value.detail


def test_province_is_read_from_the_first_digit() -> None:
    assert province_of("35202-1234567-1") == "Punjab"
    assert province_of("4210112345672") == "Sindh"
    assert province_of("61101-1234567-3") == "Islamabad Capital Territory"
    assert province_of("17301-1234567-5").startswith("Khyber")


def test_last_digit_parity_must_agree_with_gender() -> None:
    assert validate_cnic("35202-1234567-1", gender="M") == "35202-1234567-1"
    assert validate_cnic("35202-1234567-2", gender="female") == "35202-1234567-2"
    with pytest.raises(InvalidInput, match="odd"):
        validate_cnic("35202-1234567-1", gender="F")
    with pytest.raises(InvalidInput, match="even"):
        validate_cnic("35202-1234567-4", gender="m")


def test_gender_x_accepts_either_parity() -> None:
    assert validate_cnic("35202-1234567-1", gender="X")
    assert validate_cnic("35202-1234567-2", gender="x")


def test_unknown_gender_value_names_the_gender_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_cnic("35202-1234567-1", gender="unknown")
    assert caught.value.field == "gender"


@given(valid_digits)
def test_formatting_round_trips_between_plain_and_dashed(digits: str) -> None:
    dashed = validate_cnic(digits)
    assert dashed.replace("-", "") == digits
    assert validate_cnic(dashed) == dashed
    assert [len(part) for part in dashed.split("-")] == [5, 7, 1]


@given(valid_digits)
def test_parity_decides_which_gender_is_accepted(digits: str) -> None:
    male = int(digits[-1]) % 2 == 1
    accepted, refused = ("M", "F") if male else ("F", "M")
    assert validate_cnic(digits, gender=accepted)
    with pytest.raises(InvalidInput):
        validate_cnic(digits, gender=refused)


@given(st.text(alphabet="0123456789-", max_size=20))
def test_any_input_is_either_canonical_or_refused(text: str) -> None:
    try:
        result = validate_cnic(text)
    except InvalidInput as error:
        assert error.field == "cnic"
    else:
        assert result.replace("-", "") == text.replace("-", "")
        assert result[0] in "1234567"
