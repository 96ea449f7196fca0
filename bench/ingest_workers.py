"""Benchmark: `liaison ingest` into SQLite with 1 and 2 extraction workers on the same 200 reports.

The reports are the demo corpus's text and Markdown files, copied with a numbered sentence appended so
that each is a distinct report. Each configuration runs ``--runs`` times on a fresh store; medians.

    .venv/bin/python bench/ingest_workers.py [--runs 3] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from typing_layers import write_section

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Ingest with 1 and 2 workers"
REPORTS = 200


def make_corpus(directory: Path) -> int:
    sources = [p for p in sorted((ROOT / "examples" / "reports").iterdir()) if p.suffix in (".md", ".txt")]
    words = 0
    for number in range(REPORTS):
        template = sources[number % len(sources)]
        target = directory / f"{number:03d}{template.suffix}"
        shutil.copy(template, target)
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"\nThis is copy number {number} of the report.\n")
        words += len(target.read_text("utf-8").split())
    return words


def ingest(corpus: Path, workers: int, scratch: Path) -> float:
    database = scratch / f"w{workers}-{time.monotonic_ns()}.db"
    command = [
        str(ROOT / ".venv" / "bin" / "liaison"),
        "--db",
        f"sqlite:///{database}",
        "ingest",
        str(corpus),
        "--workers",
        str(workers),
        "--json",
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env={**os.environ})
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        corpus = scratch / "corpus"
        corpus.mkdir()
        words = make_corpus(corpus)
        times = {w: [ingest(corpus, w, scratch) for _ in range(args.runs)] for w in (1, 2)}
    one, two = statistics.median(times[1]), statistics.median(times[2])
    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python bench/ingest_workers.py --runs {args.runs} --write docs/benchmarks.md`",
        f"{REPORTS} reports ({words:,} words), a fresh SQLite store per run, whole command timed (start-up "
        f"and model loading included). {os.cpu_count()} cores.",
        "",
        "| workers | median seconds | reports/s | words/s |",
        "|---:|---:|---:|---:|",
        f"| 1 | {one:.1f} | {REPORTS / one:.1f} | {words / one:,.0f} |",
        f"| 2 | {two:.1f} | {REPORTS / two:.1f} | {words / two:,.0f} |",
        "",
        f"Speed-up with 2 workers: **{one / two:.2f}×**. All runs (s): 1 worker "
        f"{', '.join(f'{t:.1f}' for t in times[1])}; 2 workers {', '.join(f'{t:.1f}' for t in times[2])}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(args.write, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
