"""The demo district's texts and corpora, read once from ``resources/demo/``.

``texts.json`` holds what the cases and visits say (issues by 小类, places,
impacts, results by 大类, the reasons and notes of each step); ``people.json``
the characters names are drawn from, phone and ID-number prefixes, and the
streets and communities of the demo county. They are data, not code, so that a
trainer can read and adjust them without touching the generator.

The generator draws from these sequences by position, so their order is part of
the demo district: reordering or editing an entry changes the generated rows
(``tests/test_demo_fingerprint.py`` pins them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DEMO_RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "demo"


@dataclass(frozen=True)
class CaseTexts:
    """What the generated cases say (``resources/demo/texts.json``)."""

    issues: dict[str, tuple[str, ...]]  # 小类 code → how people describe it
    manhole_faults: tuple[str, ...]
    part_faults: tuple[str, ...]
    reporters: dict[str, str]  # source → "who reported it"
    impacts: tuple[str, ...]
    personal_impacts: tuple[str, ...]
    sides: tuple[str, ...]
    spots: tuple[str, ...]
    roads: tuple[str, ...]
    results: dict[str, tuple[str, ...]]  # 大类 code → feedback results
    default_results: tuple[str, ...]
    return_reasons: tuple[str, ...]
    void_reasons: tuple[str, ...]
    duplicate_reason: str
    escalate_reasons: tuple[str, ...]
    county_return_reason: str
    suspend_reasons: tuple[str, ...]
    extend_reasons: tuple[str, ...]
    resume_extend_reason: str
    fail_notes: tuple[str, ...]
    pass_notes: tuple[str, ...]
    spot_notes: tuple[str, ...]
    supervise_notes: tuple[str, ...]
    dispatch_notes: tuple[str, ...]
    comments_open: tuple[str, ...]
    comments_closed: tuple[str, ...]
    comment_voided: str


@dataclass(frozen=True)
class PeopleTexts:
    """Names, phone numbers and the county's streets (``resources/demo/people.json``)."""

    visitor_surnames: str  # one character per surname
    visitor_given: str
    mobile_prefixes: tuple[str, ...]
    id_regions: tuple[str, ...]  # residents' ID regions: Liaoyang and Anshan districts
    user_surnames: str
    user_given: str
    streets: tuple[tuple[str, tuple[str, ...]], ...]  # west to east; communities NW, NE, SW, SE


def _read(name: str) -> dict[str, Any]:
    data = json.loads((DEMO_RESOURCES / name).read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return dict(data)


def _tuples(value: Any) -> Any:
    """JSON lists as tuples (one level, and the values of a dict of lists)."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}
    return value


@cache
def case_texts() -> CaseTexts:
    """The case texts, read on first use and kept."""
    return CaseTexts(**{k: _tuples(v) for k, v in _read("texts.json").items()})


@cache
def people_texts() -> PeopleTexts:
    """The people's names and the streets, read on first use and kept."""
    data = _read("people.json")
    streets = tuple((s["name"], tuple(s["communities"])) for s in data.pop("streets"))
    return PeopleTexts(streets=streets, **{k: _tuples(v) for k, v in data.items()})
