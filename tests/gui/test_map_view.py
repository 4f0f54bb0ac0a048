"""The map in a real QWebEngineView, offscreen and with no network: the page
loads from the griddesk: scheme with no JavaScript error, draws every case,
clicks go through the bridge both ways, case text is inert, MBTiles tiles are
served with their rows flipped, and the picker finds the grid of a point."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor
from sqlalchemy import func, select

from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.db import Database
from models.tables import Case, OrgUnit, User
from services import settings as settings_service
from services.cases.permissions import Actor
from services.cases.records import create_case
from services.demo.district import demo_user_id
from services.map.geo import GridLocator
from tests.builders import GRID
from tests.mbtiles_maker import make_mbtiles, tile_xy
from views.map.picker import MapPickerDialog
from views.map.scheme import map_profile
from views.map.tile_settings import TileSettingsBox
from views.map.view import MapView
from views.map.web import MapWebView

pytestmark = pytest.mark.gui

XSS = "<img src=x onerror=alert(1)>"


class Recorder(QWebEngineUrlRequestInterceptor):
    """Every address the web engine asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802
        self.urls.append(info.requestUrl().toString())


@pytest.fixture
def recorder(qapp) -> Any:  # type: ignore[no-untyped-def]
    profile, _content = map_profile()
    rec = Recorder()
    profile.setUrlRequestInterceptor(rec)
    yield rec
    profile.setUrlRequestInterceptor(None)


def settle_background_work() -> None:
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    QThreadPool.globalInstance().waitForDone(30_000)
    QApplication.processEvents()


def make_ctx(db: Database, data_dir: Path, username: str = "coordinator") -> AppContext:
    with db.sessions() as session:
        user = session.get(User, demo_user_id(username))
        assert user is not None
        session.expunge(user)
    return AppContext(db=db, data_dir=data_dir, user=user, prefs=Preferences())


def make_map(qtbot, ctx: AppContext) -> MapView:  # type: ignore[no-untyped-def]
    view = MapView(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    assert view.wait_until_ready(), view.web.map_page.console
    return view


def js(web: MapWebView, code: str) -> Any:
    value = web.evaluate(code)
    return json.loads(value) if isinstance(value, str) else value


def stats(view: MapView) -> dict[str, Any]:
    return dict(js(view.web, "JSON.stringify(GridDesk.stats())"))


def show_all(qtbot, view: MapView) -> None:  # type: ignore[no-untyped-def]
    view.filters.clear()  # the queue's panel: no condition, every case
    view.refresh_data()
    assert view.wait_until_ready()
    qtbot.waitUntil(lambda: stats(view)["token"] == view.data.token)  # type: ignore[union-attr]


def test_page_loads_offline_with_no_javascript_error_and_draws_every_case(
    qtbot, demo_db: Database, demo_dir: Path, recorder: Recorder
) -> None:  # type: ignore[no-untyped-def]
    view = make_map(qtbot, make_ctx(demo_db, demo_dir))
    show_all(qtbot, view)
    assert view.web.map_page.errors() == []
    # Nothing but our own scheme was asked for: no CDN, no tiles from the internet.
    assert recorder.urls and all(u.startswith("griddesk://local/") for u in recorder.urls), [
        u for u in recorder.urls if not u.startswith("griddesk:")
    ]
    assert any("/assets/leaflet/leaflet.js" in u for u in recorder.urls)
    with demo_db.sessions() as session:
        expected = session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.org_unit_id.startswith("990101001"), Case.lat.is_not(None))
        )
        grids = session.scalar(
            select(func.count())
            .select_from(OrgUnit)
            .where(OrgUnit.level == "grid", OrgUnit.id.startswith("990101001"))
        )
    drawn = stats(view)
    assert drawn["total"] == expected == len(view.data.layer) > 100  # type: ignore[union-attr]
    assert drawn["points"] == expected and drawn["clusters"] == 0
    assert drawn["grids"] == grids
    assert view.count_label.text()
    # The legend and the layer switcher are there.
    assert js(view.web, "document.querySelectorAll('.griddesk-legend .legend-row').length") == 13
    layers = js(
        view.web, "document.querySelectorAll('.leaflet-control-layers-overlays label').length"
    )
    assert layers == 3  # grids, heat map, cases


