"""What a library adds to the mock's startup, by `python -X importtime`: median of several runs.

    python -m bench.import_cost [STATEMENT ...] [--base mock_platform.app] [--runs 15] [--python PATH]

Each run starts a fresh interpreter that imports the base module, then runs STATEMENT (an import,
or an import plus the definitions that use it, e.g. "from pydantic import BaseModel; ..."). Two
figures per statement, medians over the runs: the import time `-X importtime` reports for what
the statement imported beyond the base (the cumulative times of the top-level imports after the
base's), and the statement's whole wall time, which also counts work done at first use (schema
building, class creation). The base line gives the base module's own import time. `--python`
runs another interpreter, e.g. a scratch venv with candidate libraries installed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys

# "import time:      1234 |       5678 | name": top-level imports are not indented.
TOP_LEVEL = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \| (\S.*)$")
PROBE = """\
import time
start = time.perf_counter()
import {base}
middle = time.perf_counter()
{statement}
print((time.perf_counter() - middle) * 1e6)
"""


def one_run(python: str, base: str, statement: str) -> tuple[int, int, float]:
    """(base import µs, statement import µs, statement wall µs) in one fresh interpreter."""
    finished = subprocess.run(
        [python, "-X", "importtime", "-c", PROBE.format(base=base, statement=statement)],
        capture_output=True,
        text=True,
        check=True,
    )
    top_level = [
        (match[2], int(match[1])) for line in finished.stderr.splitlines() if (match := TOP_LEVEL.match(line))
    ]
    names = [name for name, _ in top_level]
    after_base = names.index(base) + 1
    base_cost = sum(cumulative for _, cumulative in top_level[:after_base])
    added = sum(cumulative for _, cumulative in top_level[after_base:])
    return base_cost, added, float(finished.stdout.strip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("statements", nargs="*", help='code to measure, e.g. "import msgspec"')
    parser.add_argument("--base", default="mock_platform.app", help="module imported before each statement")
    parser.add_argument("--runs", type=int, default=15, help="interpreters started per statement")
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure")
    args = parser.parse_args(argv)

    bases = []
    print(f"{'added imports ms':>17} {'added wall ms':>14}  statement (after import {args.base})")
    for statement in args.statements or ["pass"]:
        runs = [one_run(args.python, args.base, statement) for _ in range(args.runs)]
        bases += [base for base, _, _ in runs]
        imports = statistics.median(added for _, added, _ in runs) / 1000
        wall = statistics.median(wall for _, _, wall in runs) / 1000
        print(f"{imports:>17.1f} {wall:>14.1f}  {statement}")
    print(f"{args.base} alone: {statistics.median(bases) / 1000:.1f} ms of imports (median of {len(bases)})")


if __name__ == "__main__":
    main()
