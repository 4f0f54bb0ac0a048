"""Errors raised by the domain services.

Every error carries a stable ``code`` (also used on the wire by the county
protocol), an English message template marked for translation, and the values
to format into it. ``str(error)`` gives the English text; the desktop shows the
translated text through :func:`desktop.i18n.error_text`.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class for rule violations a person can understand and fix."""

    code: str = "invalid"

    def __init__(
        self, template: str, /, *, code: str | None = None, field: str | None = None, **params: Any
    ) -> None:
        self.template = template
        self.params = params
        self.field = field
        if code is not None:
            self.code = code
        super().__init__(self.english())

    def english(self) -> str:
        try:
            return self.template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return self.template


class ValidationError(DomainError):
    """A value typed by a person is not acceptable; ``field`` names the input."""

    code = "invalid"


class IllegalTransition(DomainError):
    """The event is not allowed in the case's current state."""

    code = "illegal_transition"


class PermissionDenied(DomainError):
    """The user's role or scope does not allow the action."""

    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"
