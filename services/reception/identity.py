"""Visitors' personal identifiers: validation, masking and keyed hashing.

The SPEC's PIPL section asks three things of the reception desk: resident ID
numbers and phones are checked when they are typed (so a typo is caught while
the visitor is still standing at the desk), they are shown masked by default,
and returning visitors are found through a keyed hash rather than the clear
value. This module does all three without touching the database, so the
desktop, the county server and the retention job share one definition of
"the same phone number".

Validation errors are :class:`~services.errors.ValidationError` with
``code="invalid"`` and one specific message per fault that says what to fix;
the message templates are module constants so that callers and tests can tell
the faults apart without parsing English text.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP

__all__ = [
    "ID_BAD_CHARACTER",
    "ID_BIRTH_BEFORE_1900",
    "ID_BIRTH_IMPOSSIBLE",
    "ID_BIRTH_IN_FUTURE",
    "ID_EMPTY",
    "ID_OLD_15_DIGITS",
    "ID_UNKNOWN_REGION",
    "ID_WRONG_CHECK_DIGIT",
    "ID_WRONG_LENGTH",
    "PHONE_EMPTY",
    "PHONE_EXTENSION_LENGTH",
    "PHONE_LANDLINE_LENGTH_7_OR_8",
    "PHONE_LANDLINE_LENGTH_8",
    "PHONE_MOBILE_EXTENSION",
    "PHONE_MOBILE_LENGTH",
    "PHONE_MOBILE_PREFIX",
    "PHONE_NEEDS_AREA_CODE",
    "PHONE_UNRECOGNISED",
    "PROVINCE_CODES",
    "id_birth_date",
    "id_check_digit",
    "id_gender",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "new_hash_key",
    "phone_kind",
    "validate_id_number",
    "validate_phone",
    "visitor_key",
]

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# --- message templates ------------------------------------------------------

ID_EMPTY = QT_TRANSLATE_NOOP("services", "Enter the resident ID number.")
ID_WRONG_LENGTH = QT_TRANSLATE_NOOP(
    "services", "A resident ID number must be 18 characters; you typed {length}."
)
ID_OLD_15_DIGITS = QT_TRANSLATE_NOOP(
    "services",
    "This is an old 15-digit ID number; enter the 18-digit number from the current ID card.",
)
ID_BAD_CHARACTER = QT_TRANSLATE_NOOP(
    "services",
    "Character {position} is “{char}”; an ID number has only digits, with X allowed only as the last character.",
)
ID_UNKNOWN_REGION = QT_TRANSLATE_NOOP(
    "services",
    "The first two digits “{region}” are not a province code; check the start of the number.",
)
ID_BIRTH_IMPOSSIBLE = QT_TRANSLATE_NOOP(
    "services",
    "The birth date {birth_date} (characters 7–14) does not exist; check the month and day.",
)
ID_BIRTH_IN_FUTURE = QT_TRANSLATE_NOOP(
    "services", "The birth date {birth_date} (characters 7–14) is in the future."
)
ID_BIRTH_BEFORE_1900 = QT_TRANSLATE_NOOP(
    "services", "The birth date {birth_date} (characters 7–14) is before 1900."
)
ID_WRONG_CHECK_DIGIT = QT_TRANSLATE_NOOP(
    "services",
    "The last character should be {expected}, not {got}; check the number for a typo.",
)

PHONE_EMPTY = QT_TRANSLATE_NOOP("services", "Enter a phone number.")
PHONE_MOBILE_LENGTH = QT_TRANSLATE_NOOP(
    "services", "A mobile number must have 11 digits; you typed {length}."
)
PHONE_MOBILE_PREFIX = QT_TRANSLATE_NOOP(
    "services",
    "“{prefix}” is not a mobile number prefix; mobile numbers start with 13 to 19.",
)
PHONE_MOBILE_EXTENSION = QT_TRANSLATE_NOOP("services", "A mobile number cannot have an extension.")
PHONE_NEEDS_AREA_CODE = QT_TRANSLATE_NOOP(
    "services", "Add the area code in front of the landline number, for example 024-12345678."
)
PHONE_LANDLINE_LENGTH_8 = QT_TRANSLATE_NOOP(
    "services", "After area code {area_code} the number must have 8 digits; you typed {length}."
)
PHONE_LANDLINE_LENGTH_7_OR_8 = QT_TRANSLATE_NOOP(
    "services",
    "After area code {area_code} the number must have 7 or 8 digits; you typed {length}.",
)
PHONE_EXTENSION_LENGTH = QT_TRANSLATE_NOOP(
    "services", "An extension has 1 to 6 digits; you typed {length}."
)
PHONE_UNRECOGNISED = QT_TRANSLATE_NOOP(
    "services",
    "This is not a recognisable phone number; enter a mobile number such as 13812345678 or a landline with its area code such as 024-12345678.",
)

# --- resident ID numbers (GB 11643-1999) -----------------------------------

#: First two digits of the administrative division code (GB/T 2260 provinces,
#: 71 Taiwan, 81/82 Hong Kong/Macao, 83 Taiwan residence permits, 91 foreigners'
#: permanent residence IDs).
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82", "83", "91"]
)

# ISO 7064 MOD 11-2: weight of position i (0-based, from the left) is 2**(17-i) mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ASCII_DIGITS = frozenset("0123456789")
_EARLIEST_BIRTH = date(1900, 1, 1)


def _local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _clean_id(value: str) -> str:
    """Fold what a Chinese input method produces (full-width digits, ｘ) and drop spaces."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(folded.split()).upper()


