"""Benchmark: building and loading the map for 50,000 cases, against folium's
plain approach (one ``folium.Marker`` per case) measured in the same run.

    python -m pytest tests/benchmarks/bench_map.py -s

The demo district with 50,000 cases is made once under /tmp (about two
minutes) and reused. Both pages load offline through the griddesk: scheme in
a real QWebEngineView; each is timed from the database query until the page
has drawn every case.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import folium
import pytest
from PySide6.QtCore import QEventLoop, QTimer
from sqlalchemy import select

from models.db import open_database
from models.tables import Case, User
from services.cases.permissions import Actor
from services.cases.queue import QueueFilter
from services.cases.queue_clauses import scope_clause
from services.demo.district import demo_user_id
from services.map.data import case_layer, grid_counts, grid_shapes
from services.map.page import OfflineMap, _grid_features, rewrite_cdn
from views.map.pages import build_html
from views.map.scheme import ASSET_BASE
from views.map.web import MapWebView

CASES = int(os.environ.get("GRIDDESK_BENCH_MAP_CASES", "50000"))
FOLDER = Path(f"/tmp/griddesk-bench-map-{CASES}")


@pytest.fixture(scope="module")
def big_db():  # type: ignore[no-untyped-def]
    if not (FOLDER / "griddesk.sqlite3").exists():
        from services.demo.generator import seed_demo

        FOLDER.mkdir(parents=True, exist_ok=True)
        database = open_database(FOLDER)
        started = time.perf_counter()
        seed_demo(database, cases=CASES)
        print(f"\nseeded {CASES:,} cases in {time.perf_counter() - started:.0f} s")
        database.dispose()
    database = open_database(FOLDER)
    yield database
    database.dispose()


class _Ctx:
    def __init__(self, db, user: User) -> None:  # type: ignore[no-untyped-def]
        self.db = db
        self.user = user

    @property
    def actor(self) -> Actor:
        return Actor.from_user(self.user)


def _wait(web: MapWebView, predicate, timeout_s: float = 2400) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout_s
    loop = QEventLoop()
    while not predicate():
        assert time.perf_counter() < deadline, "the page did not finish in time"
        QTimer.singleShot(20, loop.quit)
        loop.exec()


@pytest.mark.timeout(3000)
def test_map_for_many_cases_against_one_marker_per_case(qapp, big_db) -> None:  # type: ignore[no-untyped-def]
    with big_db.sessions() as session:
        user = session.get(User, demo_user_id("admin"))
        session.expunge(user)
    ctx = _Ctx(big_db, user)
    actor = ctx.actor
    flt = QueueFilter()

    # ---- ours: compact data script + canvas layer
    web = MapWebView()
    web.resize(1280, 800)
    web.show()
    started = time.perf_counter()
    now = datetime.now(UTC)
    with big_db.sessions() as session:
        layer = case_layer(session, actor, flt, now)
        counts = grid_counts(session, actor, flt, now)
    from services.map.page import MODE_CASES, data_script
    from services.map.tiles import TileConfig

    token = "bench"
    url = web.publish_data(data_script(layer, counts, token))
    html = build_html(ctx, MODE_CASES, TileConfig(), data_url=url, data_token=token)
    built = time.perf_counter()
    web.show_page(html, expected_token=token)
    assert web.wait_until_ready(300_000)
    ours = time.perf_counter() - started
    stats = web.evaluate("JSON.stringify(GridDesk.stats())")
    redraw_ms = web.evaluate(
        "(function(){var t=performance.now(); for (var i=0;i<5;i++) GridDesk.cases.redraw();"
        " return (performance.now()-t)/5;})()"
    )
    assert web.map_page.errors() == []
    print(
        f"\nours: {len(layer):,} cases, page {len(html) / 1e6:.2f} MB + data "
        f"{len(web.content._documents[url.rsplit('/', 1)[1]][0]) / 1e6:.2f} MB, "
        f"built in {built - started:.2f} s, ready in {ours:.2f} s; drawn {stats}; "
        f"one redraw (pan/zoom) {redraw_ms:.0f} ms"
    )
    web.close()
    web.deleteLater()

    # ---- baseline: folium, one Marker per case
    base = MapWebView()
    base.resize(1280, 800)
    base.show()
    started = time.perf_counter()
    with big_db.sessions() as session:
        rows = session.execute(
            select(Case.lat, Case.lon).where(scope_clause(actor), Case.lat.is_not(None))
        ).all()
        grids = grid_shapes(session, actor)
    fmap = OfflineMap(location=[41.1, 123.0], zoom_start=14, tiles=None, prefer_canvas=True)
    folium.GeoJson(_grid_features(grids)).add_to(fmap)
    for lat, lon in rows:
        folium.Marker([lat, lon]).add_to(fmap)
    page = rewrite_cdn(fmap.get_root().render(), ASSET_BASE)
    baseline_built = time.perf_counter()
    print(f"baseline page built in {baseline_built - started:.1f} s", flush=True)
    loaded: list[bool] = []
    base.loadFinished.connect(loaded.append)
    base.show_page(page)
    _wait(base, lambda: bool(loaded))
    markers = base.evaluate("document.querySelectorAll('.leaflet-marker-icon').length")
    baseline = time.perf_counter() - started
    print(
        f"baseline (folium.Marker per case): {len(rows):,} markers, page {len(page) / 1e6:.1f} MB, "
        f"built in {baseline_built - started:.1f} s, loaded in {baseline:.1f} s; "
        f"{markers:,} marker elements in the page"
    )
    assert markers == len(rows) == len(layer)
    base.close()
    base.deleteLater()
    print(
        f"RATIO baseline / ours = {baseline / ours:.1f}× faster (build and load, {CASES:,} cases)"
    )
