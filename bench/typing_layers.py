"""Benchmark: what Liaison's layers cost on top of the raw spaCy pipeline.

Runs, on the same texts and in one process: (a) the raw models through ``nlp.pipe`` (English texts
through the English model, French through the French one); (b) ``Extractor.extract_many``, the whole
pipeline; and (c) the same with time normalisation, topics, figures and events switched off — the
entity layers alone (sentence rule, typing layers, grouping, roles, language blocks). Each is run
``--runs`` times after a warm-up; medians are reported. Entity layers' cost: (c)/(a) - 1; times and
events' cost: ((b) - (c)) / (a).

    .venv/bin/python bench/typing_layers.py [--runs 5] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import spacy

from liaison.domain import Report
from liaison.evaluation.meantime import read_meantime_directory
from liaison.extract import Extractor, pipeline
from liaison.extract.language import identify
from liaison.ingest import read_paths
from liaison.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Typing layers versus the raw pipeline"


def corpus() -> list[Report]:
    reports = [r for r in read_paths([ROOT / "examples" / "reports"], 10**7) if isinstance(r, Report)]
    meantime = ROOT.parent / "shared" / "data" / "meantime-en-dev"
    if meantime.is_dir():
        reports += [Report(text=d.text, language="en") for d in read_meantime_directory(meantime)]
    seeds = ROOT.parent / "shared" / "seeds"
    reports += [Report(text=p.read_text("utf-8")) for p in sorted(seeds.glob("*.txt"))]
    return reports


def run_raw(settings: Settings, texts_by_language: dict[str, list[str]]) -> float:
    pipelines = {lang: spacy.load(settings.models[lang]) for lang in texts_by_language}
    for lang, texts in texts_by_language.items():  # warm-up
        list(pipelines[lang].pipe(texts[:4]))
    start = time.perf_counter()
    for lang, texts in texts_by_language.items():
        for _ in pipelines[lang].pipe(texts, batch_size=16):
            pass
    return time.perf_counter() - start


def run_liaison(extractor: Extractor, reports: list[Report]) -> float:
    list(extractor.extract_many(reports[:4]))  # warm-up
    start = time.perf_counter()
    for _ in extractor.extract_many(reports, batch_size=16):
        pass
    return time.perf_counter() - start


@contextlib.contextmanager
def entity_layers_only(extractor: Extractor) -> Iterator[None]:
    """Switch off times, topics, figures and events for run (c)."""
    saved = {
        name: getattr(pipeline, name)
        for name in ("find_times", "find_topics", "build_events", "extract_claims", "infer_dct")
    }
    pipeline.find_times = lambda *args: []  # type: ignore[assignment]
    pipeline.find_topics = lambda *args: []  # type: ignore[assignment]
    pipeline.build_events = lambda *args: ()  # type: ignore[assignment]
    pipeline.extract_claims = lambda *args: ()  # type: ignore[assignment]
    pipeline.infer_dct = lambda *args: None  # type: ignore[assignment]
    contexts = [
        extractor.pipeline(lang).select_pipes(disable=["liaison_events"])
        for lang in extractor.supported_languages
    ]
    try:
        yield
    finally:
        for context in contexts:
            context.restore()
        for name, value in saved.items():
            setattr(pipeline, name, value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path, help="replace this benchmark's section in a Markdown file")
    args = parser.parse_args()
    settings = Settings()
    reports = corpus()
    languages = [r.language or identify(r.text)[0] for r in reports]
    reports = [
        Report(text=r.text, language=lang, title=r.title) for r, lang in zip(reports, languages, strict=True)
    ]
    texts_by_language: dict[str, list[str]] = {}
    for report in reports:
        if report.language in settings.models:
            texts_by_language.setdefault(report.language or "", []).append(report.text)
    words = sum(len(r.text.split()) for r in reports if r.language in settings.models)
    extractor = Extractor(settings)
    raw_times, liaison_times, entity_times = [], [], []
    readable = [r for r in reports if r.language in settings.models]
    for _ in range(args.runs):
        raw_times.append(run_raw(settings, texts_by_language))
        liaison_times.append(run_liaison(extractor, readable))
        with entity_layers_only(extractor):
            entity_times.append(run_liaison(extractor, readable))
    raw, full = statistics.median(raw_times), statistics.median(liaison_times)
    entities_only = statistics.median(entity_times)
    documents = sum(len(t) for t in texts_by_language.values())
    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python bench/typing_layers.py --runs {args.runs} --write docs/benchmarks.md`",
        f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"one process. Corpus: {documents} reports ({words:,} words): the demo corpus, the MEANTIME "
        "development texts and the seed report.",
        "",
        "| pipeline | median seconds | words/s | reports/s |",
        "|---|---:|---:|---:|",
        f"| (a) raw spaCy `nlp.pipe` | {raw:.2f} | {words / raw:,.0f} | {documents / raw:.1f} |",
        f"| (b) Liaison `extract_many`, whole pipeline | {full:.2f} | {words / full:,.0f} "
        f"| {documents / full:.1f} |",
        f"| (c) Liaison, entity layers only | {entities_only:.2f} | {words / entities_only:,.0f} "
        f"| {documents / entities_only:.1f} |",
        "",
        f"Entity typing layers' cost (c)/(a) − 1: **{entities_only / raw - 1:+.1%}** (target: at most +15%). "
        f"Time normalisation, topics, figures and events ((b) − (c))/(a): "
        f"**{(full - entities_only) / raw:+.1%}** (target: at most +20%). Whole pipeline (b)/(a) − 1: "
        f"{full / raw - 1:+.1%}. All runs (s): raw {', '.join(f'{t:.2f}' for t in raw_times)}; "
        f"whole {', '.join(f'{t:.2f}' for t in liaison_times)}; "
        f"entity layers {', '.join(f'{t:.2f}' for t in entity_times)}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(args.write, text)
    return 0


def write_section(path: Path, section: str) -> None:
    """Replace this benchmark's section of a Markdown file (or append it), keeping the others."""
    existing = path.read_text("utf-8") if path.exists() else "# Benchmarks\n\n"
    header = section.splitlines()[0]
    if header in existing:
        before, _, rest = existing.partition(header)
        following = rest.find("\n## ")
        after = rest[following + 1 :] if following != -1 else ""
        existing = before + section + ("\n" + after if after else "")
    else:
        existing = existing.rstrip("\n") + "\n\n" + section
    path.write_text(existing, "utf-8")


if __name__ == "__main__":
    sys.exit(main())