def id_check_digit(first17: str) -> str:
    """Return the GB 11643 check character ("0"–"9" or "X") for the first 17 digits.

    Raises :class:`ValueError` (a programming error, not a typing error) when
    ``first17`` is not exactly 17 ASCII digits.
    """
    if len(first17) != 17 or not _ASCII_DIGITS.issuperset(first17):
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def validate_id_number(value: str, *, today: date | None = None) -> str:
    """Check an 18-digit resident ID number and return it normalised.

    Spaces are removed and a lowercase x is made uppercase. Each fault raises
    its own message so that the clerk knows which part of the card to look at
    again; the check-digit message names the expected character, which tells a
    clerk whether the last character or an earlier digit was mistyped.
    ``today`` (local date in Asia/Shanghai by default) bounds the birth date.
    """
    text = _clean_id(value)
    if not text:
        raise ValidationError(ID_EMPTY, field="id_number")
    if len(text) != 18:
        if len(text) == 15 and _ASCII_DIGITS.issuperset(text):
            raise ValidationError(ID_OLD_15_DIGITS, field="id_number", length=15)
        raise ValidationError(ID_WRONG_LENGTH, field="id_number", length=len(text))
    for index, char in enumerate(text):
        if char in _ASCII_DIGITS or (char == "X" and index == 17):
            continue
        raise ValidationError(ID_BAD_CHARACTER, field="id_number", position=index + 1, char=char)

    region = text[:2]
    if region not in PROVINCE_CODES:
        raise ValidationError(ID_UNKNOWN_REGION, field="id_number", region=region)

    birth_text = text[6:14]
    try:
        birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        raise ValidationError(
            ID_BIRTH_IMPOSSIBLE, field="id_number", birth_date=birth_text
        ) from None
    if birth > (today if today is not None else _local_today()):
        raise ValidationError(ID_BIRTH_IN_FUTURE, field="id_number", birth_date=birth_text)
    if birth < _EARLIEST_BIRTH:
        raise ValidationError(ID_BIRTH_BEFORE_1900, field="id_number", birth_date=birth_text)

    expected = id_check_digit(text[:17])
    if text[17] != expected:
        raise ValidationError(
            ID_WRONG_CHECK_DIGIT, field="id_number", expected=expected, got=text[17]
        )
    return text


def id_birth_date(value: str) -> date:
    """Birth date encoded in a valid ID number (raises ValidationError if it is not valid)."""
    text = validate_id_number(value)
    return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def id_gender(value: str) -> Literal["male", "female"]:
    """Gender encoded in a valid ID number: the 17th digit is odd for men, even for women."""
    text = validate_id_number(value)
    return "male" if int(text[16]) % 2 == 1 else "female"


