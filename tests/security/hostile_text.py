"""Hostile strings a desk or the county may hand us, and a small district whose
cases, events and reference names carry them (as if pulled from the county)."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update

from models.db import DB_FILENAME, Database, open_database
from models.tables import Case, CaseEvent, Department
from models.types import utcnow
from services.cases import actions as case_actions
from services.cases import records as cases_service
from services.demo.district import demo_user_id
from services.worktime.workdays import load_calendar
from tests.builders import GRID, actor

# id → text; the ids name the probes.
HOSTILE: dict[str, str] = {
    "img_file": '<img src="file:///etc/passwd">',
    "fake_heading": '<h1 style="color:red">已结案</h1>',
    "js_link": '<a href="javascript:alert(1)">点此查看</a>',
    "script": "<script>alert('x')</script>",
    "table": "<table><tr><td>伪造</td></tr></table>",
    "entities": "A &amp; B &lt;b&gt; C",
    "formula_eq": '=HYPERLINK("http://e.vil","x")',
    "formula_plus": "+cmd|' /C calc'!A0",
    "formula_minus": "-2+3",
    "formula_at": "@SUM(1+1)",
    "very_long": "长" * 3000 + "A" * 3000,
    "rtl_override": "发票\u202efdp.exe",
    "zero_width": "已\u200b结\u2060案\ufeff",
}
TAGS = ("img_file", "fake_heading", "js_link", "script", "table")
HEADING_TITLE = '<h1 style="color:red">已结案</h1><img src="file:///etc/passwd">'


def shown(text: str) -> str:
    """What a screen shows of ``text``: the hidden controls taken out, nothing else changed."""
    from views.formatting import clean

    return clean(text)


@dataclass
class District:
    db: Database
    data_dir: Path
    cases: dict[str, str]  # hostile id → case id
    department: str  # the department whose name is hostile


def build(reference_template: Path, folder: Path) -> District:
    """The demo reference data with one dispatched case per hostile string: title,
    description, address, a comment, a returned reason and the pushing desk carry
    it; the department ``dept_chengguan`` is named after the tag probe."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(reference_template / DB_FILENAME, folder / DB_FILENAME)
    db = open_database(folder)
    ids: dict[str, str] = {}
    with db.session() as session:
        me = actor(session, "coordinator")
        for key in HOSTILE:
            ids[key] = cases_service.create_case(
                session,
                me,
                title="待替换",
                description="待替换",
                category_code="1503",
                org_unit_id=GRID,
                address="长河街道朝阳社区3号楼",
            ).id
    with db.session() as session:
        calendar = load_calendar(session)
        me = actor(session, "coordinator")
        case_actions.dispatch_cases(
            session, me, calendar, list(ids.values()), "department", "dept_chengguan"
        )
    with db.session() as session:
        now = utcnow()
        for key, text in HOSTILE.items():
            session.execute(
                update(Case)
                .where(Case.id == ids[key])
                .values(title=text, description=text, address=text)
            )
            for kind, data in (("commented", {"text": text}), ("supervised", {"note": text})):
                session.add(
                    CaseEvent(
                        id=str(uuid.uuid4()),
                        case_id=ids[key],
                        type=kind,
                        at=now,
                        actor_id=demo_user_id("coordinator"),
                        data=data,
                        server_seq=None if kind == "supervised" else 10_000 + len(ids),
                        received_at=None if kind == "supervised" else now,
                        pushed_by=None if kind == "supervised" else demo_user_id("coordinator"),
                        pushed_device=None if kind == "supervised" else text,
                        push_protocol=None if kind == "supervised" else "1.1",
                    )
                )
        session.execute(
            update(Department)
            .where(Department.id == "dept_chengguan")
            .values(name=HOSTILE["fake_heading"])
        )
    return District(db, folder, ids, "dept_chengguan")
