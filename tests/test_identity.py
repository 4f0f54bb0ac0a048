"""Tests for services.reception.identity: ID and phone validation, masking, visitor keys."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.errors import ValidationError
from services.reception import identity
from services.reception.identity import (
    PROVINCE_CODES,
    id_birth_date,
    id_check_digit,
    id_gender,
    mask_id_number,
    mask_name,
    mask_phone,
    new_hash_key,
    phone_kind,
    validate_id_number,
    validate_phone,
    visitor_key,
)

TODAY = date(2024, 6, 30)
WELL_KNOWN_ID = "11010519491231002X"
REPO = Path(__file__).resolve().parent.parent


def reference_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 written from the formula, independent of the module's tables."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_id(region: str, birth: date, sequence: int) -> str:
    body = f"{region}0102{birth:%Y%m%d}{sequence:03d}"
    return body + id_check_digit(body)


def id_error(value: str, today: date = TODAY) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_id_number(value, today=today)
    error = info.value
    assert error.code == "invalid"
    assert error.field == "id_number"
    return error


def phone_error(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_phone(value)
    error = info.value
    assert error.code == "invalid"
    assert error.field == "phone"
    return error


valid_ids = st.builds(
    make_id,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)


# --- check digit ---------------------------------------------------------------


def test_check_digit_of_well_known_example_is_x() -> None:
    assert id_check_digit(WELL_KNOWN_ID[:17]) == "X"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_matches_formula(body: str) -> None:
    assert id_check_digit(body) == reference_check_digit(body)


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100a"])
def test_check_digit_rejects_non_17_digit_input(bad: str) -> None:
    with pytest.raises(ValueError):
        id_check_digit(bad)


# --- valid ID numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        WELL_KNOWN_ID,
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２ｘ",  # full-width, as a Chinese input method types it
    ],
)
def test_well_known_id_validates_and_normalises(typed: str) -> None:
    assert validate_id_number(typed, today=TODAY) == WELL_KNOWN_ID


def test_constructed_ids_validate() -> None:
    for region, birth, sequence in [
        ("21", date(1985, 2, 28), 17),
        ("44", date(2000, 2, 29), 999),
        ("91", date(1900, 1, 1), 0),
        ("65", TODAY, 123),
    ]:
        number = make_id(region, birth, sequence)
        assert validate_id_number(number, today=TODAY) == number


def test_birth_date_and_gender() -> None:
    assert id_birth_date(WELL_KNOWN_ID) == date(1949, 12, 31)
    assert id_gender(WELL_KNOWN_ID) == "female"  # 17th digit 2
    male = make_id("31", date(1990, 7, 1), 1)
    assert id_gender(male) == "male"
    assert id_birth_date(male) == date(1990, 7, 1)


def test_birth_date_and_gender_reject_invalid_numbers() -> None:
    with pytest.raises(ValidationError):
        id_birth_date("110105194912310021")
    with pytest.raises(ValidationError):
        id_gender("110105194912310021")


@given(valid_ids)
def test_every_valid_body_with_its_check_digit_validates(number: str) -> None:
    assert validate_id_number(number, today=TODAY) == number
    assert validate_id_number(number.lower(), today=TODAY) == number


@given(valid_ids, st.integers(min_value=0, max_value=17), st.data())
def test_changing_any_single_character_is_detected(
    number: str, position: int, data: st.DataObject
) -> None:
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    id_error(changed)


@given(valid_ids, st.integers(min_value=0, max_value=16))
def test_swapping_adjacent_digits_is_detected(number: str, position: int) -> None:
    a, b = number[position], number[position + 1]
    if a == b or not (a.isdigit() and b.isdigit()):
        return
    swapped = number[:position] + b + a + number[position + 2 :]
    id_error(swapped)


# --- each ID fault has its own message -----------------------------------------


@pytest.mark.parametrize("typed", ["", "   ", "\u3000"])
def test_id_empty(typed: str) -> None:
    assert id_error(typed).template == identity.ID_EMPTY


@pytest.mark.parametrize(("typed", "length"), [("1101051949", 10), (WELL_KNOWN_ID + "1", 19)])
def test_id_wrong_length_says_how_many_were_typed(typed: str, length: int) -> None:
    error = id_error(typed)
    assert error.template == identity.ID_WRONG_LENGTH
    assert error.params == {"length": length}
    assert "18 characters" in str(error) and f"you typed {length}" in str(error)


def test_id_old_15_digit_number_is_named() -> None:
    error = id_error("110105491231002")
    assert error.template == identity.ID_OLD_15_DIGITS
    assert error.params == {"length": 15}


@pytest.mark.parametrize(
    ("typed", "position", "char"),
    [
        ("1101051949123100-X", 17, "-"),
        ("11010519491231002Y", 18, "Y"),
        ("110105X94912310021", 7, "X"),  # X only allowed last
        ("11010519491231O02X", 15, "O"),  # letter O for zero
    ],
)
def test_id_bad_character_names_position(typed: str, position: int, char: str) -> None:
    error = id_error(typed)
    assert error.template == identity.ID_BAD_CHARACTER
    assert error.params == {"position": position, "char": char}


@pytest.mark.parametrize(
    "region", ["00", "10", "16", "20", "24", "47", "55", "66", "72", "84", "99"]
)
def test_id_unknown_region(region: str) -> None:
    error = id_error(region + WELL_KNOWN_ID[2:])
    assert error.template == identity.ID_UNKNOWN_REGION
    assert error.params == {"region": region}


@pytest.mark.parametrize("birth", ["19990230", "19000229", "20231301", "19990000", "00000101"])
def test_id_impossible_birth_date_is_named(birth: str) -> None:
    body = "110105" + birth + "002"
    error = id_error(body + reference_check_digit(body))
    assert error.template == identity.ID_BIRTH_IMPOSSIBLE
    assert error.params == {"birth_date": birth}
    assert birth in str(error)


def test_id_birth_date_in_the_future() -> None:
    number = make_id("11", date(2024, 7, 1), 1)
    error = id_error(number, today=TODAY)
    assert error.template == identity.ID_BIRTH_IN_FUTURE
    assert error.params == {"birth_date": "20240701"}
    assert validate_id_number(number, today=date(2024, 7, 1)) == number


def test_id_birth_date_before_1900() -> None:
    # The example of GB 11643 itself: correct check digit, born 1880.
    error = id_error("440524188001010014")
    assert error.template == identity.ID_BIRTH_BEFORE_1900
    assert error.params == {"birth_date": "18800101"}


@pytest.mark.parametrize("wrong", ["0", "1", "9"])
def test_id_wrong_check_digit_names_expected(wrong: str) -> None:
    error = id_error(WELL_KNOWN_ID[:17] + wrong)
    assert error.template == identity.ID_WRONG_CHECK_DIGIT
    assert error.params == {"expected": "X", "got": wrong}
    assert "should be X" in str(error)


def test_id_typo_in_body_reports_expected_check_digit() -> None:
    typo = "110105194912310030"  # sequence 002 typed as 003
    error = id_error(typo)
    assert error.params == {"expected": reference_check_digit(typo[:17]), "got": "0"}


# --- phones ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        " 13812345678 ",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "+86-138-1234-5678",
        "8613812345678",
        "86 138 1234 5678",
        "0086 13812345678",
        "008613812345678",
        "１３８１２３４５６７８",
        "138\u30001234\u30005678",
        "138–1234–5678",
    ],
)
def test_mobile_spellings_normalise(typed: str) -> None:
    assert validate_phone(typed) == "13812345678"
    assert phone_kind(typed) == "mobile"


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("024-12345678", "024-12345678"),
        ("02412345678", "024-12345678"),
        ("(024)12345678", "024-12345678"),
        ("（024）12345678", "024-12345678"),
        ("(024) 1234 5678", "024-12345678"),
        ("024 1234 5678", "024-12345678"),
        ("024-1234-5678", "024-12345678"),
        ("+86 24 1234 5678", "024-12345678"),
        ("+86 (0)24 12345678", "024-12345678"),
        ("0086-24-12345678", "024-12345678"),
        ("010-65529988", "010-65529988"),
        ("0311-1234567", "0311-1234567"),
        ("03111234567", "0311-1234567"),
        ("0311-12345678", "0311-12345678"),
        ("0311 123 4567", "0311-1234567"),
        ("024-12345678-123", "024-12345678-123"),
        ("02412345678-123", "024-12345678-123"),
        ("024-12345678转123", "024-12345678-123"),
        ("024-12345678 转 123", "024-12345678-123"),
        ("024-12345678分机123", "024-12345678-123"),
        ("024-12345678 ext 123", "024-12345678-123"),
        ("024-12345678 Ext. 123", "024-12345678-123"),
        ("024-12345678x123456", "024-12345678-123456"),
        ("0311-1234567-8", "0311-1234567-8"),
        ("０２４－１２３４５６７８", "024-12345678"),
    ],
)
def test_landline_spellings_normalise(typed: str, normalised: str) -> None:
    assert validate_phone(typed) == normalised
    assert phone_kind(typed) == "landline"


@pytest.mark.parametrize("typed", ["", "  ", "\u3000"])
def test_phone_empty(typed: str) -> None:
    assert phone_error(typed).template == identity.PHONE_EMPTY


@pytest.mark.parametrize(
    ("typed", "length"), [("1381234567", 10), ("138123456789", 12), ("+86 138", 3)]
)
def test_mobile_length_says_how_many_were_typed(typed: str, length: int) -> None:
    error = phone_error(typed)
    assert error.template == identity.PHONE_MOBILE_LENGTH
    assert error.params == {"length": length}
    assert "11 digits" in str(error)


@pytest.mark.parametrize(("typed", "prefix"), [("12812345678", "12"), ("11012345678", "11")])
def test_mobile_prefix(typed: str, prefix: str) -> None:
    error = phone_error(typed)
    assert error.template == identity.PHONE_MOBILE_PREFIX
    assert error.params == {"prefix": prefix}


@pytest.mark.parametrize("typed", ["13812345678转12", "13812345678-12"])
def test_mobile_has_no_extension(typed: str) -> None:
    assert phone_error(typed).template == identity.PHONE_MOBILE_EXTENSION


@pytest.mark.parametrize("typed", ["62345678", "6234567", "6234-5678"])
def test_landline_without_area_code(typed: str) -> None:
    assert phone_error(typed).template == identity.PHONE_NEEDS_AREA_CODE


@pytest.mark.parametrize(
    ("typed", "template", "area_code", "length"),
    [
        ("024-1234567", identity.PHONE_LANDLINE_LENGTH_8, "024", 7),
        ("010-123456789", identity.PHONE_LANDLINE_LENGTH_8, "010", 9),
        ("0311-123456", identity.PHONE_LANDLINE_LENGTH_7_OR_8, "0311", 6),
        ("0311-123456789", identity.PHONE_LANDLINE_LENGTH_7_OR_8, "0311", 9),
    ],
)
def test_landline_number_length(typed: str, template: str, area_code: str, length: int) -> None:
    error = phone_error(typed)
    assert error.template == template
    assert error.params == {"area_code": area_code, "length": length}


@pytest.mark.parametrize(("typed", "length"), [("024-12345678转", 0), ("024-12345678-1234567", 7)])
def test_extension_length(typed: str, length: int) -> None:
    error = phone_error(typed)
    assert error.template == identity.PHONE_EXTENSION_LENGTH
    assert error.params == {"length": length}


def test_only_a_dash_or_a_word_marks_an_extension() -> None:
    # Spaces only group digits: "024 12345678 123" is one 11-digit number, not an extension.
    error = phone_error("024 12345678 123")
    assert error.template == identity.PHONE_LANDLINE_LENGTH_8
    assert error.params == {"area_code": "024", "length": 11}


@pytest.mark.parametrize(
    "typed",
    [
        "abc",
        "张三",
        "+1 555 123 4567",
        "00",
        "024/12345678",
        "024-12345678转12转3",
        "1381234567a",
        "+",
    ],
)
def test_unrecognisable_phone_gives_both_forms(typed: str) -> None:
    error = phone_error(typed)
    assert error.template == identity.PHONE_UNRECOGNISED
    assert "13812345678" in str(error) and "024-12345678" in str(error)


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
separators = st.sampled_from(["", " ", "-"])


@given(mobiles, st.sampled_from(["", "+86", "+86 ", "86", "0086", "0086-"]), separators)
def test_valid_mobiles_round_trip(mobile: str, prefix: str, sep: str) -> None:
    spelled = prefix + sep.join([mobile[:3], mobile[3:7], mobile[7:]])
    assert validate_phone(spelled) == mobile
    assert validate_phone(mobile) == mobile


@given(
    st.one_of(
        st.from_regex(r"0(10|2[0-9])", fullmatch=True).map(lambda a: (a, 8)),
        st.from_regex(r"0[3-9][0-9]{2}", fullmatch=True).flatmap(
            lambda a: st.sampled_from([(a, 7), (a, 8)])
        ),
    ).flatmap(
        lambda area_len: st.tuples(
            st.just(area_len[0]),
            st.from_regex(rf"[2-8][0-9]{{{area_len[1] - 1}}}", fullmatch=True),
        )
    ),
    st.one_of(st.none(), st.from_regex(r"[0-9]{1,6}", fullmatch=True)),
)
def test_valid_landlines_round_trip(area_number: tuple[str, str], extension: str | None) -> None:
    area, number = area_number
    normalised = f"{area}-{number}" + (f"-{extension}" if extension else "")
    assert validate_phone(normalised) == normalised
    spelled = f"({area}) {number}" + (f" 转 {extension}" if extension else "")
    assert validate_phone(spelled) == normalised


# --- masks ---------------------------------------------------------------------


def test_mask_id_number_matches_spec() -> None:
    assert mask_id_number(WELL_KNOWN_ID) == "110105********002X"
    assert mask_id_number("110105 19491231 002x") == "110105********002X"
    assert mask_id_number(None) == ""
    assert mask_id_number("") == ""


def test_mask_id_number_hides_short_legacy_values_entirely() -> None:
    assert mask_id_number("110105491231002") == "*" * 15


def test_mask_phone_matches_spec() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone("024-12345678") == "024-****5678"
    assert mask_phone("(0311)1234567") == "0311-***4567"
    assert mask_phone("024-12345678转123") == "024-****5678-***"
    assert mask_phone(None) == ""
    assert mask_phone("") == ""


def test_mask_phone_never_raises_on_bad_data() -> None:
    assert mask_phone("12345") == "*****"
    assert mask_phone("call 13800000000") == "cal*********0000"


@given(st.text(max_size=30))
def test_masks_never_raise(value: str) -> None:
    mask_phone(value)
    mask_id_number(value)
    mask_name(value)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("李四光", "李*光"),
        ("欧阳娜娜", "欧**娜"),
        ("买买提·艾力", "买****力"),
        (" 王五 ", "王*"),
        ("王", "王"),
        ("John Smith", "J*********"),
        (None, ""),
        ("", ""),
    ],
)
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


# --- visitor keys -----------------------------------------------------------------


def test_new_hash_key_is_random_32_bytes_hex() -> None:
    key = new_hash_key()
    assert len(bytes.fromhex(key)) == 32
    assert new_hash_key() != key


def test_visitor_key_is_hmac_of_normalised_value() -> None:
    key = new_hash_key()
    expected = hmac.new(bytes.fromhex(key), b"13812345678", hashlib.sha256).hexdigest()
    assert visitor_key("+86 138-1234-5678", key) == expected


def test_visitor_key_same_for_spellings_of_one_phone() -> None:
    key = new_hash_key()
    spellings = ["13812345678", "138 1234 5678", "+86-138-1234-5678", "0086 13812345678"]
    assert len({visitor_key(s, key) for s in spellings}) == 1
    landlines = ["024-12345678", "(024)1234 5678", "+86 24 12345678"]
    assert len({visitor_key(s, key) for s in landlines}) == 1


def test_visitor_key_same_for_spellings_of_one_id() -> None:
    key = new_hash_key()
    assert visitor_key(WELL_KNOWN_ID, key) == visitor_key(" 110105 19491231 002x", key)


def test_visitor_key_differs_by_key_and_value() -> None:
    key_a, key_b = new_hash_key(), new_hash_key()
    assert visitor_key("13812345678", key_a) != visitor_key("13812345678", key_b)
    assert visitor_key("13812345678", key_a) != visitor_key("13812345679", key_a)


def test_visitor_key_strips_invalid_values() -> None:
    key = new_hash_key()
    assert visitor_key("  unknown 123 ", key) == visitor_key("unknown 123", key)


@pytest.mark.parametrize("bad_key", ["", "zz", "00" * 8])
def test_visitor_key_refuses_weak_or_malformed_keys(bad_key: str) -> None:
    with pytest.raises(ValueError):
        visitor_key("13812345678", bad_key)


def test_visitor_key_refuses_empty_value() -> None:
    with pytest.raises(ValueError):
        visitor_key("   ", new_hash_key())


# --- translations --------------------------------------------------------------------


def test_every_message_has_a_pending_translation() -> None:
    rows = (REPO / "resources/translations/pending/identity.tsv").read_text("utf-8").splitlines()
    pairs = dict(row.split("\t") for row in rows)
    templates = [getattr(identity, n) for n in identity.__all__ if n.startswith(("ID_", "PHONE_"))]
    assert len(templates) == 18
    for template in templates:
        assert pairs.get(template), template
        # Every placeholder of the source must survive into the translation.
        for placeholder in ("{length}", "{position}", "{char}", "{region}", "{birth_date}"):
            assert (placeholder in template) == (placeholder in pairs[template])
        for placeholder in ("{expected}", "{got}", "{prefix}", "{area_code}"):
            assert (placeholder in template) == (placeholder in pairs[template])


@settings(max_examples=50)
@given(valid_ids)
def test_masked_id_keeps_only_region_and_last_four(number: str) -> None:
    masked = mask_id_number(number)
    assert masked == number[:6] + "*" * 8 + number[-4:]
