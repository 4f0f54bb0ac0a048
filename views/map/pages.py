"""Building map pages for the signed-in user: their grids, the base map from
the device settings, and the translated texts."""

from __future__ import annotations

from typing import Any

from services.errors import ValidationError
from services.map.page import PageConfig, build_page
from services.map.tiles import SOURCE_MBTILES, TileConfig, tile_config

from ..context import ViewContext
from . import ops
from .scheme import ASSET_BASE, map_profile
from .texts import base_layer_names, page_texts


def tile_values(ctx: ViewContext) -> dict[str, Any]:
    return ops.tile_values(ctx)


def resolve_tiles(values: dict[str, Any]) -> TileConfig:
    """The base map of ``values``; an MBTiles file is registered with the scheme handler."""
    mbtiles_url = ""
    if values.get("device.tile_source") == SOURCE_MBTILES:
        _profile, content = map_profile()
        try:
            mbtiles_url, _info = content.add_mbtiles(str(values.get("device.tile_mbtiles") or ""))
        except (ValidationError, OSError):
            mbtiles_url = ""  # tile_config says what is wrong with the file
    return tile_config(values, mbtiles_url)


def build_html(
    ctx: ViewContext,
    mode: str,
    tiles: TileConfig,
    *,
    data_url: str = "",
    data_token: str = "",
    pick: tuple[float, float] | None = None,
) -> str:
    grids = ops.grids(ctx)  # the user's grids: a handful of rows
    return build_page(
        PageConfig(
            mode=mode,
            grids=grids,
            tiles=tiles,
            texts=page_texts(),
            asset_base=ASSET_BASE,
            data_url=data_url,
            data_token=data_token,
            base_names=base_layer_names(),
            pick=pick,
        )
    )
