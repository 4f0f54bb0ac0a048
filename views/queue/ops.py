"""The queue screen's database work, in one place.

Each function runs one service call in a session of its own (``ctx.read()`` or
``ctx.write()``) and returns plain results, so the widgets never hold a session.
The screen runs the slow ones in the background through ``views.tasks.Op``
(with a key, so the latest answer wins); the quick ones (a page of 200 rows by its
index, the names of the reference tables, one case's row position, one-case
actions) run where they are called.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.types import utcnow
from services.cases import actions as case_actions
from services.cases import alerts, queue
from services.cases.detail import CaseDetail, case_detail
from services.cases.lookups import FilterChoices, Names, filter_choices, last_feedback_result

from ..context import ViewContext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


# ---------------------------------------------------------------- the list
def names(ctx: ViewContext) -> Names:
    with ctx.read() as session:
        return Names.load(session)


def ensure_search_index(ctx: ViewContext) -> bool:
    with ctx.write() as session:
        return queue.ensure_search_index(session)


def total(ctx: ViewContext, flt: queue.QueueFilter, now: datetime) -> int:
    with ctx.read() as session:
        return queue.count(session, ctx.actor, flt, now)


def counts(
    ctx: ViewContext, flt: queue.QueueFilter, with_buckets: bool
) -> tuple[dict[str, int], dict[str, int]]:
    """Cases per state under ``flt`` and, for a handler, per bucket."""
    now = utcnow()
    with ctx.read() as session:
        states = queue.state_counts(session, ctx.actor, flt, now)
        buckets = queue.bucket_counts(session, ctx.actor, now) if with_buckets else {}
    return states, buckets


def page(ctx: ViewContext, flt: queue.QueueFilter, now: datetime, *args: Any, **kw: Any) -> Any:
    with ctx.read() as session:
        return queue.page(session, ctx.actor, flt, now, *args, **kw)


def sample_keys(
    ctx: ViewContext,
    flt: queue.QueueFilter,
    now: datetime,
    sort_key: str,
    descending: bool,
    every: int,
    stop: Callable[[], bool] | None = None,
) -> list[tuple[Any, ...]]:
    """The sort keys of every ``every``-th row (seconds on a big queue: run it in the
    background); ``stop`` answering True ends the query early."""
    with ctx.read() as session:
        return queue.sample_keys(session, ctx.actor, flt, now, sort_key, descending, every, stop)


def row_position(ctx: ViewContext, flt: queue.QueueFilter, now: datetime, *args: Any) -> Any:
    with ctx.read() as session:
        return queue.row_position(session, ctx.actor, flt, now, *args)


def detail(ctx: ViewContext, case_id: str, folder: Path) -> CaseDetail:
    with ctx.read() as session:
        return case_detail(session, ctx.actor, case_id, folder)


def download_attachment(ctx: ViewContext, sha256: str) -> Path | None:
    """Fetch one blob from the county now (blocking: run it in the background).

    None when it cannot be had: the county does not have it, the desk is offline,
    or this build has no downloader yet (``services.sync.blobs`` arrives later).
    """
    try:
        from services.sync.blobs import download_blocking  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    path = download_blocking(ctx.db, sha256)
    return path if isinstance(path, Path) and path.is_file() else None


# ---------------------------------------------------------------- filters
def choices(ctx: ViewContext) -> FilterChoices:
    with ctx.read() as session:
        return filter_choices(session, ctx.actor)


def saved_filters(ctx: ViewContext) -> dict[str, queue.QueueFilter]:
    with ctx.read() as session:
        return {s.name: s.filter for s in queue.saved_filters(session, ctx.actor)}


def save_filter(ctx: ViewContext, name: str, flt: queue.QueueFilter) -> str:
    with ctx.write() as session:
        return queue.save_filter(session, ctx.actor, name, flt).name


def delete_saved_filter(ctx: ViewContext, name: str) -> None:
    with ctx.write() as session:
        queue.delete_saved_filter(session, ctx.actor, name)


# ---------------------------------------------------------------- alerts
def unseen_count(ctx: ViewContext) -> int:
    with ctx.read() as session:
        return alerts.unseen_count(session, ctx.actor)


def take_alerted(ctx: ViewContext) -> list[str]:
    """The cases with unseen alerts, which are marked seen."""
    with ctx.write() as session:
        ids = alerts.unseen_case_ids(session, ctx.actor)
        alerts.mark_seen(session, ctx.actor)
    return ids


def mark_seen(ctx: ViewContext, case_ids: list[str]) -> int | None:
    """Mark ``case_ids`` seen; the unseen count if that changed anything."""
    with ctx.write() as session:
        changed = alerts.mark_seen(session, ctx.actor, case_ids)
        return alerts.unseen_count(session, ctx.actor) if changed else None


def raise_alerts(ctx: ViewContext) -> tuple[alerts.AlertBatch, int]:
    with ctx.write() as session:
        batch = alerts.raise_alerts(session, ctx.actor)
        return batch, alerts.unseen_count(session, ctx.actor)


# ---------------------------------------------------------------- action dialogs
def perform(ctx: ViewContext, action: Callable[[Session], object]) -> None:
    """One action of a dialog, in one transaction."""
    with ctx.write() as session:
        action(session)


def dispatch_setup(ctx: ViewContext, case_ids: Sequence[str]) -> case_actions.DispatchSetup:
    with ctx.read() as session:
        return case_actions.dispatch_setup(session, ctx.actor, case_ids)


def preview_dispatch(ctx: ViewContext, case_ids: list[str]) -> list[case_actions.DispatchPreview]:
    with ctx.read() as session:
        return case_actions.preview_dispatch(session, ctx.actor, ctx.calendar, case_ids, utcnow())


def higher_units(ctx: ViewContext) -> list[tuple[str, str]]:
    with ctx.read() as session:
        return [(u.id, u.name) for u in case_actions.higher_units(session, ctx.actor)]


def feedback_result(ctx: ViewContext, case_id: str) -> str:
    with ctx.read() as session:
        return last_feedback_result(session, ctx.actor, case_id)
