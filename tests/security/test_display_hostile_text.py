"""Hostile text on the desk's screens: a title, note, address, desk or department
name pushed by another desk is shown literally — never as a heading, an image
loaded from ``file:///``, a link or a formula — and a very long one does not
stretch the panel. Each probe is one hostile string in one place."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCharts import QBarSet, QChart, QChartView, QHorizontalBarSeries
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QGraphicsTextItem, QLabel, QMessageBox

from desktop.app_settings import Preferences
from desktop.context import AppContext
from models.tables import Case, User
from services.accounts.setup import RESOURCES
from services.demo.district import demo_user_id
from services.map.data import GridShape
from services.map.page import MODE_CASES, PageConfig, build_page
from services.map.tiles import tile_config
from services.reception.receipt import Receipt
from tests.security.hostile_text import HOSTILE, TAGS, District, build
from views.formatting import LINE_LIMIT, TEXT_LIMIT, TITLE_LIMIT, clean, plain, plain_tip
from views.messages import message_box
from views.queue.actions.base import dialog_for
from views.queue.detail import DetailPanel
from views.queue.model import COL_TITLE
from views.reception.receipt import receipt_document, receipt_html
from views.reports.dashboard import AXIS_LABEL_LIMIT, Dashboard

pytestmark = pytest.mark.gui

KEYS = list(HOSTILE)


@pytest.fixture(scope="module")
def district(
    reference_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[District]:
    made = build(reference_template, tmp_path_factory.mktemp("hostile-display") / "data")
    yield made
    made.db.dispose()


def context(district: District, username: str = "coordinator") -> AppContext:
    with district.db.sessions() as session:
        user = session.get(User, demo_user_id(username))
    assert user is not None
    return AppContext(db=district.db, data_dir=district.data_dir, user=user, prefs=Preferences())


@pytest.fixture
def panel(qtbot: Any, district: District) -> DetailPanel:
    widget = DetailPanel(context(district))
    qtbot.addWidget(widget)
    widget.resize(480, 800)
    return widget


def unbroken(text: str) -> str:
    """A label's text without the break opportunities inserted for wrapping."""
    return text.replace("\u200b", "")


def rendered(rich: str) -> QTextDocument:
    """``rich`` laid out as Qt lays out a tooltip or a rich label."""
    document = QTextDocument()
    document.setHtml(rich)
    return document


def assert_literal_in_rich(rich: str, text: str, limit: int | None = None) -> None:
    document = rendered(rich)
    assert clean(text, limit) in document.toPlainText().replace("\u2029", "\n")
    html_out = document.toHtml()
    assert "<img" not in html_out and "<h1" not in html_out and "<a " not in html_out


def labels_showing(widget: Any, text: str) -> list[QLabel]:
    needle = unbroken(clean(text))[:50]
    return [w for w in widget.findChildren(QLabel) if needle in unbroken(w.text())]


# ---------------------------------------------------------------- the detail panel
@pytest.mark.parametrize("key", KEYS)
def test_detail_title_is_plain_and_keeps_the_panel_narrow(
    panel: DetailPanel, district: District, key: str
) -> None:
    panel.show_case(district.cases[key])
    assert panel.detail is not None, panel.title.text()
    assert panel.title.textFormat() == Qt.TextFormat.PlainText
    assert clean(HOSTILE[key], TITLE_LIMIT) in unbroken(panel.title.text())
    # A 6,000-character title wraps inside the panel instead of widening it.
    assert panel.title.minimumSizeHint().width() < 600
    assert panel.minimumSizeHint().width() < 800


@pytest.mark.parametrize("key", KEYS)
def test_detail_fields_show_title_description_and_address_literally(
    panel: DetailPanel, district: District, key: str
) -> None:
    panel.show_case(district.cases[key])
    shown = labels_showing(panel.fields_widget, HOSTILE[key])
    assert len(shown) >= 3  # title, description, address
    for widget in shown:
        assert widget.textFormat() == Qt.TextFormat.PlainText
    texts = [unbroken(w.text()) for w in shown]
    assert clean(HOSTILE[key], TEXT_LIMIT) in texts
    assert clean(HOSTILE[key], LINE_LIMIT) in texts


