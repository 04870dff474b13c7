"""Alembic's entry point: migrate on the connection `mock_platform.store.migrate` hands over.

That connection is already inside the write transaction that holds the migration lock, so Alembic
starts no transaction of its own and everything commits (or rolls back) together.
"""

from alembic import context

from mock_platform.store.schema import metadata

context.configure(connection=context.config.attributes["connection"], target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
