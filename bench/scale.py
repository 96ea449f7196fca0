"""Benchmark: collecting at scale — raw spaCy, `liaison extract` and `liaison ingest` on the same corpus.

One run, one corpus (bench/corpus.py: 2,000 news-length reports by default, or ``--corpus DIR``):

(a) raw spaCy ``nlp.pipe`` with the models Liaison loads (English reports through the English model,
    French through the French one, the language chosen as Liaison does), ``n_process`` 1 and 2;
(b) ``liaison extract --json`` (whole pipeline, nothing stored, output to /dev/null; one process);
(c) ``liaison ingest`` into a fresh SQLite store with ``--workers 1`` and ``--workers 2``;
(d) ``liaison ingest`` into a fresh PostgreSQL database with 1 and 2 workers (``--postgres-url`` or a
    throwaway cluster from tests/postgres_server.py; skipped when neither is available).

Every measurement is a separate process, timed as a whole (start-up and model loading included); the
process tree is sampled every 0.2 s with psutil for the peak RSS of the main process and of each
worker. ``--profile`` also runs a one-process in-process ingest under cProfile on a subset and reports
where the time goes, grouped by stage. Medians over ``--runs`` (peak RSS: the highest run).

    .venv/bin/python bench/scale.py [--reports 2000] [--runs 1] [--only a,b,c,d] [--profile]
        [--postgres-url URL] [--write docs/benchmarks.md]

The full default run takes about half an hour on two cores; ``--reports 60 --only a,c`` checks it works.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import platform
import pstats
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Collect at scale"
SAMPLE_SECONDS = 0.2
RAW_BATCH_SIZE = 16
GIB = 1024**3
MIB = 1024**2
TARGET_RAW_SHARE = 0.8
TARGET_SPEEDUP = 1.8
TARGET_RSS = 1 * GIB
HELPER_PROCESSES = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


# --- measuring a process tree ----------------------------------------------------------------------
@dataclass
class Measurement:
    wall: float
    main_rss: int
    worker_rss: list[int]
    details: dict[str, Any] = field(default_factory=dict)


class TreeSampler:
    """Peak RSS of a process and each of its descendants, sampled every ``SAMPLE_SECONDS``."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, int] = {}
        self.helpers: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(SAMPLE_SECONDS):
                return

    def sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        for process in processes:
            try:
                rss = process.memory_info().rss
                if process.pid not in self.peaks and process.pid != self.pid:
                    command = " ".join(process.cmdline())
                    if any(helper in command for helper in HELPER_PROCESSES):
                        self.helpers.add(process.pid)
            except psutil.Error:
                continue
            self.peaks[process.pid] = max(rss, self.peaks.get(process.pid, 0))

    @property
    def main_rss(self) -> int:
        return self.peaks.get(self.pid, 0)

    @property
    def worker_rss(self) -> list[int]:
        return [rss for pid, rss in self.peaks.items() if pid != self.pid and pid not in self.helpers]


