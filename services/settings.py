"""Settings kept in the database, with their defaults and checks.

Two kinds: the county's settings (office hours, score weights, retention …),
which the county server distributes and the sync replaces, and this device's
own settings (keys starting with ``device.``), which never leave the machine
and which a pull never overwrites.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import Setting
from services.audit import audit
from services.cases.permissions import Actor, Permission, require
from services.errors import ValidationError
from services.i18n import QT_TRANSLATE_NOOP
from services.map import tiles
from services.worktime.workdays import OfficeHours

DEVICE_PREFIX = "device."
BULLETIN_ISSUER = "bulletin.issuer"
BULLETIN_REVIEWER = "bulletin.reviewer"
BULLETIN_SIGNER = "bulletin.signer"

DEFAULT_WEIGHTS: dict[str, float] = {
    "on_time": 0.4,
    "closure": 0.2,
    "satisfaction": 0.2,
    "ack": 0.2,
    "rework_penalty": 0.5,
}


def _office_hours(value: Any) -> Any:
    return OfficeHours.parse(value).to_setting()


def _positive_int(key: str, low: int, high: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < low or number > high or (isinstance(value, float) and not value.is_integer()):
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                    "services", "{setting} must be a whole number from {low} to {high}."
                ),
                field=key,
                setting=key,
                low=low,
                high=high,
            )
        return number

    return check


def _weights(value: Any) -> Any:
    if not isinstance(value, dict) or set(value) - set(DEFAULT_WEIGHTS):
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Score weights need the keys {keys}."),
            field="score_weights",
            keys=", ".join(DEFAULT_WEIGHTS),
        )
    merged = {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in value.items()}}
    if any(v < 0 for v in merged.values()):
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "Score weights cannot be negative."),
            field="score_weights",
        )
    rates = sum(merged[k] for k in ("on_time", "closure", "satisfaction", "ack"))
    if abs(rates - 1.0) > 1e-6:
        raise ValidationError(
            QT_TRANSLATE_NOOP("services", "The four rate weights must add up to 1 (now {total})."),
            field="score_weights",
            total=round(rates, 3),
        )
    return merged


def _url(key: str, *, allow_empty: bool = True) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        text = str(value or "").strip()
        if not text and allow_empty:
            return ""
        parsed = urlparse(text)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                    "services",
                    "Enter a full address starting with http:// or https://, for example {example}.",
                ),
                field=key,
                example="https://county.example:8443",
            )
        return text.rstrip("/")

    return check


def _text(value: Any) -> Any:
    return str(value or "").strip()


def _bool(value: Any) -> Any:
    return bool(value)


def _line(key: str, limit: int) -> Callable[[Any], Any]:
    """One line of text printed in an export (the bulletin's 落款), at most ``limit`` characters."""

    def check(value: Any) -> Any:
        text = " ".join(str(value or "").split())
        if len(text) > limit:
            raise ValidationError(
                QT_TRANSLATE_NOOP(
                    "services", "{setting} is {length} characters long; shorten it to {limit}."
                ),
                field=key,
                setting=key,
                length=len(text),
                limit=limit,
            )
        return text

    return check


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: Any
    check: Callable[[Any], Any]


SPECS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("office_hours", OfficeHours().to_setting(), _office_hours),
        SettingSpec("score_weights", dict(DEFAULT_WEIGHTS), _weights),
        SettingSpec("retention_years", 3, _positive_int("retention_years", 1, 30)),
        SettingSpec("urgent_ack_hours", 2, _positive_int("urgent_ack_hours", 1, 48)),
        SettingSpec("centre_name", "", _text),
        # Files of cases closed (or voided) longer ago are not downloaded (services.sync.blobs).
        SettingSpec(
            "attachments.keep_closed_days",
            90,
            _positive_int("attachments.keep_closed_days", 0, 3650),
        ),
        SettingSpec("device.server_url", "", _url("device.server_url")),
        SettingSpec("device.proxy", "", _url("device.proxy")),
        SettingSpec("device.ca_file", "", _text),
        SettingSpec("device.verify_tls", True, _bool),
        SettingSpec("device.id", "", _text),
        SettingSpec("device.name", "", _text),
        SettingSpec("device.home_org_unit_id", "", _text),
        SettingSpec("device.visitor_hash_key", "", _text),
        SettingSpec("device.tile_url", "", tiles.check_url_template),
        SettingSpec("device.tile_mbtiles", "", tiles.check_mbtiles_path),
        SettingSpec("device.tile_source", tiles.SOURCE_NONE, tiles.check_source),
        SettingSpec("device.tile_key", "", tiles.check_key),
        SettingSpec("device.last_purge_date", "", _text),
        SettingSpec("device.sync_deadline", 600, _positive_int("device.sync_deadline", 10, 86400)),
        # The bulletin's 落款 (services.reports.bulletin, services.reports.notice); the issuer
        # falls back to centre_name, then to the scope's name.
        SettingSpec(BULLETIN_ISSUER, "", _line(BULLETIN_ISSUER, 60)),
        SettingSpec(BULLETIN_REVIEWER, "", _line(BULLETIN_REVIEWER, 30)),
        SettingSpec(BULLETIN_SIGNER, "", _line(BULLETIN_SIGNER, 30)),
    )
}


def get(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    if row is not None:
        return row.value
    spec = SPECS.get(key)
    return spec.default if spec is not None else None


def get_all(session: Session) -> dict[str, Any]:
    values = {key: spec.default for key, spec in SPECS.items()}
    values.update({row.key: row.value for row in session.scalars(select(Setting))})
    return values


def validate(key: str, value: Any) -> Any:
    spec = SPECS.get(key)
    return spec.check(value) if spec is not None else value


def put(session: Session, key: str, value: Any) -> Any:
    """Store a checked value without a permission check (start-up, sync, demo)."""
    value = validate(key, value)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    return value


def change(session: Session, actor: Actor, key: str, value: Any) -> Any:
    """A person changes a setting: permission-checked and written to the audit log.

    A device's own connection settings may be changed by anybody who syncs;
    the county's settings need the settings permission.
    """
    if not key.startswith(DEVICE_PREFIX) or key == "device.visitor_hash_key":
        require(actor, Permission.MANAGE_SETTINGS)
    old = get(session, key)
    new = put(session, key, value)
    if old != new:
        audit(session, actor, "setting_changed", "setting", key, old=old, new=new)
    return new


def device_id(session: Session) -> str:
    """This installation's id, made on first use."""
    value = get(session, "device.id")
    if not value:
        value = str(uuid.uuid4())
        put(session, "device.id", value)
    return str(value)


def visitor_hash_key(session: Session) -> str:
    """The secret key of the visitor look-up hashes, made on first use."""
    from services.reception.identity import new_hash_key

    value = get(session, "device.visitor_hash_key")
    if not value:
        value = new_hash_key()
        put(session, "device.visitor_hash_key", value)
    return str(value)
