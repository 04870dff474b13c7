"""The Co-Scientist backend's tables: sessions, their messages, streamed events, tool calls, control state.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("organization_id", sa.BigInteger),
        sa.Column("cwd", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ai_sessions_owner", "ai_sessions", ["user_id", "updated_at"])
    op.create_table(
        "ai_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("ai_sessions.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_ai_messages_session_id", "ai_messages", ["session_id"])
    op.create_table(
        "ai_events",
        sa.Column("session_id", sa.String(36), sa.ForeignKey("ai_sessions.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("event", sa.JSON, nullable=False),
        sa.Column("ready_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("session_id", "seq"),
    )
    op.create_table(
        "ai_tool_calls",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("ai_sessions.id"), nullable=False),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("continuation", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON),
        sa.Column("closed_at", sa.Float),
    )
    op.create_index("ix_ai_tool_calls_session_id", "ai_tool_calls", ["session_id"])
    op.create_table(
        "ai_control",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("credits", sa.BigInteger),
        sa.Column("script", sa.JSON),
    )