def measure(command: list[str], env: dict[str, str], stdout: Any = subprocess.PIPE) -> Measurement:
    """Run a command to the end, timing it and sampling its process tree; fail loudly on an error."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
    with TreeSampler(process.pid) as sampler:
        out, err = process.communicate()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        tail = "\n".join((err or "").splitlines()[-20:])
        raise RuntimeError(f"{shlex.join(command)} exited with {process.returncode}:\n{tail}")
    details: dict[str, Any] = {}
    if out and out.strip():
        with contextlib.suppress(json.JSONDecodeError):
            details = json.loads(out.strip().splitlines()[-1])
    return Measurement(wall, sampler.main_rss, sampler.worker_rss, details)


# --- (a) raw spaCy, in a child process ----------------------------------------------------------------
def raw_child(texts_file: Path, n_process: int) -> int:
    """Load the models and run ``nlp.pipe`` over the texts; print load and pipe seconds as JSON."""
    start = time.perf_counter()
    import spacy

    data = json.loads(texts_file.read_text("utf-8"))
    pipelines = {lang: spacy.load(data["models"][lang]) for lang in data["texts"]}
    loaded = time.perf_counter()
    documents = 0
    for lang, texts in data["texts"].items():
        for _ in pipelines[lang].pipe(texts, batch_size=RAW_BATCH_SIZE, n_process=n_process):
            documents += 1
    done = time.perf_counter()
    print(json.dumps({"load": loaded - start, "pipe": done - loaded, "documents": documents}))
    return 0


# --- the corpus ------------------------------------------------------------------------------------
@dataclass
class Corpus:
    directory: Path
    reports: int
    words: int
    languages: dict[str, int]
    texts_file: Path
    description: str


def prepare_corpus(args: argparse.Namespace, scratch: Path) -> Corpus:
    from liaison.domain import Report
    from liaison.extract.language import identify
    from liaison.ingest import read_paths
    from liaison.settings import Settings

    if args.corpus is not None:
        directory = args.corpus
        description = f"the reports in `{directory}`"
    else:
        from corpus import generate

        directory = scratch / "corpus"
        stats = generate(directory, args.reports, args.seed)
        description = (
            f"`bench/corpus.py --reports {args.reports} --seed {args.seed}` ({stats.french} in French, "
            f"{stats.duplicates} syndicated near-duplicates, median {stats.median_words:.0f} words)"
        )
    settings = Settings.from_environment()
    reports = [r for r in read_paths([directory], settings.max_report_bytes) if isinstance(r, Report)]
    texts: dict[str, list[str]] = {}
    for report in reports:
        language = (report.language or identify(report.text)[0]).lower()[:2]
        if language in settings.models:
            texts.setdefault(language, []).append(report.text)
    texts_file = scratch / "texts.json"
    texts_file.write_text(json.dumps({"models": settings.models, "texts": texts}), "utf-8")
    words = sum(len(r.text.split()) for r in reports)
    languages = {lang: len(t) for lang, t in sorted(texts.items())}
    return Corpus(directory, len(reports), words, languages, texts_file, description)


# --- the configurations ----------------------------------------------------------------------------
@dataclass
class Config:
    key: str  # a1, a2, b1, c1, c2, d1, d2
    label: str
    processes: int
    runs: list[Measurement] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(m.wall for m in self.runs)

    @property
    def main_rss(self) -> int:
        return max(m.main_rss for m in self.runs)

    @property
    def worker_rss(self) -> int | None:
        peaks = [rss for m in self.runs for rss in m.worker_rss]
        return max(peaks) if peaks else None

    @property
    def extraction_rss(self) -> int:
        """Peak RSS of a process that runs the models: the workers, or the main process alone."""
        workers = self.worker_rss
        return workers if workers is not None and self.processes > 1 else self.main_rss


def liaison_command() -> str:
    beside = Path(sys.executable).parent / "liaison"
    return str(beside if beside.exists() else ROOT / ".venv" / "bin" / "liaison")


def base_env(scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LIAISON_DATABASE_URL"}
    env["LIAISON_DATA_DIR"] = str(scratch / "unused-data-dir")
    return env


def run_raw(corpus: Corpus, n_process: int, scratch: Path) -> Measurement:
    command = [sys.executable, str(Path(__file__).resolve()), "--raw-child", str(corpus.texts_file)]
    return measure([*command, "--n-process", str(n_process)], base_env(scratch))


def run_extract(corpus: Corpus, scratch: Path) -> Measurement:
    command = [liaison_command(), "extract", str(corpus.directory), "--json"]
    return measure(command, base_env(scratch), stdout=subprocess.DEVNULL)


def run_ingest(corpus: Corpus, workers: int, env: dict[str, str], *options: str) -> Measurement:
    command = [liaison_command(), "ingest", str(corpus.directory), "--workers", str(workers), "--json"]
    command += options
    result = measure(command, env)
    if result.details.get("failed"):
        raise RuntimeError(f"ingest reported failures: {result.details['failed'][:3]}")
    return result


def run_sqlite(corpus: Corpus, workers: int, scratch: Path, number: int) -> Measurement:
    env = base_env(scratch)
    env["LIAISON_DATA_DIR"] = str(scratch / f"sqlite-w{workers}-r{number}")
    return run_ingest(corpus, workers, env)


def run_ray(corpus: Corpus, workers: int, scratch: Path, number: int) -> Measurement:
    """(e) extraction on a local Ray instance started by the command, SQLite store."""
    env = base_env(scratch)
    env["LIAISON_DATA_DIR"] = str(scratch / f"ray-w{workers}-r{number}")
    return run_ingest(corpus, workers, env, "--engine", "ray")


def postgres_url(url: str, database: str | None = None) -> Any:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.set(database=database) if database else parsed


def run_postgres(corpus: Corpus, workers: int, scratch: Path, number: int, url: str) -> Measurement:
    from sqlalchemy import create_engine, text

    database = f"liaison_scale_w{workers}_r{number}_{os.getpid()}"
    admin = create_engine(
        postgres_url(url, postgres_url(url).database or "postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        env = base_env(scratch)
        env["LIAISON_DATABASE_URL"] = postgres_url(url, database).render_as_string(hide_password=False)
        return run_ingest(corpus, workers, env)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def postgres_server(url: str | None) -> Iterator[tuple[str | None, str]]:
    """The server URL to use and how it was obtained (or None and why not)."""
    if url:
        yield url, "the server given with `--postgres-url`"
        return
    sys.path.insert(0, str(ROOT))
    try:
        from tests.postgres_server import running_cluster, server_bin_dir
    except ImportError as error:
        yield None, f"tests/postgres_server.py cannot be imported ({error})"
        return
    if server_bin_dir() is None:
        yield None, "no `--postgres-url` and no PostgreSQL server binaries to start a throwaway cluster"
        return
    with running_cluster() as base:
        yield base, "a throwaway local cluster from tests/postgres_server.py (fsync off)"


# --- profile ---------------------------------------------------------------------------------------
SPACY_PACKAGES = (
    "spacy",
    "thinc",
    "numpy",
    "blis",
    "srsly",
    "cymem",
    "preshed",
    "murmurhash",
    "catalogue",
    "confection",
    "en_core_web",
    "fr_core_news",
)
STORE_PACKAGES = ("sqlalchemy", "alembic", "sqlite3", "psycopg")
GROUPS = (
    "spaCy / thinc (models)",
    "liaison.extract",
    "liaison.resolve",
    "liaison.store + SQLAlchemy",
    "liaison (other)",
    "other",
)


def module_of(filename: str, function: str) -> str | None:
    """A module label for a pstats entry, or None for built-ins and generated code (attributed to callers)."""
    path = filename.replace("\\", "/")
    if path == "~" or (path.startswith("<") and not path.startswith("<frozen")):
        for package in (*SPACY_PACKAGES, "sqlite3", "psycopg"):
            if f"'{package}." in function or f" {package}." in function:
                return package
        return None
    if path.startswith("<frozen "):
        return "stdlib:" + path.removeprefix("<frozen ").rstrip(">").split(".", 1)[0]
    if not path.startswith("/"):  # compiled Cython code names its source relative to the package
        return path.split("/", 1)[0].removesuffix(".pyx").removesuffix(".py")
    if "/liaison/" in path:
        relative = path.rsplit("/liaison/", 1)[1].removesuffix(".py").removesuffix("/__init__")
        return "liaison." + relative.replace("/", ".")
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/lib/python3" in path:
        inside = path.split("/lib/python3", 1)[1].split("/", 1)[-1]
        return "stdlib:" + inside.split("/", 1)[0].removesuffix(".py")
    return "stdlib:" + Path(path).stem


def group_of(module: str) -> str:
    top = module.split(".", 1)[0]
    if module.startswith("liaison.extract"):
        return "liaison.extract"
    if module.startswith("liaison.resolve"):
        return "liaison.resolve"
    if module.startswith("liaison.store") or top in STORE_PACKAGES or module == "stdlib:sqlite3":
        return "liaison.store + SQLAlchemy"
    if module.startswith("liaison"):
        return "liaison (other)"
    if any(top.startswith(package) for package in SPACY_PACKAGES):
        return "spaCy / thinc (models)"
    return "other"


def attribute(stats: dict[Any, Any]) -> dict[str, float]:
    """Own time (tottime) by module; a built-in's time goes to its callers, in proportion."""
    totals: dict[str, float] = defaultdict(float)

    def give(key: Any, amount: float, stack: tuple[Any, ...]) -> None:
        filename, _, function = key
        module = module_of(filename, function)
        if module is not None:
            totals[module] += amount
            return
        callers = {c: v for c, v in stats[key][4].items() if c not in stack and c in stats}
        weights = {c: v[2] for c, v in callers.items()}
        if not sum(weights.values()):
            weights = {c: v[3] for c, v in callers.items()}
        total = sum(weights.values())
        if not total or len(stack) > 30:
            totals["stdlib:(built-in)"] += amount
            return
        for caller, weight in weights.items():
            give(caller, amount * weight / total, (*stack, key))

    for key, (_, _, tottime, _, _) in stats.items():
        if tottime:
            give(key, tottime, (key,))
    return totals


