"""First start of an empty database, one of two ways:

* **join the county** (:func:`join_county`): log in to the county server with a
  county account; that person, their org unit chain and the reference data come
  down with the first pull, and the desk keeps the server's address;
* **without network** (:func:`first_run_setup`): the centre's org units, the
  default reference data and the first administrator, in one transaction, with
  the desk code the county reserved for this desk (``python -m county_server
  desk-code``) when there is one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.db import Database
from models.enums import OrgLevel, Role
from models.tables import OrgUnit, SyncState, User
from services import settings as settings_service
from services.accounts.auth import check_password_strength, create_user
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.protocol.reference import load_reference

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def default_categories() -> list[dict[str, Any]]:
    return list(json.loads((RESOURCES / "categories.json").read_text(encoding="utf-8")))


def default_departments(county_code: str) -> list[dict[str, Any]]:
    items = json.loads((RESOURCES / "departments.json").read_text(encoding="utf-8"))
    return [{**item, "org_unit_id": county_code} for item in items]


def needs_first_run(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(User))


DESK_CODE_STATE = "desk_code"  # the sync state row the case numbers read (cases.records)


def check_desk_code(text: str) -> str | None:
    """A desk code typed at the first start: two digits from 01 to 99, or nothing."""
    code = text.strip()
    if not code:
        return None
    if len(code) != 2 or not code.isdigit() or code == "00":
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "The desk code has two digits, 01 to 99, as the county gave it; "
                "leave it empty if you have none.",
            ),
            field="desk_code",
        )
    return code


def _put_desk_code(session: Session, code: str) -> None:
    row = session.get(SyncState, DESK_CODE_STATE)
    if row is None:
        session.add(SyncState(key=DESK_CODE_STATE, value=code))
    else:
        row.value = code


def check_join(server_url: str, username: str, password: str) -> tuple[str, str]:
    """What "join the county" needs typed: the server's address (http:// or https://),
    a username and a password. Returns the address and username as they will be used."""
    if not server_url.strip():
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services",
                "Enter the county server's address, e.g. https://county.example:8443.",
            ),
            field="server_url",
        )
    try:
        address = str(settings_service.validate("device.server_url", server_url))
    except ValidationError as exc:
        exc.field = "server_url"
        raise
    if not username.strip():
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Enter your username."), field="username"
        )
    if not password:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Enter your password."), field="password"
        )
    return address, username.strip()


def join_county(db: Database, *, server_url: str, username: str, password: str) -> User:
    """A fresh desk joins the county: ``username`` logs in to the server at ``server_url``.

    The login brings down that person (kept with a hash of the password for the
    next, offline, login), their org unit chain and the reference data; the
    desk keeps the address and makes the person's unit its home. Raises
    :class:`ValidationError` for a missing field or a bad address and the
    :class:`~services.sync.errors.SyncError` kinds for what the county answers;
    the desk then still needs its first start. Blocking: run it off the GUI thread.
    """
    from services.sync.blocking import login_blocking

    server_url, username = check_join(server_url, username, password)
    with db.session() as session:
        if not needs_first_run(session):
            raise ValidationError(QT_TRANSLATE_NOOP("services", "This database is already set up."))
        settings_service.put(session, "device.server_url", server_url)
        settings_service.device_id(session)
        settings_service.visitor_hash_key(session)
    try:
        user = login_blocking(db, username, password)
    except BaseException:
        with db.session() as session:
            if needs_first_run(session):
                settings_service.put(session, "device.server_url", "")
        raise
    with db.session() as session:
        home = user.org_unit_id or ""
        unit = session.get(OrgUnit, home) if home else None
        settings_service.put(session, "device.home_org_unit_id", home)
        if unit is not None and not settings_service.get(session, "centre_name"):
            settings_service.put(session, "centre_name", unit.name)
    return user


@dataclass(frozen=True)
class UnitInput:
    code: str
    name: str


def _check_unit(
    unit: UnitInput, level: str, length: int, parent: UnitInput | None, field: str
) -> None:
    code = unit.code.strip()
    if len(code) != length or not code.isdigit():
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "The code must have exactly {length} digits; you typed {typed}."
            ),
            field=f"{field}_code",
            length=length,
            typed=len(code),
        )
    if parent is not None and not code.startswith(parent.code.strip()):
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "The code must start with the code above it ({parent})."),
            field=f"{field}_code",
            parent=parent.code.strip(),
        )
    if not unit.name.strip():
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Enter the name."), field=f"{field}_name"
        )


def first_run_setup(
    session: Session,
    *,
    county: UnitInput,
    street: UnitInput,
    community: UnitInput | None,
    centre_name: str,
    admin_username: str,
    admin_display_name: str,
    admin_password: str,
    admin_password_again: str,
    desk_code: str = "",
) -> User:
    """Create the home org units, load the default categories and departments,
    and create the administrator; keep the desk code the county reserved for this
    desk, if one is given. Refuses if any user exists already."""
    if not needs_first_run(session):
        raise ValidationError(QT_TRANSLATE_NOOP("services", "This database is already set up."))
    _check_unit(county, OrgLevel.COUNTY, 6, None, "county")
    _check_unit(street, OrgLevel.STREET, 9, county, "street")
    if community is not None and (community.code.strip() or community.name.strip()):
        _check_unit(community, OrgLevel.COMMUNITY, 12, street, "community")
    else:
        community = None
    if admin_password != admin_password_again:
        raise ValidationError(
            QT_TRANSLATE_NOOP(
                "services", "The two passwords differ; type the same password twice."
            ),
            field="password_again",
        )
    check_password_strength(admin_password)
    code = check_desk_code(desk_code)
    units: list[dict[str, Any]] = [
        {
            "id": county.code.strip(),
            "parent_id": None,
            "level": "county",
            "name": county.name.strip(),
        },
        {
            "id": street.code.strip(),
            "parent_id": county.code.strip(),
            "level": "street",
            "name": street.name.strip(),
        },
    ]
    if community is not None:
        units.append(
            {
                "id": community.code.strip(),
                "parent_id": street.code.strip(),
                "level": "community",
                "name": community.name.strip(),
            }
        )
    load_reference(
        session,
        {
            "org_units": units,
            "departments": default_departments(county.code.strip()),
            "categories": default_categories(),
        },
    )
    home = units[-1]["id"]
    admin = create_user(
        session,
        username=admin_username,
        password=admin_password,
        display_name=admin_display_name,
        role=Role.ADMIN,
        org_unit_id=home,
    )
    settings_service.put(session, "device.home_org_unit_id", home)
    settings_service.put(session, "centre_name", centre_name.strip() or units[-1]["name"])
    settings_service.device_id(session)
    settings_service.visitor_hash_key(session)
    if code is not None:
        _put_desk_code(session, code)
    return admin