def test_many_points_are_clustered_and_counted(qtbot, demo_db: Database, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    view = make_map(qtbot, make_ctx(demo_db, demo_dir))
    drawn = js(
        view.web,
        """(function () {
            var c = GridDesk.map.getCenter(), lat = [], lon = [], cls = [];
            for (var i = 0; i < 12000; i++) {
                lat.push(c.lat + ((i * 7919) % 1000 - 500) / 40000);
                lon.push(c.lng + ((i * 104729) % 1000 - 500) / 30000);
                cls.push(i % 8);
            }
            GridDesk.expected = null;
            GridDesk.setData({token: "many", lat: lat, lon: lon, cls: cls, grids: {}});
            return JSON.stringify(GridDesk.stats());
        })()""",
    )
    assert drawn["total"] == 12000
    assert drawn["clusters"] > 0 and drawn["points"] == 0
    assert drawn["clustered"] == 12000
    js(view.web, "GridDesk.map.setZoom(18); 1")
    qtbot.waitUntil(lambda: stats(view)["zoom"] == 18 and stats(view)["clusters"] == 0)
    close = stats(view)
    assert close["clusters"] == 0 and 0 < close["points"] < 12000
    assert view.web.map_page.errors() == []


def _topmost_point(view: MapView) -> dict[str, Any]:
    return dict(
        js(
            view.web,
            """(function () {
                var d = GridDesk.cases.drawn, k = d.index.length - 1;
                return JSON.stringify({x: d.x[k], y: d.y[k], index: d.index[k]});
            })()""",
        )
    )


def click_web(qtbot, web: MapWebView, x: float, y: float) -> None:  # type: ignore[no-untyped-def]
    target = web.focusProxy()
    assert target is not None
    point = QPoint(round(x), round(y))
    QTest.mouseMove(target, point)
    qtbot.wait(50)
    QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)