def short_function(key: Any) -> str:
    filename, line, function = key
    path = filename.replace("\\", "/")
    for marker in ("site-packages/", "/src/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        if "/lib/python3" in path:
            path = path.split("/lib/python3", 1)[1].split("/", 1)[-1]
    return function if path == "~" else f"{path}:{line}({function})"


def run_profile(corpus: Corpus, count: int, scratch: Path) -> list[str]:
    from liaison import services
    from liaison.domain import Report
    from liaison.extract.pipeline import load_pipeline
    from liaison.ingest import read_paths
    from liaison.ingest.files import discover
    from liaison.settings import Settings
    from liaison.store import Store

    paths = [p for p in discover([corpus.directory]) if isinstance(p, Path)][:count]
    settings = replace(Settings.from_environment(), database_url=f"sqlite:///{scratch / 'profile.db'}")
    start = time.perf_counter()
    for model in settings.models.values():
        load_pipeline(model)
    loading = time.perf_counter() - start
    profiler = cProfile.Profile()
    with Store.open(settings) as store:
        start = time.perf_counter()
        profiler.enable()
        summary = services.ingest_paths(paths, settings, store, workers=1)
        profiler.disable()
        elapsed = time.perf_counter() - start
    words = sum(
        len(r.text.split()) for r in read_paths(paths, settings.max_report_bytes) if isinstance(r, Report)
    )
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    by_module = attribute(stats)
    total = sum(by_module.values())
    by_group: dict[str, float] = defaultdict(float)
    for module, seconds in by_module.items():
        by_group[group_of(module)] += seconds
    lines = [
        "### Where the time goes",
        "",
        f"`liaison.services.ingest_paths` in one process under cProfile: the first {len(paths)} reports "
        f"of the corpus ({words:,} words), a fresh SQLite store, {summary.stored} stored, "
        f"{len(summary.failures)} failed. Profiled wall {elapsed:.1f} s (cProfile slows Python-heavy code "
        f"more than compiled spaCy code); loading the two Liaison pipelines beforehand took {loading:.1f} s "
        "and is not included. Own time (tottime) of every function, attributed by the file it is defined "
        "in; a built-in's time (regular expressions, SQLite calls, …) goes to the code that called it. "
        "spaCy code run by Liaison's own components (matchers, token access) counts as spaCy.",
        "",
        "| stage (modules) | seconds | share |",
        "|---|---:|---:|",
    ]
    for group in GROUPS:
        lines.append(f"| {group} | {by_group.get(group, 0.0):.2f} | {by_group.get(group, 0.0) / total:.1%} |")
    lines.append(f"| **total** | **{total:.2f}** | 100% |")
    extract_modules = sorted(
        ((s, m) for m, s in by_module.items() if group_of(m) == "liaison.extract"), reverse=True
    )
    if extract_modules:
        parts = ", ".join(f"{m.removeprefix('liaison.extract.')} {s:.2f} s" for s, m in extract_modules[:8])
        lines += ["", f"Inside liaison.extract: {parts}."]
    other_modules = sorted(((s, m) for m, s in by_module.items() if group_of(m) == "other"), reverse=True)
    if other_modules:
        parts = ", ".join(f"{m} {s:.2f} s" for s, m in other_modules[:6])
        lines += [f"Largest in other: {parts}."]
    lines += [
        "",
        "Top 15 functions by own time:",
        "",
        "| function | calls | tottime s | cumtime s |",
        "|---|---:|---:|---:|",
    ]
    top = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:15]
    for key, (_, calls, tottime, cumtime, _) in top:
        lines.append(f"| `{short_function(key)}` | {calls:,} | {tottime:.2f} | {cumtime:.2f} |")
    lines.append("")
    return lines


