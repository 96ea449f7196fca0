"""Run every benchmark and write its section of docs/benchmarks.md (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["typing_layers.py", "ingest_workers.py"]


def main() -> int:
    target = HERE.parent / "docs" / "benchmarks.md"
    for name in BENCHMARKS:
        subprocess.run([sys.executable, str(HERE / name), "--write", str(target)], check=True, cwd=HERE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
