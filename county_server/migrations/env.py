"""Alembic environment of the county server's own tables (version table
``county_server_alembic_version``); run by :func:`county_server.db.migrate_server`."""

from __future__ import annotations

from alembic import context

from county_server.models import ServerBase

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=ServerBase.metadata,
    version_table="county_server_alembic_version",
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