# --- the report ------------------------------------------------------------------------------------
def megabytes(value: int | None) -> str:
    return "—" if value is None else f"{value / MIB:,.0f} MiB"


def command_line(argv: list[str]) -> str:
    shown = []
    for arg in argv:
        path = Path(arg)
        if path.is_absolute() and path.is_relative_to(ROOT):
            arg = str(path.relative_to(ROOT))
        shown.append(arg)
    return shlex.join([".venv/bin/python", "bench/scale.py", *shown])


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def report(
    args: argparse.Namespace, corpus: Corpus, configs: dict[str, Config], postgres_note: str
) -> list[str]:
    import spacy

    measured = {k: c for k, c in configs.items() if c.runs}
    base = measured.get("a1")
    langs = ", ".join(f"{n} {lang}" for lang, n in corpus.languages.items())
    memory = psutil.virtual_memory().total / GIB
    lines = [
        SECTION,
        "",
        f"Command: `{command_line(sys.argv[1:])}`",
        f"Machine: {os.cpu_count()} logical CPUs ({psutil.cpu_count(logical=False)} physical), "
        f"{memory:.0f} GiB RAM, {platform.machine()}, Python {platform.python_version()}, "
        f"spaCy {spacy.__version__}. Corpus: {corpus.reports:,} reports ({corpus.words:,} words; {langs}), "
        f"{corpus.description}.",
        "",
        "Each row is one process tree timed from start to exit (interpreter start-up, model loading and, "
        "for ingest, store migration included); "
        + (f"median of {args.runs} runs; " if args.runs > 1 else "one run; ")
        + "peak RSS sampled every 0.2 s (the highest run). × raw is throughput relative to (a) with one "
        "process.",
        "",
        "| run | processes | seconds | reports/s | words/s | × raw | peak RSS main | peak RSS per worker |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for config in measured.values():
        ratio = f"{base.wall / config.wall:.2f}" if base else "—"
        lines.append(
            f"| {config.label} | {config.processes} | {config.wall:.1f} | {corpus.reports / config.wall:.1f} "
            f"| {corpus.words / config.wall:,.0f} | {ratio} | {megabytes(config.main_rss)} "
            f"| {megabytes(config.worker_rss)} |"
        )
    lines.append("")
    notes = []
    for key in ("a1", "a2"):
        if key in measured:
            runs = measured[key].runs
            load = statistics.median(m.details.get("load", 0.0) for m in runs)
            pipe = statistics.median(m.details.get("pipe", 0.0) for m in runs)
            notes.append(
                f"(a) n_process={measured[key].processes}: importing spaCy and loading the models "
                f"{load:.1f} s, `nlp.pipe` alone {pipe:.1f} s ({corpus.words / pipe:,.0f} words/s)"
            )
    if notes:
        lines += ["; ".join(notes) + f" (batch size {RAW_BATCH_SIZE}).", ""]
    outcomes = sorted(
        {
            ", ".join(
                f"{name.replace('_', ' ')} {value}" for name, value in m.details.items() if name != "failed"
            )
            for k, c in measured.items()
            if k[0] in "cde"
            for m in c.runs
        }
    )
    if outcomes:
        lines += [f"Every ingest ended with: {'; '.join(outcomes)} (and no failure).", ""]
    if "d1" not in measured and "d2" not in measured:
        lines += [f"PostgreSQL: not measured ({postgres_note}).", ""]
    elif postgres_note:
        lines += [f"PostgreSQL: {postgres_note}, a fresh database per run.", ""]
    lines += ["Ratios and targets:", ""]
    if base and "c1" in measured:
        share = base.wall / measured["c1"].wall
        lines.append(
            f"- Full ingest into SQLite keeps at least {TARGET_RAW_SHARE} of raw nlp.pipe throughput: "
            f"ingest SQLite 1 worker / raw = **{share:.2f}** — {verdict(share >= TARGET_RAW_SHARE)}."
        )
    else:
        lines.append(
            f"- Full ingest into SQLite keeps at least {TARGET_RAW_SHARE} of raw nlp.pipe throughput: "
            "not measured (needs a and c)."
        )
    if "c1" in measured and "c2" in measured:
        speedup = measured["c1"].wall / measured["c2"].wall
        extra = ""
        if "d1" in measured and "d2" in measured:
            extra = f" (PostgreSQL: {measured['d1'].wall / measured['d2'].wall:.2f}×)"
        lines.append(
            f"- 2 workers give at least {TARGET_SPEEDUP}× one worker: SQLite 2 workers / 1 worker = "
            f"**{speedup:.2f}×**{extra} — {verdict(speedup >= TARGET_SPEEDUP)}."
        )
        if "a1" in measured and "a2" in measured:
            lines.append(
                f"  For comparison, raw `nlp.pipe` with n_process=2 gives "
                f"{measured['a1'].wall / measured['a2'].wall:.2f}× n_process=1 on this machine."
            )
    else:
        lines.append(f"- 2 workers give at least {TARGET_SPEEDUP}× one worker: not measured (needs c).")
    if "e1" in measured and "e2" in measured:
        lines.append(
            f"- Ray engine (local instance): 2 workers / 1 worker = "
            f"**{measured['e1'].wall / measured['e2'].wall:.2f}×**; per worker "
            f"{corpus.words / measured['e1'].wall:,.0f} words/s with one worker, start-up included."
        )
    ingests = [c for k, c in measured.items() if k[0] in "cd"]
    if ingests:
        worst = max(ingests, key=lambda c: c.extraction_rss)
        peak = worst.extraction_rss
        lines.append(
            f"- Peak RSS per worker at most 1 GB: highest **{megabytes(peak)}** ({worst.label}; with one "
            f"worker the main process runs the models) — {verdict(peak <= TARGET_RSS)}."
        )
    else:
        lines.append("- Peak RSS per worker at most 1 GB: not measured (needs c or d).")
    lines.append("")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000, help="reports to generate (bench/corpus.py)")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed")
    parser.add_argument("--corpus", type=Path, help="use the reports in this directory instead")
    parser.add_argument("--runs", type=int, default=1, help="runs per configuration (medians)")
    parser.add_argument("--only", default="a,b,c,d", help="which of a,b,c,d,e (e: Ray engine) to measure")
    parser.add_argument("--postgres-url", help="PostgreSQL server for (d); a database is created per run")
    parser.add_argument("--profile", action="store_true", help="add a cProfile breakdown of one ingest")
    parser.add_argument("--profile-reports", type=int, default=300, help="reports in the profiled ingest")
    parser.add_argument("--write", type=Path, help="replace this benchmark's section in a Markdown file")
    parser.add_argument("--raw-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--n-process", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw_child:
        return raw_child(args.raw_child, args.n_process)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    if only - set("abcde"):
        parser.error(f"--only takes letters among a,b,c,d,e, not {args.only!r}")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    configs = {
        "a1": Config("a1", "(a) raw spaCy `nlp.pipe`", 1),
        "a2": Config("a2", "(a) raw spaCy `nlp.pipe`, n_process=2", 2),
        "b1": Config("b1", "(b) `liaison extract --json`", 1),
        "c1": Config("c1", "(c) `liaison ingest`, SQLite, 1 worker", 1),
        "c2": Config("c2", "(c) `liaison ingest`, SQLite, 2 workers", 2),
        "d1": Config("d1", "(d) `liaison ingest`, PostgreSQL, 1 worker", 1),
        "d2": Config("d2", "(d) `liaison ingest`, PostgreSQL, 2 workers", 2),
        "e1": Config("e1", "(e) `liaison ingest --engine ray`, local Ray, SQLite, 1 worker", 1),
        "e2": Config("e2", "(e) `liaison ingest --engine ray`, local Ray, SQLite, 2 workers", 2),
    }
    with (
        tempfile.TemporaryDirectory(prefix="liaison-scale-") as scratch_name,
        contextlib.ExitStack() as stack,
    ):
        scratch = Path(scratch_name)
        started = time.perf_counter()
        corpus = prepare_corpus(args, scratch)
        print(
            f"corpus: {corpus.reports} reports, {corpus.words:,} words in {corpus.directory}", file=sys.stderr
        )
        pg_url, postgres_note = None, f"not requested: --only {args.only}"
        if "d" in only:
            pg_url, postgres_note = stack.enter_context(postgres_server(args.postgres_url))
        for number in range(1, args.runs + 1):
            steps = []
            if "a" in only:
                steps += [
                    ("a1", lambda: run_raw(corpus, 1, scratch)),
                    ("a2", lambda: run_raw(corpus, 2, scratch)),
                ]
            if "b" in only:
                steps.append(("b1", lambda: run_extract(corpus, scratch)))
            if "c" in only:
                steps += [
                    ("c1", lambda n=number: run_sqlite(corpus, 1, scratch, n)),
                    ("c2", lambda n=number: run_sqlite(corpus, 2, scratch, n)),
                ]
            if "d" in only and pg_url:
                steps += [
                    ("d1", lambda n=number, u=pg_url: run_postgres(corpus, 1, scratch, n, u)),
                    ("d2", lambda n=number, u=pg_url: run_postgres(corpus, 2, scratch, n, u)),
                ]
            if "e" in only:
                steps += [
                    ("e1", lambda n=number: run_ray(corpus, 1, scratch, n)),
                    ("e2", lambda n=number: run_ray(corpus, 2, scratch, n)),
                ]
            for key, step in steps:
                result = step()
                configs[key].runs.append(result)
                print(
                    f"run {number}/{args.runs} {configs[key].label}: {result.wall:.1f} s, main "
                    f"{megabytes(result.main_rss)}, workers {[megabytes(r) for r in result.worker_rss]}"
                    + (f", {result.details}" if key[0] in "cde" else ""),
                    file=sys.stderr,
                )
        lines = report(args, corpus, configs, postgres_note)
        if args.profile:
            lines += run_profile(corpus, min(args.profile_reports, corpus.reports), scratch)
        print(f"total {time.perf_counter() - started:.0f} s", file=sys.stderr)
    text = "\n".join(lines)
    print(text)
    if args.write:
        from typing_layers import write_section

        write_section(args.write, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