# --- phone numbers ------------------------------------------------------------

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹣", "-"))
# One extension marker at most: 转 / 分机 / ext / ext. / x / #.
_EXTENSION_MARKER = re.compile(r"转|分机|ext\.?|x|#", re.IGNORECASE)
_MAIN_PART = re.compile(r"\+?[0-9 \-.()]*")
_DIGIT_RUN = re.compile(r"[0-9]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_SECOND_DIGITS = frozenset("3456789")


def _area_code(national: str) -> str:
    """010 and 02x are the 3-digit area codes; every other 0xxx has four digits."""
    if national.startswith(("010", "02")):
        return national[:3]
    return national[:4]


def _landline_lengths(area_code: str) -> tuple[int, ...]:
    return (8,) if len(area_code) == 3 else (7, 8)


def _is_complete_number(national: str) -> bool:
    """Whether ``national`` (digits only) is a whole mobile or landline number."""
    if _MOBILE.fullmatch(national):
        return True
    if len(national) < 5 or national[0] != "0" or national[1] == "0":
        return False
    area = _area_code(national)
    return len(national) - len(area) in _landline_lengths(area)


def _national_digits(main: str) -> str | None:
    """Digits of ``main`` without the +86 / 0086 / 86 country prefix, or None if foreign.

    After +86 or 0086 a landline is written without its leading 0 (+86 24 …),
    so the 0 is put back.
    """
    digits = "".join(_DIGIT_RUN.findall(main))
    if main.startswith("+") or digits.startswith("0086"):
        if main.startswith("+"):
            if not digits.startswith("86"):
                return None
            national = digits[2:]
        else:
            national = digits[4:]
        if national and national[0] not in "01":
            national = "0" + national
        return national
    if len(digits) == 13 and digits.startswith("861"):
        return digits[2:]
    return digits


def _split_phone(text: str) -> tuple[str, str | None]:
    """Split the typed text into national digits and the extension digits (if any)."""
    parts = _EXTENSION_MARKER.split(text)
    if len(parts) > 2:
        raise ValidationError(PHONE_UNRECOGNISED, field="phone")
    main = parts[0].strip()
    extension: str | None = None
    if len(parts) == 2:
        extension = parts[1].strip(" -.:")
        if extension and not _ASCII_DIGITS.issuperset(extension):
            raise ValidationError(PHONE_UNRECOGNISED, field="phone")
    if not _MAIN_PART.fullmatch(main) or not _DIGIT_RUN.search(main):
        raise ValidationError(PHONE_UNRECOGNISED, field="phone")
    national = _national_digits(main)
    if national is None:
        raise ValidationError(PHONE_UNRECOGNISED, field="phone")

    if extension is None:
        # "024-12345678-123": a last dash-separated group is an extension when
        # what comes before it is already a whole number. Otherwise the dashes
        # only group digits, as in "138-1234-5678" or "024-1234-5678".
        runs = list(_DIGIT_RUN.finditer(main))
        if len(runs) >= 2:
            last = runs[-1]
            between = main[runs[-2].end() : last.start()]
            head = national[: len(national) - len(last.group())]
            if "-" in between and _is_complete_number(head):
                return head, last.group()
    return national, extension


def validate_phone(value: str) -> str:
    """Check a mainland mobile or landline number and return it normalised.

    Mobiles become 11 digits ("13812345678"); landlines become
    "area-number" or "area-number-extension" ("024-12345678-123"). One
    normal form is what makes :func:`visitor_key` find a returning visitor
    however the number was spelt the first time.
    """
    text = unicodedata.normalize("NFKC", value).translate(_DASHES).strip()
    if not text:
        raise ValidationError(PHONE_EMPTY, field="phone")
    national, extension = _split_phone(text)

    if national.startswith("1"):
        if extension is not None:
            raise ValidationError(PHONE_MOBILE_EXTENSION, field="phone")
        if len(national) != 11:
            raise ValidationError(PHONE_MOBILE_LENGTH, field="phone", length=len(national))
        if national[1] not in _MOBILE_SECOND_DIGITS:
            raise ValidationError(PHONE_MOBILE_PREFIX, field="phone", prefix=national[:2])
        return national

    if national.startswith("0"):
        if len(national) < 5 or national[1] == "0":
            raise ValidationError(PHONE_UNRECOGNISED, field="phone")
        area = _area_code(national)
        number = national[len(area) :]
        if len(number) not in _landline_lengths(area):
            template = PHONE_LANDLINE_LENGTH_8 if len(area) == 3 else PHONE_LANDLINE_LENGTH_7_OR_8
            raise ValidationError(template, field="phone", area_code=area, length=len(number))
        if extension is None:
            return f"{area}-{number}"
        if not 1 <= len(extension) <= 6:
            raise ValidationError(PHONE_EXTENSION_LENGTH, field="phone", length=len(extension))
        return f"{area}-{number}-{extension}"

    if len(national) in (7, 8):
        # A local number typed without its area code. (After a country prefix
        # the national number always starts with 0 or 1, so this is not one.)
        raise ValidationError(PHONE_NEEDS_AREA_CODE, field="phone")
    raise ValidationError(PHONE_UNRECOGNISED, field="phone")


def phone_kind(value: str) -> Literal["mobile", "landline"]:
    """Whether a valid phone number is a mobile or a landline (raises ValidationError)."""
    return "landline" if "-" in validate_phone(value) else "mobile"


# --- masking -----------------------------------------------------------------


def mask_id_number(value: str | None) -> str:
    """ID number as shown by default: first 6 and last 4 visible ("110105********002X").

    Masking never raises, because it runs on stored data in lists and
    receipts. A value that is not 18 characters (legacy data) keeps the same
    ends only if at least 8 characters stay hidden; shorter ones are hidden
    entirely.
    """
    if not value:
        return ""
    text = _clean_id(value)
    if len(text) < 18:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_phone(value: str | None) -> str:
    """Phone as shown by default: "138****5678" or "024-****5678".

    Landlines keep the area code and the last 4 digits of the number; an
    extension is masked too. An unparseable value keeps its first 3 and last 4
    characters only when at least 4 stay hidden.
    """
    if not value:
        return ""
    try:
        normalised = validate_phone(value)
    except ValidationError:
        text = value.strip()
        if len(text) < 11:
            return "*" * len(text)
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if "-" not in normalised:
        return normalised[:3] + "****" + normalised[-4:]
    area, number, *extension = normalised.split("-")
    masked = f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"
    return masked + "".join(f"-{'*' * len(part)}" for part in extension)


def mask_name(value: str | None) -> str:
    """Name as shown by default: keep the first character, and the last from 3 on.

    "张三" → "张*", "李四光" → "李*光", "欧阳娜娜" → "欧**娜". Latin-script names
    keep only the first letter ("John Smith" → "J*********"), since their last
    letter says less and their length varies more. A one-character name (a
    surname alone) is shown as it is.
    """
    if not value:
        return ""
    text = value.strip()
    if len(text) <= 1:
        return text
    if text.isascii() or len(text) == 2:
        return text[0] + "*" * (len(text) - 1)
    return text[0] + "*" * (len(text) - 2) + text[-1]


# --- keyed hashing -------------------------------------------------------------

_MIN_KEY_BYTES = 16


def new_hash_key() -> str:
    """A fresh random 32-byte key for :func:`visitor_key`, as hex."""
    return secrets.token_hex(32)


def visitor_key(value: str, key: str) -> str:
    """HMAC-SHA256 (hex) of a phone or ID number, for finding returning visitors.

    The value is normalised first (by :func:`validate_id_number` or
    :func:`validate_phone` when it is valid, otherwise just stripped), so
    "+86 138-1234-5678" and "13812345678" give the same key. Without the
    secret ``key`` (hex, at least 16 bytes) the hash cannot be reversed by
    trying all 10^11 phone numbers. An empty value or a bad key raises
    :class:`ValueError`: hashing "" would make every visitor without a phone
    look like the same person.
    """
    try:
        key_bytes = bytes.fromhex(key)
    except ValueError:
        raise ValueError("visitor_key: the key must be hex") from None
    if len(key_bytes) < _MIN_KEY_BYTES:
        raise ValueError(f"visitor_key: the key must be at least {_MIN_KEY_BYTES} bytes")
    normalised = _normalise_identifier(value)
    if not normalised:
        raise ValueError("visitor_key: nothing to hash")
    return hmac.new(key_bytes, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def _normalise_identifier(value: str) -> str:
    try:
        return validate_id_number(value)
    except ValidationError:
        pass
    try:
        return validate_phone(value)
    except ValidationError:
        return value.strip()