def test_department_name_from_the_county_is_plain_in_the_assignee_row(
    panel: DetailPanel, district: District
) -> None:
    panel.show_case(district.cases["formula_minus"])
    shown = labels_showing(panel.fields_widget, HOSTILE["fake_heading"])
    assert shown, "the hostile department name is shown as the assignee"
    assert all(w.textFormat() == Qt.TextFormat.PlainText for w in shown)


def test_the_heading_title_renders_no_heading_and_no_image(
    panel: DetailPanel, district: District
) -> None:
    panel.show_case(district.cases["fake_heading"])
    image = panel.title.grab().toImage()
    # Plain text in the default palette: no red pixel of a styled <h1>.
    reds = sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if (c := image.pixelColor(x, y)).red() > 200 and c.green() < 80 and c.blue() < 80
    )
    assert reds == 0
    assert "<h1" in panel.title.text()


# ---------------------------------------------------------------- the timeline
def timeline_rows(panel: DetailPanel) -> list[Any]:
    return [panel.timeline.topLevelItem(i) for i in range(panel.timeline.topLevelItemCount())]


@pytest.mark.parametrize("key", KEYS)
def test_timeline_shows_notes_literally_with_a_plain_tooltip(
    panel: DetailPanel, district: District, key: str
) -> None:
    panel.show_case(district.cases[key])
    rows = [r for r in timeline_rows(panel) if clean(HOSTILE[key])[:50] in r.text(3)]
    assert len(rows) >= 2  # the comment and the supervision note (and the dispatch)
    for row in rows:
        assert clean(HOSTILE[key], TEXT_LIMIT) in row.text(3)
        assert_literal_in_rich(row.toolTip(3), row.text(3), LINE_LIMIT * 4)


@pytest.mark.parametrize("key", KEYS)
def test_timeline_names_the_pushing_desk_literally(
    panel: DetailPanel, district: District, key: str
) -> None:
    panel.show_case(district.cases[key])
    sent = [
        r.child(0).text(0)
        for r in timeline_rows(panel)
        if r.childCount() and r.text(3).startswith("comment")
    ]
    assert len(sent) == 1
    assert sent[0].startswith("Sent by ")
    assert clean(HOSTILE[key], LINE_LIMIT) in sent[0]
    pending = [
        r.child(0).text(0) for r in timeline_rows(panel) if r.text(3).startswith("supervision")
    ]
    assert pending == ["Not yet accepted by the county"]


# ---------------------------------------------------------------- the action dialogs
@pytest.mark.parametrize("key", KEYS)
def test_action_dialog_heading_is_plain(qtbot: Any, district: District, key: str) -> None:
    with district.db.sessions() as session:
        case = session.get(Case, district.cases[key])
        session.expunge(case)
    dialog = dialog_for("comment")(context(district), case, None)
    qtbot.addWidget(dialog)
    assert dialog.heading.textFormat() == Qt.TextFormat.PlainText
    assert clean(HOSTILE[key], TITLE_LIMIT) in unbroken(dialog.heading.text())
    assert dialog.heading.minimumSizeHint().width() < 600


# ---------------------------------------------------------------- tooltips
@pytest.mark.parametrize("key", KEYS)
def test_tooltip_helper_shows_the_text_literally(key: str) -> None:
    assert_literal_in_rich(plain_tip(HOSTILE[key], None), HOSTILE[key])


@pytest.mark.parametrize("key", KEYS)
def test_queue_title_tooltip_is_literal(qtbot: Any, district: District, key: str) -> None:
    from views.queue.view import QueueView

    view = QueueView(context(district))
    qtbot.addWidget(view)
    view.alerts.stop()
    view.wait_until_ready()
    model = view.model
    for row in range(model.rowCount()):
        index = model.index(row, COL_TITLE)
        if model.data(index, Qt.ItemDataRole.UserRole) == district.cases[key]:
            assert model.data(index) == clean(HOSTILE[key], TITLE_LIMIT)
            tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
            assert_literal_in_rich(tip, HOSTILE[key], TITLE_LIMIT)
            return
    raise AssertionError("the case is not in the queue")


