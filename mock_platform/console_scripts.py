"""Where this installation's `mock-platform` and `platform-auth` are, when a shell would not find them.

`make run` starts `.venv/bin/mock-platform` without activating the venv, so in a new shell the README's
`platform-auth ...` lines answer "command not found". The banner and the dev console then say how to
activate it.
"""

from __future__ import annotations

import os
import shutil
import sysconfig
from pathlib import Path


def activation_command() -> str | None:
    """`. .venv/bin/activate` when PATH does not lead to this installation's scripts; None when it does."""
    scripts = Path(sysconfig.get_path("scripts"))
    installed = scripts / "platform-auth"
    activate = scripts / "activate"
    if not installed.exists() or not activate.exists():
        return None
    found = shutil.which("platform-auth")
    if found is not None and Path(found).resolve() == installed.resolve():
        return None
    return f". {_shown(activate)}"


def _shown(path: Path) -> str:
    """Relative to the working directory when under it (`.venv/bin/activate`), else absolute."""
    try:
        return str(path.relative_to(Path(os.getcwd())))
    except ValueError:
        return str(path)
