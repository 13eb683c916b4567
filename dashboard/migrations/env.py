"""Alembic's entry point for the dashboard's schema (``python -m dashboard db upgrade``).

The connection comes from ``dashboard.postgres.upgrade``; there is no alembic.ini,
so no URL (and no password) is written to any file.
"""
from alembic import context

from dashboard.postgres import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
