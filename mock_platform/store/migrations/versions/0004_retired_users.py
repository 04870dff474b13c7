"""The ids of users deleted from the directory, never given to a new user.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retired_users",
        sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("retired_at", sa.Float, nullable=False),
    )
