"""The README's generated tables match the code, and it opens with the two commands."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generated_tables_are_current():
    spec = importlib.util.spec_from_file_location(
        "update_readme", ROOT / "scripts" / "update-readme-tables.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (ROOT / "README.md").read_text()
    assert module.render(text) == text, (
        "README tables are stale: run .venv/bin/python scripts/update-readme-tables.py"
    )


def test_readme_opens_with_make_run_and_make_test():
    lines = (ROOT / "README.md").read_text().splitlines()
    fence = lines.index("```sh")
    assert lines[fence + 1].startswith("make run") and lines[fence + 2].startswith("make test")
