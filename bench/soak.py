"""Soak: a real ``liaison serve`` on loopback under concurrent readers and one writer, for minutes.

The server is the command an operator runs (``liaison serve``, a subprocess, one uvicorn process) on a
store of its own: SQLite in a temporary folder, or ``--database-url`` (an empty PostgreSQL database). The
store holds a home organisation with an analyst, a partner organisation with an AMBER sharing agreement
and a partner user, each with an API token, and ``--seed-reports`` short reports posted through the REST
ingest endpoint before the clock starts (which also loads the NLP model in the server).

For ``--seconds`` (600 by default):

- ``--readers`` threads (4 by default; even ones with the home analyst's token, odd ones with the
  partner's), each with one keep-alive connection, loop over a weighted mix of reads: REST (reports list
  and detail, entities list and detail, events list and detail, figures, full-text search, stats) and
  TAXII 2.1 (discovery, API root, collections, pages of objects following ``next``, manifest pages, one
  object by id, ``added_after`` from a date the server gave).
- ONE writer posts a new report (generated, every text distinct) through ``POST /api/reports`` every
  ``--write-interval`` seconds, with a TLP from CLEAR to AMBER+STRICT, so the partner's collection
  changes under its readers.
- The server's resident memory (VmRSS from ``/proc/<pid>/status``, plus any child process) is sampled
  every second.

Every response is checked. An error is a 5xx, a connection error, a timeout (``--timeout``), any status
other than the one expected (a 4xx for a read of something the caller was just given, a 429), a body
that is not the JSON expected, or an ingest that did not store its report; a traceback in the server's
log counts too. The run passes with zero errors and no memory growth (``memory_verdict``): the median
RSS of the last 20% of the run against the median of the 20-40% window (after warm-up) may not grow by
more than ``--max-growth-mb`` (30 MB) nor ``--max-growth-percent`` (15%), and the least-squares slope of
RSS over the second half of the run may not extrapolate to more than ``--max-slope-mb-per-hour`` (60).

    .venv/bin/python bench/soak.py [--seconds 600] [--readers 4] [--write-interval 3]
        [--database-url URL] [--write docs/reliability.md]

``--write-interval 0`` runs readers only and ``--readers 0`` the writer only, to tell where memory goes;
``--samples FILE`` saves the RSS samples. ``tests/test_soak.py`` runs the same code for 30 seconds in
``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# The benchmarks' sibling modules, whether this file runs as a script or is loaded by the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Soak"
TAXII_ACCEPT = "application/taxii+json;version=2.1"
HOME_ORG, PARTNER_ORG = "Soak Home", "Soak Partner"
HOME_USER, PARTNER_USER = "soak-analyst", "soak-partner"
WRITER_TLPS = ("clear", "green", "green", "amber", "amber+strict")
# uvicorn closes a keep-alive connection idle for 5 s (timeout_keep_alive); a request sent on it just then
# meets a closed socket. Like an HTTP client's pool, a connection idle this long is replaced first.
IDLE_RECONNECT_SECONDS = 4.0
SEARCH_WORDS = ("police", "customs", "arrested", "port", "ministry", "seized", "network", "officers")


# --- the generated reports -----------------------------------------------------------------------

# Invented names, assembled from syllables: every generated report names people, places and groups that
# exist nowhere else. The partner may not read AMBER+STRICT reports, and an entity or event is shared only
# when the partner may read every report it comes from (liaison.store.sharing): so AMBER+STRICT reports
# draw on their own names, or an entity the partner was just shown would rightly vanish from its view.
_SHARED_WORDS = (
    ("var", "tel", "mor", "kas", "lin", "dra", "bo"),
    ("Police", "Customs", "Border guards"),
)
_WITHHELD_WORDS = (
    ("sen", "ul", "ra", "ti", "gan", "pel", "os"),
    ("Gendarmes", "Coastguards", "Prosecutors"),
)
_PLACE_ENDINGS = ("a", "ov", "grad", "ton", "ia", "ek")


def _name(rng: random.Random, syllables: tuple[str, ...], parts: int, suffix: str = "") -> str:
    return ("".join(rng.choice(syllables) for _ in range(parts)) + suffix).capitalize()


def report_text(serial: int, rng: random.Random, withheld: bool = False) -> tuple[str, str]:
    """A short news-like report (title, text), distinct for each ``serial``; ``withheld`` ones (for
    AMBER+STRICT) name nothing a shared one names."""
    syllables, agencies = _WITHHELD_WORDS if withheld else _SHARED_WORDS
    city = _name(rng, syllables, 2, rng.choice(_PLACE_ENDINGS))
    other = _name(rng, syllables, 2, rng.choice(_PLACE_ENDINGS))
    person = f"{_name(rng, syllables, 2)} {_name(rng, syllables, 3)}"
    group = f"{_name(rng, syllables, 2)} network"
    agency = rng.choice(agencies)
    count = rng.randint(2, 40)
    goods = rng.choice(["kilograms of cocaine", "firearms", "forged passports", "stolen vehicles"])
    day = rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
    title = f"{agency} act against the {group} in {city} ({serial})"
    text = (
        f"{agency} in {city} arrested {count} members of the {group} on {day}, report {serial}. "
        f"Officers seized {rng.randint(3, 900)} {goods} at the port of {other}. "
        f"{person}, a spokesman for the {city} prosecutor, said the {group} had moved goods through "
        f"{other} since {rng.randint(2015, 2024)}. The investigation continues, and {person} said "
        f"{rng.randint(2, 9)} more suspects were sought."
    )
    return title, text


# --- the store and the server --------------------------------------------------------------------


@dataclass(frozen=True)
class Accounts:
    home_token: str
    partner_token: str
    home_collection: str
    partner_collection: str


def prepare_store(database_url: str) -> Accounts:
    """Organisations, an agreement, users and tokens, straight into a fresh store (not measured)."""
    from liaison.accounts import create_token
    from liaison.domain import TLP, AccountRole
    from liaison.settings import Settings
    from liaison.store import Store

    with Store.open(Settings(database_url=database_url)) as store:
        home = store.add_organization(HOME_ORG, home=True)
        partner = store.add_organization(PARTNER_ORG)
        store.set_agreement(PARTNER_ORG, TLP.AMBER)
        store.add_user(HOME_USER, HOME_ORG, AccountRole.ANALYST, None)
        store.add_user(PARTNER_USER, PARTNER_ORG, AccountRole.PARTNER, None)
        home_token, _ = create_token(store, HOME_USER, "soak")
        partner_token, _ = create_token(store, PARTNER_USER, "soak")
        return Accounts(
            home_token,
            partner_token,
            store.collection_for(home.id).id,
            store.collection_for(partner.id).id,
        )


@dataclass
class Server(ServerProcess):
    def tracebacks(self) -> list[str]:
        """The last line of each traceback the server logged (an unhandled exception)."""
        lines = self.log.read_text("utf-8", "replace").splitlines()
        found = []
        for index, line in enumerate(lines):
            if line.startswith("Traceback (most recent call last)"):
                rest = [x for x in lines[index + 1 :] if x and not x.startswith(" ")]
                found.append(rest[0] if rest else line)
        return found


def start_server(database_url: str, scratch: Path) -> Server:
    """``liaison serve`` in a subprocess, with this checkout's sources first on the path."""
    port = free_port()
    log = scratch / f"server-{port}.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    env["LIAISON_DATA_DIR"] = str(scratch)
    env["LIAISON_DATABASE_URL"] = database_url
    command = [sys.executable, "-c", "from liaison.cli import main; main()", "serve"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=scratch,
            env=env,
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"liaison serve exited at start:\n{log.read_text('utf-8', 'replace')[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("liaison serve did not start listening within 120 s")


def process_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (VmRSS of /proc/<pid>/status)."""
    import psutil

    pids = [pid]
    with contextlib.suppress(psutil.Error):
        pids += [child.pid for child in psutil.Process(pid).children(recursive=True)]
    total_kb = 0
    for each in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- recording -------------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Every response: its route group, latency, and whether it was what the request expected."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    messages: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, group: str, seconds: float, problem: str | None) -> None:
        with self.lock:
            self.latencies[group].append(seconds)
            if problem is not None:
                self.errors[group] += 1
                if len(self.messages) < 50:
                    self.messages.append(f"{group}: {problem}")

    def fail(self, group: str, problem: str) -> None:
        """A wrong answer found after its response was recorded (a body of the wrong shape)."""
        with self.lock:
            self.errors[group] += 1
            if len(self.messages) < 50:
                self.messages.append(f"{group}: {problem}")

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


class Client:
    """One keep-alive connection; every call is timed and recorded under its route group."""

    def __init__(self, port: int, token: str, recorder: Recorder, timeout: float) -> None:
        self.port, self.timeout, self.recorder = port, timeout, recorder
        self.auth = f"Bearer {token}"
        self.connection: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is not None and time.monotonic() - self.last_used > IDLE_RECONNECT_SECONDS:
            self.close()
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def call(
        self,
        group: str,
        method: str,
        path: str,
        expect: int = 200,
        body: dict[str, Any] | None = None,
        taxii: bool = False,
    ) -> tuple[Any, dict[str, str]] | None:
        """The parsed JSON body and headers of an expected answer; None (and an error recorded) else."""
        headers = {"Authorization": self.auth, "Accept": TAXII_ACCEPT if taxii else "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            connection = self._connection()
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
            status, answer_headers = response.status, {k.lower(): v for k, v in response.getheaders()}
            self.last_used = time.monotonic()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            kind = "timeout" if isinstance(error, TimeoutError) else type(error).__name__
            self.recorder.record(group, time.perf_counter() - started, f"{method} {path}: {kind} {error}")
            return None
        elapsed = time.perf_counter() - started
        if status != expect:
            excerpt = data[:200].decode("utf-8", "replace")
            self.recorder.record(group, elapsed, f"{method} {path}: {status} (expected {expect}) {excerpt}")
            return None
        try:
            parsed = json.loads(data)
        except ValueError:
            self.recorder.record(group, elapsed, f"{method} {path}: not JSON")
            return None
        self.recorder.record(group, elapsed, None)
        return parsed, answer_headers


# --- the load --------------------------------------------------------------------------------------


@dataclass
class Seen:
    """IDs and dates the server gave a reader, to ask for again."""

    reports: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    dates_added: list[str] = field(default_factory=list)

    @staticmethod
    def keep(values: list[str], new: list[str], most: int = 200) -> None:
        values.extend(new)
        del values[:-most]


def _items(answer: tuple[Any, dict[str, str]] | None) -> list[dict[str, Any]]:
    if answer is None or not isinstance(answer[0], dict):
        return []
    items = answer[0].get("items", [])
    return items if isinstance(items, list) else []


def _checked(client: Client, group: str, answer: tuple[Any, dict[str, str]] | None, key: str) -> bool:
    """Whether a JSON answer has ``key`` holding a list (an envelope may omit ``objects`` when empty)."""
    if answer is None:
        return False
    body = answer[0]
    if not isinstance(body, dict) or not isinstance(body.get(key, []), list):
        client.recorder.fail(group, f"answer without a list {key!r}: {str(body)[:200]}")
        return False
    return True


def rest_reads(client: Client, seen: Seen, rng: random.Random) -> dict[str, Callable[[], None]]:
    def reports() -> None:
        found = _items(client.call("rest list", "GET", f"/api/reports?limit=20&offset={rng.randint(0, 10)}"))
        Seen.keep(seen.reports, [r["id"] for r in found])

    def report() -> None:
        if seen.reports:
            client.call("rest detail", "GET", f"/api/reports/{rng.choice(seen.reports)}")

    def entities() -> None:
        kind = rng.choice(["", "&type=person", "&type=organization", "&type=location", "&q=port"])
        found = _items(client.call("rest list", "GET", f"/api/entities?limit=20{kind}"))
        Seen.keep(seen.entities, [e["id"] for e in found])

    def entity() -> None:
        if seen.entities:
            client.call("rest detail", "GET", f"/api/entities/{rng.choice(seen.entities)}")

    def events() -> None:
        found = _items(client.call("rest list", "GET", "/api/events?limit=20"))
        Seen.keep(seen.events, [e["id"] for e in found])

    def event() -> None:
        if seen.events:
            client.call("rest detail", "GET", f"/api/events/{rng.choice(seen.events)}")

    def claims() -> None:
        client.call("rest list", "GET", "/api/claims?limit=20")

    def search() -> None:
        words = " ".join(rng.sample(SEARCH_WORDS, rng.randint(1, 2)))
        client.call("search", "GET", "/api/search?" + urllib.parse.urlencode({"q": words}))

    def stats() -> None:
        client.call("stats", "GET", "/api/stats")

    return {
        "reports": reports,
        "report": report,
        "entities": entities,
        "entity": entity,
        "events": events,
        "event": event,
        "claims": claims,
        "search": search,
        "stats": stats,
    }


def taxii_reads(
    client: Client, collection: str, seen: Seen, rng: random.Random
) -> dict[str, Callable[[], None]]:
    base = f"/taxii2/api/collections/{collection}"

    def discovery() -> None:
        client.call("taxii discovery", "GET", "/taxii2/", taxii=True)
        client.call("taxii discovery", "GET", "/taxii2/api/", taxii=True)
        client.call("taxii discovery", "GET", "/taxii2/api/collections/", taxii=True)

    def walk(kind: str, first_query: dict[str, str]) -> None:
        """Pages of objects (or of the manifest) following ``next``, at most five."""
        group = f"taxii {kind}"
        query = dict(first_query)
        for _ in range(5):
            answer = client.call(group, "GET", f"{base}/{kind}/?{urllib.parse.urlencode(query)}", taxii=True)
            if not _checked(client, group, answer, "objects"):
                return
            assert answer is not None
            body, headers = answer
            listed = body.get("objects", [])
            Seen.keep(seen.objects, [o["id"] for o in listed if isinstance(o, dict) and "id" in o])
            if "x-taxii-date-added-first" in headers:
                Seen.keep(seen.dates_added, [headers["x-taxii-date-added-first"]], 50)
            if not body.get("more"):
                return
            query["next"] = str(body.get("next", ""))

    def objects() -> None:
        walk("objects", {"limit": str(rng.choice([20, 50, 100]))})

    def manifest() -> None:
        walk("manifest", {"limit": "50"})

    def added_after() -> None:
        if seen.dates_added:
            walk("objects", {"limit": "50", "added_after": rng.choice(seen.dates_added)})
        else:
            moment = datetime.now(UTC) - timedelta(seconds=rng.randint(5, 120))
            walk("objects", {"limit": "50", "added_after": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")})

    def one_object() -> None:
        if seen.objects:
            answer = client.call(
                "taxii object", "GET", f"{base}/objects/{rng.choice(seen.objects)}/", taxii=True
            )
            if answer is not None and not answer[0].get("objects"):
                client.recorder.fail("taxii object", "an object the server listed is not there")

    return {
        "discovery": discovery,
        "objects": objects,
        "manifest": manifest,
        "added_after": added_after,
        "object": one_object,
    }


# How often each read is chosen: the lists and pages a client polls most, details now and then.
READ_WEIGHTS = {
    "reports": 4,
    "report": 4,
    "entities": 3,
    "entity": 3,
    "events": 2,
    "event": 2,
    "claims": 1,
    "search": 3,
    "stats": 2,
    "discovery": 1,
    "objects": 4,
    "manifest": 2,
    "added_after": 3,
    "object": 3,
}


def reader(client: Client, collection: str, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    seen = Seen()
    reads = {**rest_reads(client, seen, rng), **taxii_reads(client, collection, seen, rng)}
    names = list(READ_WEIGHTS)
    weights = [READ_WEIGHTS[n] for n in names]
    try:
        while not stop.is_set():
            reads[rng.choices(names, weights)[0]]()
    finally:
        client.close()


def post_report(client: Client, serial: int, rng: random.Random) -> bool:
    tlp = WRITER_TLPS[serial % len(WRITER_TLPS)]
    title, text = report_text(serial, rng, withheld=tlp == "amber+strict")
    published = (datetime(2024, 1, 1) + timedelta(days=serial % 700)).date().isoformat()
    body = {"text": text, "title": title, "tlp": tlp, "published": published, "source": "soak"}
    answer = client.call("ingest", "POST", "/api/reports", expect=201, body=body)
    if answer is None:
        return False
    if answer[0].get("stored") != 1 or answer[0].get("failures"):
        client.recorder.fail("ingest", f"report {serial} not stored: {str(answer[0])[:200]}")
        return False
    return True


def writer(client: Client, stop: threading.Event, interval: float, first_serial: int, seed: int) -> int:
    """Post a report every ``interval`` seconds until ``stop``; the number posted."""
    rng = random.Random(seed)
    serial = first_serial
    next_at = time.monotonic()
    try:
        while not stop.is_set():
            post_report(client, serial, rng)
            serial += 1
            next_at += interval
            stop.wait(max(0.0, next_at - time.monotonic()))
    finally:
        client.close()
    return serial - first_serial


def sample_memory(pid: int, stop: threading.Event, samples: list[tuple[float, float]], start: float) -> None:
    while not stop.is_set():
        samples.append((time.monotonic() - start, process_rss_mb(pid)))
        stop.wait(1.0)


# --- the verdict -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemoryVerdict:
    baseline_mb: float  # median RSS over 20-40% of the run
    final_mb: float  # median RSS over the last 20%
    growth_mb: float
    growth_percent: float
    slope_mb_per_hour: float  # least squares over the second half
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB), in MB per second."""
    if len(points) < 2:
        return 0.0
    mean_t = statistics.fmean(t for t, _ in points)
    mean_m = statistics.fmean(m for _, m in points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return 0.0
    return sum((t - mean_t) * (m - mean_m) for t, m in points) / spread


def memory_verdict(
    samples: list[tuple[float, float]],
    max_growth_mb: float,
    max_growth_percent: float,
    max_slope_mb_per_hour: float,
) -> MemoryVerdict:
    """Whether resident memory grew over a run, from (seconds since start, MB) samples.

    The first 20% is warm-up (caches filling, first requests of each kind) and is not judged. The
    median of the last 20% is compared with the median of the 20-40% window: a steady server's medians
    agree, a leaking one's differ by what it leaked in half the run. The slope over the second half
    catches a leak too slow for the medians in a short run, extrapolated to an hour.
    """
    if len(samples) < 10:
        return MemoryVerdict(0, 0, 0, 0, 0, (f"only {len(samples)} memory samples: run longer",))
    ordered = sorted(samples)
    end = ordered[-1][0]
    start = ordered[0][0]
    span = end - start

    def window(low: float, high: float) -> list[float]:
        return [m for t, m in ordered if start + low * span <= t <= start + high * span]

    baseline = statistics.median(window(0.2, 0.4))
    final = statistics.median(window(0.8, 1.0))
    growth = final - baseline
    percent = 100 * growth / baseline if baseline else 0.0
    slope = 3600 * _slope([(t, m) for t, m in ordered if t >= start + 0.5 * span])
    problems = []
    if growth > max_growth_mb:
        problems.append(f"RSS grew {growth:.1f} MB (more than {max_growth_mb:g} MB)")
    if percent > max_growth_percent:
        problems.append(f"RSS grew {percent:.1f}% (more than {max_growth_percent:g}%)")
    if slope > max_slope_mb_per_hour:
        problems.append(
            f"RSS rises {slope:.0f} MB/hour over the second half (more than {max_slope_mb_per_hour:g})"
        )
    return MemoryVerdict(baseline, final, growth, percent, slope, tuple(problems))


# --- the run ---------------------------------------------------------------------------------------


@dataclass
class SoakResult:
    seconds: float
    readers: int
    recorder: Recorder
    reports_seeded: int
    reports_written: int
    rss: list[tuple[float, float]]
    verdict: MemoryVerdict
    server_cpu_seconds: float
    tracebacks: list[str]
    store_kind: str
    listening_mb: float  # before the first report loaded the NLP pipelines

    @property
    def errors(self) -> int:
        return self.recorder.error_count + len(self.tracebacks)

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.verdict.ok


@dataclass(frozen=True)
class Limits:
    max_growth_mb: float = 30.0
    max_growth_percent: float = 15.0
    max_slope_mb_per_hour: float = 60.0


@contextlib.contextmanager
def serving(database_url: str | None) -> Iterator[tuple[Server, Accounts, str]]:
    with tempfile.TemporaryDirectory(prefix="liaison-soak-") as scratch_name:
        scratch = Path(scratch_name)
        url = database_url or f"sqlite:///{scratch / 'liaison.db'}"
        accounts = prepare_store(url)
        server = start_server(url, scratch)
        try:
            yield server, accounts, url
        finally:
            server.stop()


def run_soak(
    seconds: float,
    readers: int,
    write_interval: float,
    seed_reports: int = 8,
    database_url: str | None = None,
    limits: Limits = Limits(),
    timeout: float = 60.0,
    seed: int = 1,
    progress: Callable[[str], None] = lambda message: None,
) -> SoakResult:
    with serving(database_url) as (server, accounts, url):
        recorder = Recorder()
        home_writer = Client(server.port, accounts.home_token, recorder, timeout)
        rng = random.Random(seed)
        listening_mb = process_rss_mb(server.process.pid)
        seeded = sum(post_report(home_writer, serial, rng) for serial in range(seed_reports))
        home_writer.close()
        if recorder.error_count:
            raise RuntimeError(f"seeding failed: {recorder.messages[:3]}")
        progress(
            f"server on port {server.port}, {seeded} reports seeded, "
            f"RSS {process_rss_mb(server.process.pid):.0f} MB"
        )
        recorder = Recorder()  # the seeding (model loading) is not part of the run
        stop = threading.Event()
        rss: list[tuple[float, float]] = []
        cpu_before = process_cpu_seconds(server.process.pid)
        start = time.monotonic()
        threads = [threading.Thread(target=sample_memory, args=(server.process.pid, stop, rss, start))]
        for number in range(readers):
            home = number % 2 == 0
            client = Client(
                server.port, accounts.home_token if home else accounts.partner_token, recorder, timeout
            )
            collection = accounts.home_collection if home else accounts.partner_collection
            threads.append(threading.Thread(target=reader, args=(client, collection, stop, seed + number)))
        written: list[int] = []
        if write_interval > 0:  # 0: readers only (to tell where memory goes)
            write_client = Client(server.port, accounts.home_token, recorder, timeout)
            threads.append(
                threading.Thread(
                    target=lambda: written.append(
                        writer(write_client, stop, write_interval, seed_reports, seed)
                    )
                )
            )
        for thread in threads:
            thread.start()
        deadline = start + seconds
        next_report = start + 60
        while time.monotonic() < deadline:
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
            if time.monotonic() >= next_report:
                next_report += 60
                progress(
                    f"{time.monotonic() - start:.0f} s: {recorder.requests:,} requests, "
                    f"{recorder.error_count} errors, RSS {rss[-1][1]:.0f} MB"
                )
            if server.process.poll() is not None:
                recorder.fail("server", f"liaison serve exited with {server.process.returncode}")
                break
        stop.set()
        for thread in threads:
            thread.join(timeout + 5)
        elapsed = time.monotonic() - start
        cpu = process_cpu_seconds(server.process.pid) - cpu_before if server.process.poll() is None else 0.0
        tracebacks = server.tracebacks()
        verdict = memory_verdict(
            rss, limits.max_growth_mb, limits.max_growth_percent, limits.max_slope_mb_per_hour
        )
        return SoakResult(
            seconds=elapsed,
            readers=readers,
            recorder=recorder,
            reports_seeded=seeded,
            reports_written=written[0] if written else 0,
            rss=rss,
            verdict=verdict,
            server_cpu_seconds=cpu,
            tracebacks=tracebacks,
            store_kind="PostgreSQL" if url.startswith("postgresql") else "SQLite (WAL)",
            listening_mb=listening_mb,
        )


# --- the report ------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary_table(result: SoakResult) -> list[str]:
    recorder = result.recorder
    lines = [
        "| route group | requests | requests/s | errors | p50 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    every: list[float] = []
    for group in sorted(recorder.latencies):
        values = recorder.latencies[group]
        every += values
        lines.append(
            f"| {group} | {len(values):,} | {len(values) / result.seconds:,.1f} | {recorder.errors[group]} | "
            f"{1000 * percentile(values, 0.5):,.1f} ms | {1000 * percentile(values, 0.99):,.1f} ms | "
            f"{1000 * max(values):,.0f} ms |"
        )
    lines.append(
        f"| **all** | **{len(every):,}** | **{len(every) / result.seconds:,.1f}** | "
        f"**{recorder.error_count}** | {1000 * percentile(every, 0.5):,.1f} ms | "
        f"{1000 * percentile(every, 0.99):,.1f} ms | {1000 * max(every, default=0):,.0f} ms |"
    )
    return lines


def memory_lines(result: SoakResult, limits: Limits) -> list[str]:
    rss = [m for _, m in sorted(result.rss)]
    verdict = result.verdict
    outcome = "no growth" if verdict.ok else "**" + "; ".join(verdict.problems) + "**"
    tenths = (
        [
            statistics.median(m for t, m in result.rss if tenth * span <= t <= (tenth + 1) * span)
            for tenth in range(10)
            for span in [max(t for t, _ in result.rss) / 10]
        ]
        if len(result.rss) >= 20
        else []
    )
    return [
        "RSS over the run (median of each tenth, MB): " + ", ".join(f"{m:,.0f}" for m in tenths) + ".",
        "",
        "| server RSS | MB |",
        "|---|---:|",
        f"| first sample | {rss[0]:,.1f} |" if rss else "| first sample | - |",
        f"| median, 20-40% of the run (baseline) | {verdict.baseline_mb:,.1f} |",
        f"| median, last 20% of the run | {verdict.final_mb:,.1f} |",
        f"| last sample | {rss[-1]:,.1f} |" if rss else "| last sample | - |",
        f"| peak | {max(rss, default=0):,.1f} |",
        "",
        f"Growth (last 20% against 20-40%): {verdict.growth_mb:+,.1f} MB ({verdict.growth_percent:+.1f}%); "
        f"least-squares slope over the second half: {verdict.slope_mb_per_hour:+,.1f} MB/hour. Limits: "
        f"{limits.max_growth_mb:g} MB, {limits.max_growth_percent:g}%, {limits.max_slope_mb_per_hour:g} "
        f"MB/hour. Verdict: {outcome}.",
    ]


def git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    return result.stdout.strip() + (" (with uncommitted changes in src/)" if dirty else "")


def render(result: SoakResult, command: str, commit: str, limits: Limits) -> str:
    import psutil

    load = os.getloadavg()
    lines = [
        SECTION,
        "",
        f"Command: `{command}` on commit {commit}, {datetime.now(UTC):%Y-%m-%d}. Machine: "
        f"{os.cpu_count()} logical CPUs, {psutil.virtual_memory().total / 1024**3:.0f} GiB RAM, "
        f"{platform.machine()}, Python {platform.python_version()}, shared with other work (load average "
        f"{load[0]:.1f} at the end of the run). `make test` runs the same code for 30 seconds "
        "(`tests/test_soak.py`, 2 readers).",
        "",
        f"`liaison serve` (one uvicorn process, {result.store_kind} store) on 127.0.0.1 for "
        f"{result.seconds / 60:.1f} minutes: {result.readers} reader threads (half with a home analyst's "
        "API token, half with a partner's, whose organisation has an AMBER agreement) looping over REST "
        "and TAXII 2.1 reads, and one writer posting a new report through `POST /api/reports` every "
        f"few seconds ({result.reports_written} reports during the run, after {result.reports_seeded} "
        "seeded before it). Every response checked: expected status (200; 201 for an ingest that stored "
        "its report), a JSON body of the expected shape; 5xx, 429, timeouts and connection errors are "
        f"errors, as is a traceback in the server's log. Server CPU over the run: "
        f"{result.server_cpu_seconds:,.0f} s.",
        "",
        *summary_table(result),
        "",
        f"Errors: **{result.errors}** ({result.recorder.error_count} in responses, "
        f"{len(result.tracebacks)} tracebacks in the server log).",
        "",
        *memory_lines(result, limits),
        "",
        f"Why these limits: the server's memory is mostly fixed cost (RSS {result.listening_mb:,.0f} MB once "
        f"listening, {result.rss[0][1] if result.rss else 0:,.0f} MB once the first reports had loaded the "
        "spaCy pipelines), so a percentage alone would hide a leak of tens of MB; 30 MB over a run is more "
        "than SQLite's page caches (2 MB per pooled connection), SQLAlchemy's statement cache and the "
        "allocator's arenas settle at, and 60 MB/hour is 1.4 GB a day, a leak no operator would accept. "
        "The first 20% of the run is warm-up and not judged.",
    ]
    if result.recorder.messages or result.tracebacks:
        lines += ["", "First errors:", ""]
        lines += [f"- `{m[:300]}`" for m in [*result.recorder.messages[:10], *result.tracebacks[:5]]]
    return "\n".join(lines) + "\n"


def command_line(args: argparse.Namespace) -> str:
    options = [".venv/bin/python bench/soak.py"]
    for name, default in DEFAULTS.items():
        value = getattr(args, name)
        if value != default:
            options.append(
                f"--{name.replace('_', '-')} {value:g}"
                if isinstance(value, float)
                else f"--{name.replace('_', '-')} {value}"
            )
    if args.database_url:
        options.append("--database-url URL")
    if args.write:
        options.append(f"--write {args.write}")
    return " ".join(options)


DEFAULTS: dict[str, Any] = {
    "seconds": 600.0,
    "readers": 4,
    "write_interval": 3.0,
    "seed_reports": 8,
    "timeout": 60.0,
    "max_growth_mb": Limits.max_growth_mb,
    "max_growth_percent": Limits.max_growth_percent,
    "max_slope_mb_per_hour": Limits.max_slope_mb_per_hour,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    for name, default in DEFAULTS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temp dir)")
    parser.add_argument("--write", type=Path, help="write the Soak section of that Markdown file")
    parser.add_argument("--samples", type=Path, help="save the RSS samples and first errors there (JSON)")
    args = parser.parse_args()
    commit = git_commit()
    limits = Limits(args.max_growth_mb, args.max_growth_percent, args.max_slope_mb_per_hour)
    result = run_soak(
        args.seconds,
        args.readers,
        args.write_interval,
        args.seed_reports,
        args.database_url,
        limits,
        args.timeout,
        progress=lambda message: print(message, flush=True),
    )
    section = render(result, command_line(args), commit, limits)
    if args.samples:
        raw = {"rss": result.rss, "errors": result.recorder.messages, "tracebacks": result.tracebacks}
        args.samples.write_text(json.dumps(raw), "utf-8")
    print(section)
    if args.write:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from typing_layers import write_section

        write_section(args.write, section)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