def test_a_click_on_a_case_opens_it_through_the_bridge(
    qtbot, demo_db: Database, demo_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    ctx = make_ctx(demo_db, demo_dir)
    view = make_map(qtbot, ctx)
    point = _topmost_point(view)
    expected = view.data.layer.ids[point["index"]]  # type: ignore[union-attr]
    with qtbot.waitSignal(ctx.events.open_case, timeout=5000) as opened:
        click_web(qtbot, view.web, point["x"], point["y"])
    assert opened.args == [expected]
    assert view.web.map_page.errors() == []


def test_a_click_on_a_grid_shows_its_figures(qtbot, demo_db: Database, demo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    view = make_map(qtbot, make_ctx(demo_db, demo_dir))
    # Click the centre of a grid where no case point lies.
    spot = js(
        view.web,
        """(function () {
            var out = null;
            GridDesk.grids.eachLayer(function (layer) {
                if (out) return;
                var p = GridDesk.map.latLngToContainerPoint(layer.getBounds().getCenter());
                if (!GridDesk.cases.hit(p)) out = {x: p.x, y: p.y, id: layer.feature.properties.id};
            });
            return JSON.stringify(out);
        })()""",
    )
    click_web(qtbot, view.web, spot["x"], spot["y"])
    qtbot.waitUntil(lambda: view.grid_panel.figures is not None, timeout=5000)
    figures = view.grid_panel.figures
    assert figures is not None and figures.id == spot["id"]
    assert view.grid_panel.isVisible()
    assert view.grid_panel.values["open"].text() == str(figures.open_cases)
    assert view.grid_panel.values["closed"].text() == str(figures.closed_in_period)


def test_selecting_a_case_in_the_queue_centres_the_map(
    qtbot, demo_db: Database, demo_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    ctx = make_ctx(demo_db, demo_dir)
    view = make_map(qtbot, ctx)
    with demo_db.sessions() as session:
        case = session.scalars(
            select(Case).where(Case.org_unit_id.startswith("990101001"), Case.lat.is_not(None))
        ).first()
        assert case is not None
    ctx.events.case_selected.emit(case.id)

    def centred() -> bool:
        c = js(view.web, "JSON.stringify(GridDesk.map.getCenter())")
        return abs(c["lat"] - case.lat) < 1e-5 and abs(c["lng"] - case.lon) < 1e-5

    qtbot.waitUntil(centred, timeout=5000)
    assert js(view.web, "GridDesk.map.getZoom()") >= 16


def test_case_text_is_inert_in_the_web_view(
    qtbot, demo_db: Database, demo_dir: Path, recorder: Recorder
) -> None:  # type: ignore[no-untyped-def]
    with demo_db.session() as session:
        coordinator = Actor.from_user(session.get(User, demo_user_id("coordinator")))  # type: ignore[arg-type]
        unit = session.get(OrgUnit, GRID)
        assert unit is not None and unit.center_lat is not None
        code = session.scalar(select(Case.category_code))
        case = create_case(
            session,
            coordinator,
            title=XSS,
            description=XSS,
            category_code=code,  # type: ignore[arg-type]
            org_unit_id=GRID,
            address="<script>alert(2)</script>",
            lat=unit.center_lat,
            lon=unit.center_lon,
        )
        case_id = case.id
    view = make_map(qtbot, make_ctx(demo_db, demo_dir))
    index = view.data.layer.index_of(case_id)  # type: ignore[union-attr]
    assert index is not None
    js(
        view.web,
        "window.__alerted = false; window.alert = function () { window.__alerted = true; }; 1",
    )
    js(
        view.web,
        f"GridDesk.tipKey = 'c{index}'; GridDesk.showCaseSummary({index}, "
        f"L.latLng(GridDesk.data.lat[{index}], GridDesk.data.lon[{index}])); 1",
    )
    qtbot.waitUntil(
        lambda: js(view.web, "document.querySelectorAll('.griddesk-case-tip').length") == 1,
        timeout=5000,
    )
    tip = js(
        view.web,
        """JSON.stringify({
            text: document.querySelector('.griddesk-case-tip').textContent,
            images: document.querySelectorAll('.leaflet-tooltip img').length,
            scripts: document.querySelectorAll('.leaflet-tooltip script').length
        })""",
    )
    assert XSS in tip["text"] and "<script>alert(2)</script>" in tip["text"]
    assert tip["images"] == 0 and tip["scripts"] == 0
    qtbot.wait(200)
    assert js(view.web, "window.__alerted") is False
    assert not [u for u in recorder.urls if u.rstrip("/").endswith("/x")]
    assert view.web.map_page.errors() == []


def test_mbtiles_tiles_are_served_with_the_row_flipped(
    qtbot, demo_db: Database, demo_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "demo.mbtiles"
    make_mbtiles(path, (122.94, 41.06, 123.06, 41.14), range(12, 15))
    with demo_db.session() as session:
        settings_service.put(session, "device.tile_source", "mbtiles")
        settings_service.put(session, "device.tile_mbtiles", str(path))
    view = make_map(qtbot, make_ctx(demo_db, demo_dir))
    assert view.tiles is not None and not view.tiles.plain and view.tiles.problem is None
    qtbot.waitUntil(
        lambda: js(view.web, "document.querySelectorAll('img.leaflet-tile-loaded').length") > 0,
        timeout=8000,
    )
    template = view.tiles.layers[0].url
    z = 13
    x, y = tile_xy(41.1, 123.0, z)  # XYZ: y counted from the north
    conn = sqlite3.connect(path)
    stored = conn.execute(
        "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
        (z, x, (1 << z) - 1 - y),
    ).fetchone()[0]
    conn.close()
    url = template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
    served = js(
        view.web,
        f"""(function () {{
            var r = new XMLHttpRequest();
            r.open('GET', {json.dumps(url)}, false);
            r.overrideMimeType('text/plain; charset=x-user-defined');
            r.send();
            var out = [];
            for (var i = 0; i < r.responseText.length; i++) out.push(r.responseText.charCodeAt(i) & 255);
            return JSON.stringify(out);
        }})()""",
    )
    assert bytes(served) == bytes(stored)
    assert view.web.map_page.errors() == []


def test_a_broken_base_map_setting_falls_back_to_a_plain_background(
    qtbot, demo_db: Database, demo_dir: Path, zh_translations
) -> None:  # type: ignore[no-untyped-def]
    with demo_db.session() as session:
        settings_service.put(session, "device.tile_source", "tianditu_vec")
    view = make_map(qtbot, make_ctx(demo_db, demo_dir))
    assert view.tiles is not None and view.tiles.plain
    assert view.notice.isVisibleTo(view) and "tk" in view.notice.text()
    assert js(view.web, "GridDesk.map.getContainer().classList.contains('griddesk-plain')")


def test_the_picker_finds_the_grid_of_a_clicked_point(
    qtbot, demo_db: Database, demo_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    dialog = MapPickerDialog(make_ctx(demo_db, demo_dir, "reception"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.wait_until_ready()
    with demo_db.sessions() as session:
        unit = session.get(OrgUnit, GRID)
        assert unit is not None
        assert GridLocator.load(session).locate(unit.center_lat, unit.center_lon).id == GRID  # type: ignore[arg-type, union-attr]
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    spot = js(
        dialog.web,
        f"JSON.stringify(GridDesk.map.latLngToContainerPoint([{unit.center_lat}, {unit.center_lon}]))",
    )
    with qtbot.waitSignal(dialog.web.bridge.point_picked, timeout=5000):
        click_web(qtbot, dialog.web, spot["x"], spot["y"])
    assert dialog.grid_id == GRID and ok.isEnabled()
    assert abs(dialog.lat - unit.center_lat) < 1e-4  # type: ignore[operator]
    # Far outside every grid: refused with a reason, OK disabled.
    dialog.pick(39.9, 116.4)
    assert dialog.grid_id is None and not ok.isEnabled()
    assert dialog.status.property("error") is True
    assert dialog.web.map_page.errors() == []


def test_tile_settings_explain_problems_and_save_a_file(
    qtbot, demo_db: Database, demo_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    box = TileSettingsBox(make_ctx(demo_db, demo_dir, "admin"))
    qtbot.addWidget(box)
    box.show()
    box.source.setCurrentIndex(box.source.findData("tianditu_vec"))
    assert box.key.isVisibleTo(box) and not box.url.isVisibleTo(box)
    box.save_button.click()
    assert box.errors["device.tile_key"].isVisibleTo(box)
    with demo_db.sessions() as session:
        assert settings_service.get(session, "device.tile_source") == "none"
    box.source.setCurrentIndex(box.source.findData("url"))
    box.url.setText("http://10.0.0.8/tiles/{z}/{x}.png")
    box.save_button.click()
    assert "{y}" in box.errors["device.tile_url"].text()
    assert box.url.text() == "http://10.0.0.8/tiles/{z}/{x}.png"  # what was typed stays
    path = tmp_path / "t.mbtiles"
    make_mbtiles(path, (122.98, 41.09, 123.02, 41.11), range(13, 14))
    box.source.setCurrentIndex(box.source.findData("mbtiles"))
    box.mbtiles.setText(str(path))
    box.save_button.click()
    assert box.message.property("error") is not True
    with demo_db.sessions() as session:
        assert settings_service.get(session, "device.tile_source") == "mbtiles"
        assert settings_service.get(session, "device.tile_mbtiles") == str(path)
    assert box.wait_until_ready()
    assert box.web.map_page.errors() == []


def test_pick_on_the_map_fills_the_visits_location_and_grid(
    qtbot, demo_db: Database, demo_dir: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QPushButton

    from views.reception.view import ReceptionView

    with demo_db.sessions() as session:
        unit = session.get(OrgUnit, GRID)
        assert unit is not None
        lat, lon = unit.center_lat, unit.center_lon

    def choose(dialog: MapPickerDialog) -> int:
        dialog.show()
        assert dialog.wait_until_ready()
        dialog.pick(lat, lon)  # type: ignore[arg-type]
        return 1

    monkeypatch.setattr(MapPickerDialog, "exec", choose)
    view = ReceptionView(make_ctx(demo_db, demo_dir, "reception"))
    qtbot.addWidget(view)
    settle_background_work()  # the desk's pick lists come from the background
    button = view.findChild(QPushButton, "pickOnMap")
    assert button is not None
    button.click()
    assert (view.form.lat, view.form.lon) == (round(lat, 6), round(lon, 6))  # type: ignore[arg-type]
    assert view.form.place.value() == GRID


def test_the_case_tooltip_shows_up_to_three_local_photos_as_data_uris(
    qtbot, demo_db: Database, demo_dir: Path, recorder: Recorder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    from models.tables import CaseEvent
    from services.attachments.store import write_blob
    from tests.gui.test_attachments_gui import entry, photo

    folder = demo_dir / "attachments"
    files = [
        photo(tmp_path / f"p{i}.jpg", colour, f"照片{i}")
        for i, colour in enumerate(["#8d6e63", "#2e7d32", "#1565c0", "#6a1b9a"])
    ]
    for data in files[:4]:
        write_blob(folder, hashlib.sha256(data).hexdigest(), [data])
    missing = {**entry(b"\xff\xd8\xff not here", "gone.jpg")}
    with demo_db.session() as session:
        coordinator = Actor.from_user(session.get(User, demo_user_id("coordinator")))  # type: ignore[arg-type]
        unit = session.get(OrgUnit, GRID)
        assert unit is not None and unit.center_lat is not None
        case_id = create_case(
            session,
            coordinator,
            title="有照片的案件",
            description="有照片",
            category_code=session.scalar(select(Case.category_code)),  # type: ignore[arg-type]
            org_unit_id=GRID,
            lat=unit.center_lat,
            lon=unit.center_lon,
        ).id
        row = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.type == "created")
        ).one()
        row.data = {
            **row.data,
            "attachments": [missing, *(entry(d, f"p{i}.jpg") for i, d in enumerate(files))],
        }
    view = make_map(qtbot, make_ctx(demo_db, demo_dir))
    index = view.data.layer.index_of(case_id)  # type: ignore[union-attr]
    assert index is not None
    summary = view._summary(index, view.data.token)  # type: ignore[union-attr]
    assert summary is not None and len(summary["photos"]) == 3
    assert all(p.startswith("data:image/jpeg;base64,") for p in summary["photos"])
    js(
        view.web,
        f"GridDesk.tipKey = 'c{index}'; GridDesk.showCaseSummary({index}, "
        f"L.latLng(GridDesk.data.lat[{index}], GridDesk.data.lon[{index}])); 1",
    )
    qtbot.waitUntil(
        lambda: js(view.web, "document.querySelectorAll('.griddesk-case-tip img').length") == 3,
        timeout=5000,
    )
    sizes = js(
        view.web,
        """JSON.stringify(Array.from(document.querySelectorAll('.griddesk-case-tip img'))
            .map(function (i) { return [i.naturalWidth, i.naturalHeight, i.src.slice(0, 5)]; }))""",
    )
    assert all(0 < w <= 120 and 0 < h <= 120 and src == "data:" for w, h, src in sizes)
    # A remote address in the answer is never loaded.
    if os.environ.get("GRIDDESK_SHOTS"):
        qtbot.wait(500)
        view.grab().save(os.environ["GRIDDESK_SHOTS"])
    count = js(
        view.web,
        "GridDesk.caseTooltip({number: 'n', title: 't', state: 's', "
        "photos: ['http://example.com/x.jpg', 'data:image/svg+xml;base64,AAAA', 5]})"
        ".querySelectorAll('img').length",
    )
    assert count == 0
    assert not [u for u in recorder.urls if u.startswith("http")]
    assert view.web.map_page.errors() == []
