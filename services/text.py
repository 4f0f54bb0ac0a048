"""Text a person typed: the one check for "required, at most so many characters".

Every service that takes a name, a title or a summary calls :func:`require_text`
so that blank and over-long input give the same kind of error — a
:class:`~services.errors.ValidationError` naming the ``field`` with a message
that says what to fix — wherever it is typed.
"""

from __future__ import annotations

from typing import Any

from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP

TOO_LONG = QT_TRANSLATE_NOOP(
    "services", "The {label} is {length} characters long; shorten it to {maximum}."
)


def require_text(
    value: object,
    field: str,
    *,
    limit: int | None,
    empty: str | None,
    too_long: str = TOO_LONG,
    collapse: bool = False,
    strip: bool = True,
    not_text: str | None = None,
    **params: Any,
) -> str:
    """``value`` checked and cleaned, or a ValidationError on ``field``.

    - ``empty``: the message for a blank value; None makes the text optional
      (a blank value gives "").
    - ``too_long``: the message for more than ``limit`` characters; it may use
      ``{length}`` and ``{maximum}`` (and ``{label}`` or any of ``params``).
    - ``collapse``: runs of white space become one space (names); otherwise the
      ends are stripped. ``strip=False`` keeps the value as given (a stored
      event's text is checked, never rewritten) and measures it as given.
    - ``not_text``: the message when ``value`` is not a string (wire input);
      without it None counts as blank.
    """
    if not isinstance(value, str):
        if not_text is not None:
            raise ValidationError(not_text, field=field, **params)
        value = ""
    if collapse:
        text = " ".join(value.split())
    else:
        text = value.strip() if strip else value
    if not text.strip():
        if empty is not None:
            raise ValidationError(empty, field=field, **params)
        return "" if strip else text
    if limit is not None and len(text) > limit:
        raise ValidationError(too_long, field=field, length=len(text), maximum=limit, **params)
    return text
