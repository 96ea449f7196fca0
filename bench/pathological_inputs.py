"""Pathological reports: what each extraction stage costs as they grow, and how long the time cap lets one
hold a worker.

    .venv/bin/python bench/pathological_inputs.py stages --sizes 2000,4000,8000
    .venv/bin/python bench/pathological_inputs.py cap --seconds 10

``stages`` times the parse and Liaison's reading of each kind of input at each size (in tokens, roughly)
and names the slowest stages: a stage whose time grows fourfold when the input doubles is quadratic.
``cap`` extracts one input of about a megabyte of each kind under ``LIAISON_MAX_REPORT_SECONDS`` and prints
how long the report held the worker and what came of it (a ``ReportTimeout`` naming it, normally).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from liaison.domain import Report
from liaison.extract import pipeline
from liaison.settings import Settings

STAGES = [
    "group_candidates",
    "extract_roles",
    "build_events",
    "extract_claims",
    "find_times",
    "find_topics",
    "find_markers",
    "find_acronyms",
    "infer_dct",
    "language_blocks",
    "match_known_names",
    "split_sentences",
]
SYLLABLES = ["ka", "ro", "be", "lin", "tu", "sa", "mor", "vek", "dal", "ni", "po", "zar", "qui", "len", "har"]
WORDS = ["the", "report", "group", "border", "area", "moved", "local", "forces", "near"]
CAP_SIZES = {
    "no_punct": 100_000,
    "names": 150_000,
    "said_chain": 150_000,
    "numbers": 200_000,
    "dates": 200_000,
    "attacks": 150_000,
    "caps": 150_000,
}


class Generator:
    """Made-up text of each pathological kind, about ``tokens`` tokens long; seeded, so runs compare."""

    def __init__(self) -> None:
        self.random = random.Random(7)

    def name(self) -> str:
        first = "".join(self.random.choice(SYLLABLES) for _ in range(2)).capitalize()
        return first + " " + "".join(self.random.choice(SYLLABLES) for _ in range(3)).capitalize()

    def words(self, count: int) -> str:
        return " ".join(self.random.choice(WORDS) for _ in range(count))

    def text(self, kind: str, tokens: int) -> str:
        if kind == "no_punct":
            return self.words(tokens)
        if kind == "names":
            return ", ".join(self.name() for _ in range(tokens // 2)) + "."
        if kind == "said_chain":
            return " said ".join(self.name() for _ in range(tokens // 3)) + " that the talks failed."
        if kind == "numbers":
            row = lambda: " ".join(str(self.random.randint(1, 10**6)) for _ in range(10))  # noqa: E731
            return "\n".join(row() for _ in range(tokens // 10))
        if kind == "dates":
            return " ".join(f"on {self.random.randint(1, 28)} March 2024 and" for _ in range(tokens // 5))
        if kind == "attacks":
            return " ".join(f"{self.name()} attacked {self.name()} in Paris." for _ in range(tokens // 7))
        if kind == "caps":
            return self.words(tokens).upper()
        raise ValueError(kind)


def _timed_stages() -> dict[str, float]:
    """Wrap each stage function of the pipeline module so that its time adds up in the returned dict."""
    timings: dict[str, float] = defaultdict(float)

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timings[name] += time.perf_counter() - started

        return timed

    for name in STAGES:
        setattr(pipeline, name, wrap(name, getattr(pipeline, name)))
    return timings


def stages(kinds: list[str], sizes: list[int]) -> None:
    timings = _timed_stages()
    extractor = pipeline.Extractor(Settings())
    extractor.extract(Report(text="Warm up the models in London."))
    generator = Generator()
    nlp = extractor.pipeline("en")
    for kind in kinds:
        for size in sizes:
            text = generator.text(kind, size)
            timings.clear()
            chunks = list(pipeline.split_for_parsing(text))
            started = time.perf_counter()
            docs = list(zip([offset for offset, _ in chunks], nlp.pipe([c for _, c in chunks]), strict=True))
            parse = time.perf_counter() - started
            started = time.perf_counter()
            extractor._build(replace(Report(text=text, origin=f"{kind}-{size}"), language="en"), docs)
            build = time.perf_counter() - started
            slowest = sorted(timings.items(), key=lambda item: -item[1])[:4]
            named = " ".join(f"{name}={seconds:.2f}" for name, seconds in slowest)
            measured = f"parse={parse:7.2f}s build={build:7.2f}s"
            print(f"{kind:11s} tokens~{size:7d} chars={len(text):8d} {measured} {named}", flush=True)


def cap(kinds: list[str], seconds: float) -> None:
    extractor = pipeline.Extractor(Settings(max_report_seconds=seconds))
    list(extractor.extract_outcomes([Report(text="Warm up in London.", language="en")]))
    generator = Generator()
    for kind in kinds:
        text = generator.text(kind, CAP_SIZES[kind])
        started = time.perf_counter()
        [outcome] = list(extractor.extract_outcomes([Report(text=text, language="en", origin=kind)]))
        held = time.perf_counter() - started
        result = str(outcome)[:70] if isinstance(outcome, Exception) else "extracted"
        print(f"{kind:11s} chars={len(text):8d} held {held:6.1f}s -> {type(outcome).__name__}: {result}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["stages", "cap"])
    kinds = ", ".join(CAP_SIZES)
    parser.add_argument("--kinds", default=",".join(CAP_SIZES), help=f"comma-separated: {kinds}")
    parser.add_argument("--sizes", default="2000,4000,8000", help="stages: tokens, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="cap: the time cap to run under")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    if args.mode == "stages":
        stages(kinds, [int(size) for size in args.sizes.split(",")])
    else:
        cap(kinds, args.seconds)


if __name__ == "__main__":
    main()
