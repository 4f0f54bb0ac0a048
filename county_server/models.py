"""The county server's own tables: devices, access tokens, login throttling,
the change feed and the blob store's records. They live next to the shared tables of :mod:`models.tables`
(same database) but have their own metadata and their own Alembic history
(``county_server/migrations``, version table ``county_server_alembic_version``),
so the desktop's schema never carries them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.tables import SeqType
from models.types import UTCDateTime, utcnow


class ServerBase(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}


class Device(ServerBase):
    """A desktop that logged in: its id (chosen by the desktop) and name, and the
    desk code the county gave it (docs/protocol.md), unique among the desks of its street."""

    __tablename__ = "srv_devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[str | None] = mapped_column(String(36))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    street: Mapped[str | None] = mapped_column(String(9))
    desk_code: Mapped[str | None] = mapped_column(String(2))

    __table_args__ = (UniqueConstraint("street", "desk_code", name="uq_srv_devices_desk_code"),)


class AccessToken(ServerBase):
    """A bearer token; only its SHA-256 is stored, so a copy of the database logs nobody in.

    ``refresh_hash`` names the refresh token issued with it, so that logging
    out ends the pair.
    """

    __tablename__ = "srv_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    device_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), index=True)


class RefreshToken(ServerBase):
    """A device-bound refresh token (docs/protocol.md): one user on one desk, at most 30 days.

    Each use replaces it by a new one (rotation); a used or revoked one is refused.
    """

    __tablename__ = "srv_refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    device_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_reason: Mapped[str | None] = mapped_column(String(20))


class LoginThrottle(ServerBase):
    """Failed logins per account (``acct:<name>``) and per address and account
    (``pair:<address>|<name>``), for existing and unknown names alike."""

    __tablename__ = "srv_login_throttle"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column()


class Change(ServerBase):
    """One entry of the change feed (docs/protocol.md "Pull: the feed").

    ``seq`` is assigned while the transaction holds the feed lock (see
    :mod:`county_server.feed`), so it follows the order of commits. ``scope``
    is the org unit whose subtree may see the change; ``None`` for reference
    data, which everybody sees.
    """

    __tablename__ = "srv_changes"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))
    item_id: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_srv_changes_scope_seq", "scope", "seq"),)


class CaseScope(ServerBase):
    """Every key a case has been visible to: org units (its own, escalated to,
    dispatched to), ``d:<department id>`` and ``u:<grid worker id>``."""

    __tablename__ = "srv_case_scopes"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope: Mapped[str] = mapped_column(String(60), primary_key=True)


class Blob(ServerBase):
    """A file of the blob store (docs/protocol.md "Blobs"), held under its SHA-256 in the
    blob folder (:mod:`county_server.blobs`). A row exists only once the file was checked and
    renamed into place; blobs are never deleted."""

    __tablename__ = "srv_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(40))
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by: Mapped[str | None] = mapped_column(String(36))


class BlobHolder(ServerBase):
    """Who proved to hold a blob's bytes by uploading them (first time or again): a user
    or a desk may name a blob in an event only if they uploaded it or may read it already,
    so knowing a hash alone never opens a file."""

    __tablename__ = "srv_blob_holders"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class BlobRef(ServerBase):
    """An accepted event that names a blob in ``data.attachments``: who may see the case
    (``srv_case_scopes``) may read the blob."""

    __tablename__ = "srv_blob_refs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
