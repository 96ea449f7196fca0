"""Run every benchmark and write its section of docs/benchmarks.md (`make bench`).

scale.py, the collect-at-scale benchmark on 2,000 generated reports (with PostgreSQL when a throwaway
cluster can be started), takes about half an hour on two cores; taxii_load.py, Liaison's TAXII server
beside medallion under load, about eight minutes; the others a few minutes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Each benchmark with the options it runs with; every one also gets --write docs/benchmarks.md.
BENCHMARKS = [
    ["typing_layers.py"],
    ["ingest_workers.py"],
    ["taxii_load.py", "--profile"],
    ["scale.py", "--profile"],
]


def main() -> int:
    target = HERE.parent / "docs" / "benchmarks.md"
    for name, *options in BENCHMARKS:
        subprocess.run(
            [sys.executable, str(HERE / name), *options, "--write", str(target)], check=True, cwd=HERE
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
