"""Small, fast test data: the demo district's reference data (passwords hashed
only for the users a test logs in as) and helpers to make cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.db import Database
from models.tables import User
from services.cases.permissions import Actor
from services.demo.district import demo_reference, demo_user_id
from services.protocol.reference import load_reference
from services.worktime.workdays import SHANGHAI

PASSWORD = "griddesk-demo"


def load_demo_reference(db: Database, *, with_passwords: tuple[str, ...] = ()) -> dict[str, Any]:
    reference = demo_reference()
    for user in reference["users"]:
        if user["username"] not in with_passwords:
            user.pop("password", None)
    with db.session() as session:
        load_reference(session, reference)
    return reference


def actor(session: Session, username: str) -> Actor:
    user = session.get(User, demo_user_id(username))
    assert user is not None, username
    return Actor.from_user(user)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


GRID = "990101001001001"  # 长河街道 朝阳社区 第1网格
OTHER_STREET_GRID = "990101002001001"


def type_text(qtbot: Any, widget: Any, text: str) -> None:
    """Type like a person: key presses for ASCII, an input-method commit for Chinese
    (QTest cannot synthesise non-ASCII key presses)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    run = ""
    for char in text + "\0":
        if char != "\0" and char.isascii():
            run += char
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        if char != "\0":
            widget.setFocus()
            event = QInputMethodEvent()
            event.setCommitString(char)
            QApplication.sendEvent(widget, event)