# ---------------------------------------------------------------- message boxes
@pytest.mark.parametrize("key", KEYS)
def test_message_box_shows_text_plain(qtbot: Any, key: str) -> None:
    box = message_box(None, "GridDesk", "案件 " + HOSTILE[key] + " 已作废")
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert HOSTILE[key] in box.text()
    assert isinstance(box, QMessageBox)


# ---------------------------------------------------------------- the receipt
def receipt(text: str) -> Receipt:
    return Receipt(
        centre_name=text,
        visit_id="v1",
        at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
        visitor_name=text,
        visitor_phone="138****0000",
        purpose="complaint",
        summary=text,
        outcome="case",
        case_id="c1",
        case_number=text,
        category_name=text,
        place=text,
        deadline=None,
        state=None,
        query_code="ABCD1234",
        clerk_name=text,
    )


@pytest.mark.parametrize("key", KEYS)
def test_receipt_prints_every_field_literally(qtbot: Any, key: str) -> None:
    text = HOSTILE[key]
    document = receipt_document(receipt(text))
    printed = document.toPlainText()
    assert printed.count(clean(text)) >= 6  # centre, number, visitor, request, category, place …
    html_out = document.toHtml()
    assert "<img" not in html_out and "<h1 style" not in html_out.replace('<h1 style=" ', "")
    if key in TAGS:
        assert text not in receipt_html(receipt(text))


# ---------------------------------------------------------------- charts and the overdue list
@pytest.mark.parametrize("key", KEYS)
def test_chart_axis_labels_are_literal(qtbot: Any, key: str) -> None:
    text = HOSTILE[key]
    labels = [text, "城管局", text + "2"]
    axis = Dashboard._category_axis(labels)
    chart = QChart()
    series = QHorizontalBarSeries()
    bars = QBarSet("n")
    bars.append([1.0, 2.0, 3.0])
    series.append(bars)
    chart.addSeries(series)
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis)
    view = QChartView(chart)
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)
    drawn = [
        item.toPlainText() for item in view.scene().items() if isinstance(item, QGraphicsTextItem)
    ]
    # Drawn as the literal text, cut to a label's length (a rich-text label would have
    # lost its tags in toPlainText).
    assert clean(text, AXIS_LABEL_LIMIT) in [d.replace("\u200b", "") for d in drawn]
    assert all(
        "<img" not in item.toHtml()
        for item in view.scene().items()
        if isinstance(item, QGraphicsTextItem) and "img" in item.toPlainText()
    )
    assert len(axis.categories()) == 3


# ---------------------------------------------------------------- the map page
@pytest.mark.parametrize("key", KEYS)
def test_map_page_carries_grid_names_as_data_not_markup(key: str) -> None:
    text = HOSTILE[key]
    grid = GridShape(
        id="g1",
        name=text,
        community=text,
        street=text,
        boundary={
            "type": "Polygon",
            "coordinates": [[[123, 41], [123.1, 41], [123.1, 41.1], [123, 41]]],
        },
    )
    page = build_page(
        PageConfig(
            mode=MODE_CASES,
            grids=[grid],
            tiles=tile_config({}, ""),
            texts={"grids_layer": "网格"},
            asset_base="griddesk://local/assets/",
        )
    )
    if "<" in text:
        assert text not in page  # only ever inside JSON, with "<" as \u003c
    found = re.search(r'"name": ("(?:[^"\\]|\\.)*")', page)
    assert found is not None and json.loads(found.group(1)) == text


def test_map_script_puts_case_text_in_as_text_only() -> None:
    script = (RESOURCES / "map" / "griddesk_map.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "bindPopup("):
        assert sink not in script
    assert "node.textContent = String(text)" in script


def test_plain_escapes_for_rich_contexts() -> None:
    assert plain('<a href="x">&</a>\n2') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;<br>2"
    assert plain("a\u202eb\u200bc") == "abc"
    assert plain_tip("") == ""
