"""Text that leaves GridDesk in a file: workbook cells and file names.

A workbook cell written with a string that starts with ``=`` becomes a formula
in openpyxl (``=HYPERLINK("http://e.vil","x")`` as a case number would be a
live link in the bulletin), and a spreadsheet evaluates a typed ``+``, ``-``
or ``@`` too once somebody edits the cell. Every text cell of an export is
therefore stored as a string (``t="s"``, never an ``<f>`` element) and, when it
starts with one of those characters, marked with Excel's quote prefix (shown
and kept as text even after editing). Numbers stay numbers.

File names suggested to a person or taken from one (an attachment, a
bulletin named after its scope) lose path separators, controls and the
characters Windows refuses, and keep their extension.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""First characters a spreadsheet may take as the start of a formula (OWASP CSV injection)."""

_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_FORBIDDEN_IN_NAMES = re.compile(r'[\\/:*?"<>|]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_LEADS)


def literal(cell: Cell) -> Cell:
    """Make a cell holding a string keep it as text (call after assigning the value)."""
    value = cell.value
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell


def text_cell(cell: Cell, value: Any) -> Cell:
    """Assign ``value``; a string is stored as literal text, a number stays a number."""
    cell.value = value
    return literal(cell)


def literal_cells(cells: Iterable[Any]) -> int:
    """:func:`literal` over ``cells``; returns how many would have been formulas."""
    formulas = 0
    for cell in cells:
        if isinstance(cell, Cell) and isinstance(cell.value, str):
            if cell.data_type == "f":
                formulas += 1
            literal(cell)
    return formulas


def literal_workbook(book: Workbook) -> int:
    """Every text cell of every sheet kept as text; returns how many would have been formulas.

    Call it once before saving an export that is never meant to hold formulas.
    """
    formulas = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            formulas += literal_cells(row)
    return formulas


def clean_file_name(name: object, limit: int = 120, fallback: str = "file") -> str:
    """A file name safe to create or suggest on Windows and Linux, at most ``limit``
    characters, with its extension kept (``../../x.pdf`` → ``x.pdf``)."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _CONTROL.sub("", text)
    text = _FORBIDDEN_IN_NAMES.sub("_", text)
    text = text.strip().strip(".").strip()
    stem, dot, suffix = text.rpartition(".")
    if not dot or not stem or len(suffix) > 10 or " " in suffix:
        stem, suffix = text, ""
    suffix = suffix.lower()
    stem = stem.strip().rstrip(".").strip()
    if not stem or _RESERVED.match(stem):
        stem = fallback + ("-" + stem if stem else "")
    room = limit - (len(suffix) + 1 if suffix else 0)
    stem = stem[: max(room, 1)].rstrip()
    return f"{stem}.{suffix}" if suffix else stem
