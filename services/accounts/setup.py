"""First start of an empty database: the centre's org units, the default
reference data and the first administrator, in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.enums import OrgLevel, Role
from models.tables import User
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
) -> User:
    """Create the home org units, load the default categories and departments,
    and create the administrator. Refuses if any user exists already."""
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
    return admin
