"""The reception screen's database work, in one place.

Each function runs one service call in a session of its own (``ctx.read()`` or
``ctx.write()``) and returns plain results, so the widgets never hold a session.
The look-ups (pick lists, returning visitors, the duplicate check, today's
visits, the history) run in the background through ``views.tasks.Op`` with
``in_read``; the draft and the registration run where they are called, on
purpose: a draft must be on disk before the next keystroke can be lost, and the
person waits for the receipt of the visit they just registered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from services.attachments.photos import NewFile
from services.reception import draft_files, drafts, enquiry
from services.reception.export import export_visits
from services.reception.history import VisitSearch
from services.reception.privacy import reveal_visitor
from services.reception.receipt import Receipt, receipt_data
from services.reception.visits import VisitResult, register_visit

from ..attachments.picker import attachments_folder
from ..context import ViewContext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
T = TypeVar("T")
DRAFT_FORM = "reception"  # the key drafts were saved under; keep it for saved drafts


def in_read(ctx: ViewContext, work: Callable[[Session], T]) -> Callable[[], T]:
    """``work`` with a read session of its own, for an op in the thread pool."""

    def run() -> T:
        with ctx.read() as session:
            return work(session)

    return run


# ---------------------------------------------------------------- the draft
def load_draft(ctx: ViewContext) -> Any:
    with ctx.read() as session:
        return drafts.load_draft(session, DRAFT_FORM, ctx.user.id)


def draft_files_folder(ctx: ViewContext) -> Path:
    return draft_files.draft_files_folder(attachments_folder(ctx.data_dir))


def save_draft(ctx: ViewContext, payload: dict[str, Any]) -> None:
    """The draft, then the kept copies of files no draft names any more removed."""
    with ctx.write() as session:
        drafts.save_draft(session, DRAFT_FORM, ctx.user.id, payload)
    release_draft_files(ctx, [str(e["sha256"]) for e in draft_files.entries_of(payload)])


def clear_draft(ctx: ViewContext, keep: Sequence[str] = ()) -> None:
    with ctx.write() as session:
        drafts.clear_draft(session, DRAFT_FORM, ctx.user.id)
    release_draft_files(ctx, keep)


def release_draft_files(ctx: ViewContext, keep: Sequence[str] = ()) -> None:
    """Remove the kept copies no saved draft names (nor ``keep``); never fails the caller."""
    try:
        with ctx.read() as session:
            draft_files.release_files(session, draft_files_folder(ctx), keep)
    except OSError:
        log.exception("the draft's files could not be tidied")


# ---------------------------------------------------------------- visits
def register(ctx: ViewContext, data: Any, files: Sequence[NewFile] = ()) -> VisitResult:
    """The visit (with the new case's files) and the end of its draft, in one transaction."""
    with ctx.write() as session:
        result = register_visit(
            session,
            ctx.actor,
            ctx.calendar,
            data,
            files=files,
            folder=attachments_folder(ctx.data_dir),
        )
        drafts.clear_draft(session, DRAFT_FORM, ctx.user.id)
    release_draft_files(ctx)
    return result


def receipt(ctx: ViewContext, visit_id: str) -> Receipt:
    with ctx.read() as session:
        return receipt_data(session, ctx.actor, ctx.calendar, visit_id)


def export(
    ctx: ViewContext, search: VisitSearch, target: Path, translate: Callable[[str], str]
) -> int:
    with ctx.read() as session:
        return export_visits(session, ctx.actor, search, target, translate=translate)


def reveal(ctx: ViewContext, visit_id: str, fields: list[str]) -> dict[str, str | None]:
    """The visitor's fields in clear; each read is written to the audit log."""
    with ctx.write() as session:
        return {field: reveal_visitor(session, ctx.actor, visit_id, field) for field in fields}


# ---------------------------------------------------------------- progress enquiries
# Each writes its audit line, found or not, so each is a write.
def enquire_by_code(ctx: ViewContext, number: str, code: str) -> enquiry.Enquiry:
    with ctx.write() as session:
        return enquiry.enquire_by_code(session, ctx.actor, ctx.calendar, number, code)


def enquire_by_phone(ctx: ViewContext, phone: str) -> enquiry.Enquiry:
    with ctx.write() as session:
        return enquiry.enquire_by_phone(session, ctx.actor, ctx.calendar, phone)


def enquire_phone_case(ctx: ViewContext, phone: str, case_id: str) -> enquiry.Enquiry:
    with ctx.write() as session:
        return enquiry.enquire_phone_case(session, ctx.actor, ctx.calendar, phone, case_id)
