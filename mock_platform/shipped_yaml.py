"""The YAML files shipped in mock_platform/data/, parsed by libyaml where PyYAML was built with it.

PyYAML's pure-Python parser took ~6 ms of every app start for the two seed files (every fresh test
server pays it); libyaml gives the same documents in a tenth of that. Files users write (the config
file, Co-Scientist scripts) keep the pure-Python parser, whose error messages the mock quotes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_shipped_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506 (a safe loader)
