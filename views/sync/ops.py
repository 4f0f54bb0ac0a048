"""The sync screen's database work, in one place: the device's connection
settings and the items the county rejected. Each function opens its own
session (``ctx.read()`` / ``ctx.write()``) around service calls; all of them
touch a handful of rows (the settings, the rejected items of the outbox) and
run where they are called.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services import settings as settings_service
from services import sync
from services.errors import DomainError
from services.reception.receipt import Receipt, receipt_data
from services.sync import missing_files

from ..attachments.picker import attachments_folder
from ..context import ViewContext


def settings(ctx: ViewContext) -> dict[str, Any]:
    with ctx.read() as session:
        return settings_service.get_all(session)


def save_connection(ctx: ViewContext, fields: dict[str, str], ca_file: str, verify: bool) -> None:
    """Save the address and proxy (an error names its field), the CA file and
    the TLS check, all or none."""
    with ctx.write() as session:
        for key, value in fields.items():
            try:
                settings_service.change(session, ctx.actor, key, value)
            except DomainError as exc:
                exc.field = key
                raise
        settings_service.change(session, ctx.actor, "device.ca_file", ca_file)
        settings_service.change(session, ctx.actor, "device.verify_tls", verify)


def rejected_items(ctx: ViewContext) -> list[sync.RejectedItem]:
    with ctx.read() as session:
        return sync.rejected_items(session)


def redispatch(ctx: ViewContext, seq: int) -> None:
    with ctx.write() as session:
        sync.redispatch_rejected(session, ctx.actor, ctx.calendar, seq)


def retry(ctx: ViewContext, seq: int) -> None:
    with ctx.write() as session:
        sync.retry_rejected(session, ctx.actor, seq)


def discard(ctx: ViewContext, seq: int, reason: str) -> None:
    with ctx.write() as session:
        sync.discard_rejected(session, ctx.actor, seq, reason)


def renumber(ctx: ViewContext, seq: int) -> sync.Renumbered:
    with ctx.write() as session:
        return sync.renumber_rejected(session, ctx.actor, seq)


def receipt(ctx: ViewContext, visit_id: str) -> Receipt:
    """The visitor's receipt again, with the case's new number."""
    with ctx.read() as session:
        return receipt_data(session, ctx.actor, ctx.calendar, visit_id)


def waiting_for_files(ctx: ViewContext) -> list[missing_files.WaitingForFile]:
    """Steps the county keeps answering missing_blob (a stat per file they name)."""
    with ctx.read() as session:
        return missing_files.waiting_for_files(session, attachments_folder(ctx.data_dir))


def reattach_file(ctx: ViewContext, seq: int, path: Path) -> missing_files.NamedFile:
    with ctx.write() as session:
        return missing_files.reattach_file(
            session, ctx.actor, attachments_folder(ctx.data_dir), seq, path
        )
