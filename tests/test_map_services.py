"""The map's services: case points and grid colours from SQL, grid figures,
point in polygon, the offline page, and tile sources (MBTiles row flip)."""

from __future__ import annotations

import json
import random
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import and_, func, select

from models.db import Database
from models.enums import CaseState
from models.tables import Case, OrgUnit
from services import settings
from services.cases.permissions import Actor
from services.cases.queue import QueueFilter
from services.cases.queue_clauses import OPEN_STATES
from services.errors import PermissionDenied, ValidationError
from services.map.data import (
    CLASS_INDEX,
    MARKER_CLASSES,
    case_layer,
    case_summary,
    grid_class,
    grid_counts,
    grid_figures,
    grid_shapes,
    marker_class,
)
from services.map.geo import GridArea, GridLocator
from services.map.page import (
    ASSET_FOLDERS,
    MODE_CASES,
    PageConfig,
    asset_path,
    build_page,
    data_script,
    rewrite_cdn,
)
from services.map.tiles import (
    SOURCE_MBTILES,
    SOURCE_NONE,
    SOURCE_TIANDITU_VECTOR,
    SOURCE_URL,
    check_url_template,
    read_mbtiles_info,
    read_tile,
    save_tile_settings,
    tile_config,
    tms_row,
)
from services.reports.periods import half_month_of
from tests.builders import actor

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def ray_cast(lon: float, lat: float, ring: list[list[float]]) -> bool:
    """An independent point-in-polygon oracle (even-odd rule)."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        (xi, yi), (xj, yj) = ring[i][:2], ring[j][:2]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


# ---------------------------------------------------------------- colours
def test_marker_class_follows_state_and_deadline() -> None:
    assert (
        marker_class(CaseState.DISPATCHED, NOW - timedelta(minutes=1), NOW)
        == CLASS_INDEX["overdue"]
    )
    assert (
        marker_class(CaseState.ACKNOWLEDGED, NOW + timedelta(hours=5), NOW)
        == CLASS_INDEX["due_soon"]
    )
    assert (
        marker_class(CaseState.ACKNOWLEDGED, NOW + timedelta(days=3), NOW)
        == CLASS_INDEX["in_progress"]
    )
    assert marker_class(CaseState.HANDLED, NOW + timedelta(days=3), NOW) == CLASS_INDEX["handled"]
    assert marker_class(CaseState.REGISTERED, None, NOW) == CLASS_INDEX["awaiting_dispatch"]
    # A closed case with a passed deadline is closed, not overdue.
    assert marker_class(CaseState.CLOSED, NOW - timedelta(days=9), NOW) == CLASS_INDEX["closed"]
    assert (
        marker_class(CaseState.SUSPENDED, NOW - timedelta(days=9), NOW) == CLASS_INDEX["suspended"]
    )
    # Overdue is drawn last (on top).
    assert CLASS_INDEX["overdue"] == len(MARKER_CLASSES) - 1


def test_grid_class_thresholds() -> None:
    assert [
        grid_class(0, 0),
        grid_class(3, 0),
        grid_class(10, 0),
        grid_class(4, 2),
        grid_class(9, 3),
    ] == [
        0,
        1,
        2,
        3,
        4,
    ]


# ---------------------------------------------------------------- SQL figures
def test_case_layer_matches_the_queue_scope_and_filter(demo_db: Database) -> None:
    with demo_db.sessions() as session:
        coordinator = actor(session, "coordinator")
        flt = QueueFilter(states=tuple(OPEN_STATES))
        layer = case_layer(session, coordinator, flt, NOW)
        expected = session.scalar(
            select(func.count())
            .select_from(Case)
            .where(
                Case.state.in_(OPEN_STATES),
                Case.org_unit_id.startswith(coordinator.org_unit_id or ""),
                Case.lat.is_not(None),
            )
        )
        assert len(layer) == expected > 0
        assert len(layer.lat) == len(layer.lon) == len(layer.cls) == len(layer)
        assert layer.cls == sorted(layer.cls)  # drawing order: overdue last
        # A department sees only the cases dispatched to it.
        department = actor(session, "dept_chengguan")
        theirs = case_layer(session, department, QueueFilter(), NOW)
        for case_id in theirs.ids[:50]:
            row = session.get(Case, case_id)
            assert row is not None and row.assignee_id == department.department_id


def test_grid_counts_and_figures_agree_with_plain_counting(demo_db: Database) -> None:
    with demo_db.sessions() as session:
        coordinator = actor(session, "coordinator")
        counts = grid_counts(session, coordinator, QueueFilter(), NOW)
        rows = session.execute(
            select(Case.grid_id, Case.state, Case.deadline, Case.closed_at, Case.created_at).where(
                Case.org_unit_id.startswith(coordinator.org_unit_id or "")
            )
        ).all()
        grid_id = max(counts, key=lambda g: counts[g][0])
        mine = [r for r in rows if r.grid_id == grid_id]
        running = (CaseState.DISPATCHED, CaseState.ACKNOWLEDGED, CaseState.HANDLED)
        open_cases = sum(1 for r in mine if r.state in OPEN_STATES)
        overdue = sum(1 for r in mine if r.state in running and r.deadline and r.deadline < NOW)
        assert counts[grid_id] == (open_cases, overdue)

        period = half_month_of(NOW)
        figures = grid_figures(session, coordinator, grid_id, NOW)
        assert (figures.open_cases, figures.overdue) == (open_cases, overdue)
        assert figures.closed_in_period == sum(
            1
            for r in mine
            if r.state == CaseState.CLOSED
            and r.closed_at
            and period.start <= r.closed_at < period.end
        )
        assert figures.created_in_period == sum(
            1 for r in mine if period.start <= r.created_at < period.end
        )
        assert figures.workers  # every demo grid has its grid worker


def test_grid_outside_the_users_area_is_refused(demo_db: Database) -> None:
    with demo_db.sessions() as session:
        coordinator = actor(session, "coordinator")
        other = session.scalar(
            select(OrgUnit.id).where(
                OrgUnit.level == "grid", ~OrgUnit.id.startswith(coordinator.org_unit_id or "")
            )
        )
        assert other is not None
        with pytest.raises(PermissionDenied):
            grid_figures(session, coordinator, other, NOW)
        shapes = grid_shapes(session, coordinator)
        assert shapes and all(s.id.startswith(coordinator.org_unit_id or "") for s in shapes)


def test_the_map_needs_the_map_permission(demo_db: Database) -> None:
    nobody = Actor(id="x", role="visitor", org_unit_id="990101")
    with demo_db.sessions() as session, pytest.raises(PermissionDenied):
        case_layer(session, nobody, QueueFilter(), NOW)


def test_case_summary_is_refused_outside_scope(demo_db: Database) -> None:
    with demo_db.sessions() as session:
        department = actor(session, "dept_chengguan")
        foreign = session.scalar(
            select(Case.id).where(
                and_(Case.assignee_id != department.department_id) | Case.assignee_id.is_(None)
            )
        )
        assert foreign is not None
        with pytest.raises(PermissionDenied):
            case_summary(session, department, foreign, NOW)


# ---------------------------------------------------------------- point in polygon
def test_point_in_polygon_agrees_with_ray_casting(demo_db: Database) -> None:
    rng = random.Random(7)
    with demo_db.sessions() as session:
        locator = GridLocator.load(session)
    assert len(locator) > 50
    west = min(p[0] for g in locator.grids for p in g.boundary["coordinates"][0])
    east = max(p[0] for g in locator.grids for p in g.boundary["coordinates"][0])
    south = min(p[1] for g in locator.grids for p in g.boundary["coordinates"][0])
    north = max(p[1] for g in locator.grids for p in g.boundary["coordinates"][0])
    hits = 0
    for _ in range(400):
        lon = rng.uniform(west - 0.01, east + 0.01)
        lat = rng.uniform(south - 0.01, north + 0.01)
        found = locator.locate(lat, lon)
        oracle = [g.id for g in locator.grids if ray_cast(lon, lat, g.boundary["coordinates"][0])]
        if found is None:
            assert oracle == []
        else:
            hits += 1
            assert oracle == [found.id]
    assert hits > 150


def test_point_in_polygon_with_a_hole_and_a_multipolygon() -> None:
    square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
    hole = [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0], [4.0, 4.0]]
    locator = GridLocator(
        [
            GridArea("a", "甲", None, {"type": "Polygon", "coordinates": [square, hole]}),
            GridArea(
                "b",
                "乙",
                None,
                {
                    "type": "MultiPolygon",
                    "coordinates": [
                        [[[4.5, 4.5], [5.5, 4.5], [5.5, 5.5], [4.5, 5.5], [4.5, 4.5]]],
                        [[[20.0, 0.0], [21.0, 0.0], [21.0, 1.0], [20.0, 0.0]]],
                    ],
                },
            ),
            GridArea("c", "坏", None, {"type": "Polygon"}),  # unreadable: left out
        ]
    )
    assert len(locator) == 2
    assert locator.locate(1, 1).id == "a"  # type: ignore[union-attr]
    assert locator.locate(5, 5).id == "b"  # type: ignore[union-attr]  # in the hole's island
    assert locator.locate(4.2, 4.2) is None  # in the hole
    assert locator.locate(0.2, 20.5).id == "b"  # type: ignore[union-attr]
    assert locator.locate(0, 5).id == "a"  # type: ignore[union-attr]  # on the edge
    assert locator.locate(95, 5) is None  # not a latitude


# ---------------------------------------------------------------- the page
def test_the_page_has_no_remote_script_or_style(demo_db: Database) -> None:
    with demo_db.sessions() as session:
        grids = grid_shapes(session, actor(session, "coordinator"))
    page = build_page(
        PageConfig(
            mode=MODE_CASES,
            grids=grids,
            tiles=tile_config({}),
            texts={"cases_layer": "案件"},
            asset_base="griddesk://local/assets/",
            data_url="griddesk://local/pages/data",
        )
    )
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert sources and all(s.startswith("griddesk://local/assets/") for s in sources), sources
    assert "https://" not in page and "http://" not in page
    for source in sources:
        relative = source.removeprefix("griddesk://local/assets/")
        assert relative == "qt/qwebchannel.js" or asset_path(relative) is not None, relative


def test_rewrite_drops_unknown_remote_assets() -> None:
    page = (
        '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
        '<link rel="stylesheet" href="//example.org/x.css"/>'
    )
    out = rewrite_cdn(page, "griddesk://local/assets/")
    assert out == '<script src="griddesk://local/assets/leaflet/leaflet.js"></script>'


def test_asset_paths_stay_inside_their_package() -> None:
    assert asset_path("leaflet/leaflet.js") == (ASSET_FOLDERS["leaflet"] / "leaflet.js").resolve()
    assert asset_path("leaflet/images/layers.png") is not None
    assert asset_path("griddesk/griddesk_map.js") is not None
    assert asset_path("leaflet/../../../../etc/passwd") is None
    assert asset_path("nothing/leaflet.js") is None


def test_the_data_script_carries_no_text() -> None:
    from services.map.data import CaseLayer

    layer = CaseLayer(ids=["a", "b"], lat=[41.1, 41.2], lon=[123.0, 123.1], cls=[1, 7])
    script = data_script(layer, {"g": (3, 1)}, "t1")
    payload = json.loads(script.removeprefix("GridDesk.setData(").rstrip().removesuffix(");"))
    assert payload["lat"] == [41.1, 41.2] and payload["cls"] == [1, 7]
    assert payload["grids"] == {"g": [3, 1, 3]}
    assert "a" not in payload.get("ids", [])


# ---------------------------------------------------------------- tiles
def _mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], **meta: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);"
    )
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", list({"format": "png", **meta}.items()))
    conn.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", [(*k, v) for k, v in tiles.items()])
    conn.commit()
    conn.close()
    return path


def test_mbtiles_rows_are_flipped(tmp_path: Path) -> None:
    # Stored by TMS rows: at zoom 2, row 0 is the southernmost.
    path = _mbtiles(
        tmp_path / "t.mbtiles",
        {(2, 1, 0): b"south", (2, 1, 3): b"north", (3, 5, 2): b"z3"},
        name="测试",
        bounds="120,30,125,40",
    )
    assert tms_row(2, 0) == 3 and tms_row(3, 5) == 2 and tms_row(0, 0) == 0
    conn = sqlite3.connect(path)
    assert read_tile(conn, 2, 1, 0) == b"north"  # XYZ row 0 is the northernmost
    assert read_tile(conn, 2, 1, 3) == b"south"
    assert read_tile(conn, 3, 5, 5) == b"z3"
    assert read_tile(conn, 2, 1, 1) is None
    assert read_tile(conn, 2, 9, 0) is None  # outside the zoom level
    conn.close()
    info = read_mbtiles_info(path)
    assert (info.name, info.min_zoom, info.max_zoom, info.tile_count) == ("测试", 2, 3, 3)
    assert info.bounds == (120.0, 30.0, 125.0, 40.0)


def test_bad_mbtiles_files_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        read_mbtiles_info(tmp_path / "missing.mbtiles")
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ValidationError, match="not an MBTiles file"):
        read_mbtiles_info(junk)
    empty = _mbtiles(tmp_path / "empty.mbtiles", {})
    with pytest.raises(ValidationError, match="no tiles"):
        read_mbtiles_info(empty)
    pbf = _mbtiles(tmp_path / "v.mbtiles", {(0, 0, 0): b"x"}, format="pbf")
    with pytest.raises(ValidationError, match="pbf"):
        read_mbtiles_info(pbf)


def test_tile_url_templates_are_checked() -> None:
    assert (
        check_url_template(" http://10.0.0.8/t/{z}/{x}/{y}.png ")
        == "http://10.0.0.8/t/{z}/{x}/{y}.png"
    )
    assert check_url_template("https://a/{z}/{x}/{-y}.png").endswith("{-y}.png")
    wmts = "http://gis/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
    assert check_url_template(wmts) == wmts
    assert check_url_template("") == ""
    with pytest.raises(ValidationError, match="http"):
        check_url_template("ftp://x/{z}/{x}/{y}")
    with pytest.raises(ValidationError) as missing:
        check_url_template("http://x/tiles/{z}/{x}.png")
    assert missing.value.params["missing"] == "{y}"


def test_tile_config_for_each_source(tmp_path: Path) -> None:
    assert tile_config({}).plain and tile_config({}).source == SOURCE_NONE
    tianditu = tile_config(
        {"device.tile_source": SOURCE_TIANDITU_VECTOR, "device.tile_key": "abc123"}
    )
    assert len(tianditu.layers) == 2 and tianditu.layers[1].overlay
    assert "tk=abc123" in tianditu.layers[0].url and "vec_w" in tianditu.layers[0].url
    assert "cva_w" in tianditu.layers[1].url
    no_key = tile_config({"device.tile_source": SOURCE_TIANDITU_VECTOR})
    assert no_key.plain and no_key.problem is not None and no_key.problem.field == "device.tile_key"
    custom = tile_config(
        {
            "device.tile_source": SOURCE_URL,
            "device.tile_url": "http://g/{z}/{x}/{y}?k={tk}",
            "device.tile_key": "K1",
        }
    )
    assert custom.layers[0].url == "http://g/{z}/{x}/{y}?k=K1"
    path = _mbtiles(tmp_path / "m.mbtiles", {(14, 1, 1): b"x"}, maxzoom="14")
    mb = tile_config(
        {"device.tile_source": SOURCE_MBTILES, "device.tile_mbtiles": str(path)},
        "griddesk://local/tiles/t/{z}/{x}/{y}.png",
    )
    assert mb.layers[0].url.startswith("griddesk://") and mb.layers[0].max_native_zoom == 14
    broken = tile_config({"device.tile_source": SOURCE_MBTILES, "device.tile_mbtiles": "/nope"})
    assert broken.plain and broken.problem is not None


def test_tile_settings_are_saved_together_or_not_at_all(db: Database, tmp_path: Path) -> None:
    admin = Actor(id="a", role="admin", org_unit_id="")
    with db.session() as session, pytest.raises(ValidationError) as problem:
        save_tile_settings(session, admin, {"device.tile_source": SOURCE_TIANDITU_VECTOR})
    assert problem.value.field == "device.tile_key"
    with db.sessions() as session:
        assert settings.get(session, "device.tile_source") == SOURCE_NONE
    path = _mbtiles(tmp_path / "m.mbtiles", {(1, 0, 0): b"x"})
    with db.session() as session:
        save_tile_settings(
            session, admin, {"device.tile_source": SOURCE_MBTILES, "device.tile_mbtiles": str(path)}
        )
    with db.sessions() as session:
        assert settings.get(session, "device.tile_source") == SOURCE_MBTILES
        assert settings.get(session, "device.tile_mbtiles") == str(path)
    with db.session() as session, pytest.raises(ValidationError):
        settings.put(session, "device.tile_source", "google")
