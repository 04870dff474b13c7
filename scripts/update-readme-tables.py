#!/usr/bin/env python3
"""Regenerate the README tables that come from the code (settings, defects).

tests/test_readme.py fails when they drift; run `.venv/bin/python scripts/update-readme-tables.py`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mock_platform.settings import defects_markdown_table, markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"
TABLES = {"settings-table": markdown_table, "defects-table": defects_markdown_table}


def render(text: str) -> str:
    for name, make in TABLES.items():
        pattern = re.compile(rf"(<!-- {name}: [^\n]*-->\n).*?(\n<!-- end {name} -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md has no <!-- {name}: ... --> / <!-- end {name} --> markers")
        text = pattern.sub(lambda match, make=make: match.group(1) + make() + match.group(2), text)
    return text


if __name__ == "__main__":
    README.write_text(render(README.read_text()))
