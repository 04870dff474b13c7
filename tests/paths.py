"""The repository's root, for tests in any directory of tests/ (they move; the root does not)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
