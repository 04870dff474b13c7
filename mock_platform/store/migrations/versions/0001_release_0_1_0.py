"""The schema of release 0.1.0, made by `metadata.create_all` before the mock had revisions.

Revision ID: 0001
Revises:
"""

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing: databases of 0.1.0 are stamped with this revision as they are (store/migrate.py)."""
