"""The reception desk's words: how a visit ends, its purposes and the visitor's gender,
with the labels lists, receipts and exports show for them."""

from __future__ import annotations

from enum import StrEnum

from models.enums import Purpose
from services.i18n import QT_TRANSLATE_NOOP


class Outcome(StrEnum):
    ON_THE_SPOT = "on_the_spot"
    CASE = "case"
    RECORD_ONLY = "record_only"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


# How a stored visit ended, as lists and statistics show it.
VISIT_OUTCOMES = ("on_the_spot", "case", "attached", "record_only")

OUTCOME_LABELS: dict[str, str] = {
    "on_the_spot": QT_TRANSLATE_NOOP("services", "closed on the spot"),
    "case": QT_TRANSLATE_NOOP("services", "case opened"),
    "attached": QT_TRANSLATE_NOOP("services", "added to an open case"),
    "record_only": QT_TRANSLATE_NOOP("services", "recorded only"),
}

PURPOSE_LABELS: dict[str, str] = {
    Purpose.COMPLAINT: QT_TRANSLATE_NOOP("services", "complaint"),
    Purpose.REQUEST: QT_TRANSLATE_NOOP("services", "request"),
    Purpose.CONSULTATION: QT_TRANSLATE_NOOP("services", "consultation"),
    Purpose.DISPUTE: QT_TRANSLATE_NOOP("services", "dispute"),
    Purpose.OTHER: QT_TRANSLATE_NOOP("services", "other"),
}

GENDER_LABELS: dict[str, str] = {
    Gender.MALE: QT_TRANSLATE_NOOP("services", "male"),
    Gender.FEMALE: QT_TRANSLATE_NOOP("services", "female"),
}


def visit_outcome(
    on_the_spot: bool, case_id: str | None, visit_of_case: str | None, visit_id: str
) -> str:
    """How a stored visit ended: one of :data:`VISIT_OUTCOMES`."""
    if on_the_spot:
        return "on_the_spot"
    if not case_id:
        return "record_only"
    if visit_of_case is not None and visit_of_case != visit_id:
        return "attached"
    return "case"
