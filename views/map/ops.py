"""The map screens' database work, in one place.

Each function runs one service call in a session of its own (``ctx.read()`` or
``ctx.write()``). The case layer, the one slow read, runs in the background
(``MapView.refresh_data``, latest wins); the others read a handful of rows (the
device's settings, the user's grids, one case or one grid) and run where they
are called — a click on the map waits for its answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services import settings as settings_service
from services.cases.detail import AttachmentInfo, case_photos
from services.cases.lookups import Names
from services.cases.queue import QueueFilter
from services.errors import DomainError
from services.map.data import (
    CaseLayer,
    CaseSummary,
    GridFigures,
    GridShape,
    case_layer,
    case_location,
    case_summary,
    grid_counts,
    grid_figures,
    grid_shapes,
    map_scope_prefix,
)
from services.map.geo import GridLocator
from services.map.tiles import TILE_SETTING_KEYS, save_tile_settings

from ..context import ViewContext


def layer(ctx: ViewContext, flt: QueueFilter) -> tuple[CaseLayer, dict[str, tuple[int, int]]]:
    """The cases on the map under ``flt`` and the counts per grid."""
    now = datetime.now(UTC)
    with ctx.read() as session:
        return case_layer(session, ctx.actor, flt, now), grid_counts(session, ctx.actor, flt, now)


def tile_values(ctx: ViewContext) -> dict[str, Any]:
    with ctx.read() as session:
        return {key: settings_service.get(session, key) for key in TILE_SETTING_KEYS}


def save_tiles(ctx: ViewContext, values: dict[str, Any]) -> None:
    with ctx.write() as session:
        save_tile_settings(session, ctx.actor, values)


def grids(ctx: ViewContext) -> list[GridShape]:
    with ctx.read() as session:
        return grid_shapes(session, ctx.actor)


def locator(ctx: ViewContext) -> GridLocator:
    with ctx.read() as session:
        return GridLocator.load(session, map_scope_prefix(ctx.actor) or None)


def names(ctx: ViewContext) -> Names:
    with ctx.read() as session:
        return Names.load(session)


def summary(ctx: ViewContext, case_id: str, now: datetime, names: Names) -> CaseSummary:
    with ctx.read() as session:
        return case_summary(session, ctx.actor, case_id, now, names)


def photos(ctx: ViewContext, case_id: str, folder: Path, limit: int = 3) -> list[AttachmentInfo]:
    """Up to ``limit`` photos of the case that are on this computer (none when the
    user may not read the case's detail)."""
    with ctx.read() as session:
        try:
            return case_photos(session, ctx.actor, case_id, folder, limit)
        except DomainError:
            return []


def grid(ctx: ViewContext, grid_id: str) -> GridFigures:
    with ctx.read() as session:
        return grid_figures(session, ctx.actor, grid_id, datetime.now(UTC))


def location(ctx: ViewContext, case_id: str) -> tuple[float, float] | None:
    with ctx.read() as session:
        return case_location(session, ctx.actor, case_id)
