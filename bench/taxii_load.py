"""Benchmark: TAXII 2.1 ``GET objects`` under load, Liaison beside medallion, on the same machine.

One run, both servers up side by side on 127.0.0.1, each holding the same generated collection
(``--objects`` STIX 2.1 objects, 100,000 by default, a seeded mix of identities, locations, threat actors,
malware, indicators, relationships, sightings, reports and notes, each marked with an official TLP 2.0
marking definition):

- Liaison: a fresh store (SQLite in a temporary folder, or ``--database-url``: an empty PostgreSQL
  database), a home organisation, a partner with an AMBER agreement, a partner user with an API token;
  the objects are loaded straight into the partner's collection (``Store.apply_publication``, what
  ``liaison.publishing`` materialises and TAXII serves). Served by ``create_app`` on uvicorn, one process,
  access log off. Requests authenticate with the token (``Authorization: Bearer``); one extra round uses
  HTTP Basic (the user's password, Argon2id), the way TAXII clients authenticate by default.
- medallion (its memory backend): the same objects in one collection of its JSON data file, each with its
  manifest entry; Flask's threaded development server (werkzeug; no other WSGI server is installed in the
  venv), one process, request log off; HTTP Basic, as medallion only offers.

The load: ``--clients`` threads, each with one keep-alive connection, each walking the collection 100
objects a page: a walk starts at a random object and follows ``next`` until ``more`` is false or
``--walk-pages`` pages are read, then a new walk starts. Liaison's walks start with
``added_after=<date_added of the chosen object>`` (and repeat it on every page, as taxii2-client does);
medallion cannot answer a first page of an unfiltered ``GET objects`` on a collection this size in any
useful time (its memory backend is quadratic in the collection: see the first-page table this benchmark
prints at small sizes), so each medallion walk starts from a paging session created inside the medallion
process (a bench-only route, not timed) exactly as its first page would have left it, and only its
``next`` pages are measured: the most favourable case for medallion. Every response must be 200 with 100
objects (fewer only on the last page of the collection); anything else counts as an error.

Rounds alternate between the servers (L M, M L, …); each round is ``--seconds`` (medallion:
``--medallion-seconds``, longer, since one request takes seconds) after ``--warmup`` seconds of load that
are not counted; a request counts in a round when it completes inside the window. medallion is restarted
before each of its rounds so that requests left in flight by a round cannot load the next. Reported per
server: requests/s, p50 and p99 latency (medians over the rounds), server CPU per request, and the ratio.
``--profile`` also runs one more Liaison round, from one client, with every server thread under cProfile,
and reports where a request's time goes.

    .venv/bin/python bench/taxii_load.py [--objects 100000] [--clients 8] [--rounds 3] [--seconds 30]
        [--medallion-seconds 60] [--database-url URL] [--profile] [--write docs/benchmarks.md]

The default run takes about eight minutes on two cores; ``--objects 5000 --rounds 1 --seconds 5
--medallion-seconds 10`` checks it works in a minute.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import json
import os
import platform
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

# The benchmarks' sibling modules, whether this file runs as a script or is imported.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_servers import ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## TAXII load: Liaison beside medallion"
PAGE = 100
TARGET_RATIO = 3.0
TAXII_ACCEPT = "application/taxii+json;version=2.1"
PARTNER_USER = "bench-partner"
PARTNER_PASSWORD = "bench-partner-password"
MEDALLION_USER, MEDALLION_PASSWORD = "bench", "bench-password"
MEDALLION_ROOT = "api1"
MEDALLION_COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"

# The official TLP 2.0 marking definitions (liaison.share.markings.MARKING_IDS): what a partner with an
# AMBER agreement may read.
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
MARKINGS = [(TLP_CLEAR, 3), (TLP_GREEN, 5), (TLP_AMBER, 2)]

# The share of each object type in the generated store, roughly that of an intelligence sharing feed.
TYPE_WEIGHTS = {
    "identity": 8,
    "location": 4,
    "threat-actor": 3,
    "intrusion-set": 2,
    "campaign": 2,
    "malware": 3,
    "tool": 1,
    "attack-pattern": 2,
    "vulnerability": 2,
    "indicator": 22,
    "relationship": 26,
    "sighting": 4,
    "report": 11,
    "note": 10,
}
WORDS = (
    "operators targeted ministries across the region using spear-phishing lures themed on trade talks "
    "and energy supply the campaign relied on a loader delivered through compromised websites and "
    "staged commands over encrypted channels analysts assess with moderate confidence that the group "
    "shares infrastructure with earlier activity reported by partners in the spring investigators "
    "observed credential theft lateral movement and exfiltration of diplomatic correspondence"
).split()
COUNTRIES = ["FR", "DE", "BE", "NL", "PL", "UA", "RO", "IT", "ES", "GB", "US", "CN", "RU", "IR", "KP", "TR"]
BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)


def stix_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _Generator:
    """Deterministic STIX 2.1 objects; references point only at objects generated before."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.by_type: dict[str, list[str]] = {}
        self.moment = BASE_TIME
        self.marking_ids = [m for m, _ in MARKINGS]
        self.marking_weights = [w for _, w in MARKINGS]

    def words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def new_id(self, kind: str) -> str:
        return f"{kind}--{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"

    def pick(self, kind: str) -> str | None:
        known = self.by_type.get(kind)
        return self.rng.choice(known) if known else None

    def any_ref(self) -> str | None:
        kind = self.rng.choice(
            ["identity", "threat-actor", "intrusion-set", "malware", "indicator", "location"]
        )
        return self.pick(kind)

    def common(self, kind: str) -> dict[str, Any]:
        self.moment += timedelta(seconds=self.rng.randint(1, 120))
        created = self.moment
        modified = created + timedelta(minutes=self.rng.randint(0, 3000))
        item: dict[str, Any] = {
            "type": kind,
            "spec_version": "2.1",
            "id": self.new_id(kind),
            "created": stix_time(created),
            "modified": stix_time(modified),
        }
        author = self.pick("identity")
        if author is not None and kind != "identity":
            item["created_by_ref"] = author
        item["object_marking_refs"] = self.rng.choices(self.marking_ids, self.marking_weights)
        if self.rng.random() < 0.5:
            item["confidence"] = self.rng.choice([15, 50, 85])
        return item

    def make(self, kind: str) -> dict[str, Any]:
        item = self.common(kind)
        rng = self.rng
        if kind == "identity":
            item["name"] = f"Organisation {rng.randint(1, 10**6)}"
            item["identity_class"] = rng.choice(["organization", "individual", "group"])
            item["sectors"] = [rng.choice(["government-national", "energy", "defense", "telecommunications"])]
        elif kind == "location":
            country = rng.choice(COUNTRIES)
            item["name"] = f"{country} {rng.choice(['capital', 'north', 'coast', 'border'])}"
            item["country"] = country
        elif kind in ("threat-actor", "intrusion-set", "campaign", "malware", "tool", "attack-pattern"):
            item["name"] = f"{kind.title()} {rng.randint(1, 10**5)}"
            item["description"] = self.words(10, 40)
            if kind == "threat-actor":
                item["threat_actor_types"] = [rng.choice(["nation-state", "crime-syndicate", "hacker"])]
                item["aliases"] = [f"Alias {rng.randint(1, 10**5)}" for _ in range(rng.randint(0, 3))]
            elif kind == "malware":
                item["is_family"] = True
                item["malware_types"] = [rng.choice(["backdoor", "remote-access-trojan", "dropper"])]
            elif kind == "attack-pattern":
                technique = f"T{rng.randint(1000, 1700)}"
                item["external_references"] = [
                    {"source_name": "mitre-attack", "external_id": technique},
                ]
        elif kind == "vulnerability":
            cve = f"CVE-{rng.randint(2015, 2024)}-{rng.randint(1000, 49999)}"
            item["name"] = cve
            item["external_references"] = [{"source_name": "cve", "external_id": cve}]
        elif kind == "indicator":
            choice = rng.random()
            if choice < 0.4:
                value = ".".join(str(rng.randint(1, 254)) for _ in range(4))
                item["pattern"] = f"[ipv4-addr:value = '{value}']"
            elif choice < 0.75:
                item["pattern"] = f"[domain-name:value = '{self.words(1, 1)}{rng.randint(1, 9999)}.example']"
            else:
                item["pattern"] = f"[file:hashes.'SHA-256' = '{rng.getrandbits(256):064x}']"
            item["pattern_type"] = "stix"
            item["valid_from"] = item["created"]
            item["indicator_types"] = [rng.choice(["malicious-activity", "attribution", "compromised"])]
            item["name"] = f"Indicator {rng.randint(1, 10**6)}"
        elif kind == "relationship":
            source = self.any_ref() or self.pick("identity")
            target = self.any_ref() or self.pick("identity")
            item["relationship_type"] = rng.choice(
                ["uses", "targets", "indicates", "attributed-to", "related-to"]
            )
            item["source_ref"] = source
            item["target_ref"] = target
        elif kind == "sighting":
            item["sighting_of_ref"] = self.pick("indicator") or self.pick("identity")
            item["count"] = rng.randint(1, 50)
            item["first_seen"] = item["created"]
            item["last_seen"] = item["modified"]
            where = self.pick("identity")
            if where:
                item["where_sighted_refs"] = [where]
        elif kind == "report":
            item["name"] = self.words(4, 10).capitalize()
            item["description"] = self.words(30, 120)
            item["published"] = item["modified"]
            item["report_types"] = [rng.choice(["threat-report", "attack-pattern", "threat-actor"])]
            refs = {r for r in (self.any_ref() for _ in range(rng.randint(3, 25))) if r}
            item["object_refs"] = sorted(refs) or [self.pick("identity")]
        elif kind == "note":
            item["abstract"] = self.words(3, 8)
            item["content"] = self.words(20, 80)
            refs = {r for r in (self.any_ref() for _ in range(rng.randint(1, 4))) if r}
            item["object_refs"] = sorted(refs) or [self.pick("identity")]
        self.by_type.setdefault(kind, []).append(item["id"])
        return item


def generate_objects(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` STIX 2.1 objects, the same for the same seed; the first ones are identities so that
    every later object has an author and references to point at."""
    generator = _Generator(seed)
    kinds = list(TYPE_WEIGHTS)
    weights = [TYPE_WEIGHTS[k] for k in kinds]
    objects = [generator.make("identity") for _ in range(min(count, 50))]
    objects += [generator.make("location") for _ in range(min(count - len(objects), 20))]
    while len(objects) < count:
        objects.append(generator.make(generator.rng.choices(kinds, weights)[0]))
    return objects


def taxii_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- Liaison ---------------------------------------------------------------------------------------


@dataclass
class LiaisonStore:
    database_url: str
    collection_id: str
    token: str
    dates: list[str]  # date_added of every object, in the order served
    load_seconds: float


def prepare_liaison(database_url: str, objects: list[dict[str, Any]]) -> LiaisonStore:
    """A home organisation, a partner with an AMBER agreement and a user with a token, and every object
    in the partner's collection (loading is not what is measured)."""
    from liaison.accounts import create_token, hash_password
    from liaison.domain import TLP, AccountRole
    from liaison.settings import Settings
    from liaison.share.stix_json import canonical_json, version_key
    from liaison.store import Store
    from liaison.store.publication import ObjectFilter, PublishedObject

    start = time.perf_counter()
    with Store.open(Settings(database_url=database_url)) as store:
        store.add_organization("Bench Home", home=True)
        partner = store.add_organization("Bench Partner")
        store.set_agreement("Bench Partner", TLP.AMBER)
        store.add_user(PARTNER_USER, "Bench Partner", AccountRole.PARTNER, hash_password(PARTNER_PASSWORD))
        token, _ = create_token(store, PARTNER_USER, "taxii load benchmark")
        collection_id = store.collection_for(partner.id).id
        for begin in range(0, len(objects), 10_000):
            batch = [
                PublishedObject(
                    stix_id=item["id"],
                    version=item["modified"],
                    version_key=version_key(item["modified"]),
                    type=item["type"],
                    spec_version=item["spec_version"],
                    json=canonical_json(item),
                )
                for item in objects[begin : begin + 10_000]
            ]
            store.apply_publication(collection_id, batch, withdrawn=(), members={})
        rows = store.collection_objects(collection_id, ObjectFilter(versions=("all",)), len(objects) + 1)
    if len(rows) != len(objects):
        raise SystemExit(f"the Liaison collection holds {len(rows)} objects, not {len(objects)}")
    dates = [taxii_timestamp(row.date_added) for row in rows]
    return LiaisonStore(database_url, collection_id, token, dates, time.perf_counter() - start)


LIAISON_SERVER = """
import sys, uvicorn
from liaison.api.app import create_app
from liaison.settings import Settings
url, port, profile_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if profile_path:
    # cProfile follows one thread: give every thread its own profiler (request handlers run in a pool).
    import cProfile, pstats, signal, threading
    profilers = []
    def start_profiler(*_):
        sys.setprofile(None)
        profiler = cProfile.Profile()
        profilers.append(profiler)
        profiler.enable()
    threading.setprofile(start_profiler)
    start_profiler()
app = create_app(Settings(database_url=url))
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
if profile_path:
    merged = None
    for profiler in profilers:
        profiler.disable()
        profiler.create_stats()
        if profiler.stats:
            merged = pstats.Stats(profiler) if merged is None else merged.add(profiler) or merged
    merged.dump_stats(profile_path)
"""


# --- medallion -------------------------------------------------------------------------------------


def write_medallion_config(directory: Path, objects: list[dict[str, Any]]) -> Path:
    """medallion's configuration and data file: one API root, one collection with every object and its
    manifest entry (date_added a millisecond apart, in the generated order)."""
    added = datetime(2025, 1, 1, tzinfo=UTC)
    manifest = [
        {
            "id": item["id"],
            "date_added": taxii_timestamp(added + timedelta(milliseconds=index)),
            "version": item["modified"],
            "media_type": "application/stix+json;version=2.1",
        }
        for index, item in enumerate(objects)
    ]
    data = {
        "/discovery": {
            "title": "medallion (benchmark)",
            "default": f"http://127.0.0.1/{MEDALLION_ROOT}/",
            "api_roots": [f"http://127.0.0.1/{MEDALLION_ROOT}/"],
        },
        MEDALLION_ROOT: {
            "information": {
                "title": "Benchmark API root",
                "versions": [TAXII_ACCEPT],
                "max_content_length": 64 * 1024 * 1024,
            },
            "status": [],
            "collections": [
                {
                    "id": MEDALLION_COLLECTION,
                    "title": "Benchmark collection",
                    "can_read": True,
                    "can_write": False,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": objects,
                    "manifest": manifest,
                }
            ],
        },
    }
    data_path = directory / f"medallion-data-{len(objects)}.json"
    data_path.write_text(json.dumps(data), "utf-8")
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(data_path),
            "session_timeout": 3600,  # paging sessions expire by age: none may expire inside a round
        },
        "users": {MEDALLION_USER: MEDALLION_PASSWORD},
        "taxii": {"max_page_size": PAGE},
    }
    config_path = directory / f"medallion-config-{len(objects)}.json"
    config_path.write_text(json.dumps(config), "utf-8")
    return config_path


MEDALLION_SERVER = """
import logging, sys
import medallion
from flask import request
config, port = sys.argv[1], int(sys.argv[2])
app = medallion.load_app(config)
backend = app.medallion_backend
collection = backend.data[API_ROOT]["collections"][0]

@app.route("/_bench/session", methods=["POST"])
def bench_session():
    # What medallion's first page of GET objects leaves behind: a paging session holding the objects
    # after the first page, in date_added order (the data file's order). Not a TAXII endpoint; not timed.
    offset = int(request.args["offset"])
    return {"next": backend.set_next(list(collection["objects"][offset:]), {"limit": "PAGE_SIZE"})}

logging.getLogger("werkzeug").setLevel(logging.ERROR)
app.run(host="127.0.0.1", port=port, threaded=True)
""".replace("API_ROOT", repr(MEDALLION_ROOT)).replace("PAGE_SIZE", str(PAGE))


# --- servers ---------------------------------------------------------------------------------------


@dataclass
class Server(ServerProcess):
    name: str


def start_server(name: str, code: str, arguments: list[str], scratch: Path, ready_path: str) -> Server:
    port = free_port()
    log = scratch / f"{name}-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", code, *arguments[:1], str(port), *arguments[1:]],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    server = Server(process, port, log, name)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited at start:\n{log.read_text('utf-8', 'replace')[-3000:]}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", ready_path)
            connection.getresponse().read()
            connection.close()
            return server
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"{name} did not start in two minutes")


# --- the load --------------------------------------------------------------------------------------


@dataclass
class Target:
    """How to walk one server's collection."""

    name: str
    port: int
    objects_path: str
    authorization: str
    start_walk: Callable[[http.client.HTTPConnection, random.Random], dict[str, str]]  # first query


@dataclass(frozen=True)
class Sample:
    finished: float
    seconds: float
    first: bool  # the first page of a walk
    ok: bool


def liaison_target(port: int, liaison: LiaisonStore, authorization: str) -> Target:
    def start_walk(_: http.client.HTTPConnection, rng: random.Random) -> dict[str, str]:
        return {"added_after": liaison.dates[rng.randrange(len(liaison.dates))]}

    path = f"/taxii2/api/collections/{liaison.collection_id}/objects/"
    return Target("Liaison", port, path, authorization, start_walk)


def medallion_target(port: int, count: int) -> Target:
    def start_walk(connection: http.client.HTTPConnection, rng: random.Random) -> dict[str, str]:
        connection.request("POST", f"/_bench/session?offset={rng.randrange(count)}")
        response = connection.getresponse()
        session = json.loads(response.read())
        return {"next": session["next"]}

    path = f"/{MEDALLION_ROOT}/collections/{MEDALLION_COLLECTION}/objects/"
    return Target("medallion", port, path, basic(MEDALLION_USER, MEDALLION_PASSWORD), start_walk)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def walk_forever(
    target: Target,
    seed: int,
    walk_pages: int,
    stop: threading.Event,
    samples: list[Sample],
    errors: list[str],
) -> None:
    """One client: walks of up to ``walk_pages`` pages from random starting points, until ``stop``."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=900)
    headers = {"Accept": TAXII_ACCEPT, "Authorization": target.authorization}
    try:
        while not stop.is_set():
            filters = target.start_walk(connection, rng)
            query = {"limit": str(PAGE), **filters}
            first = "next" not in filters
            for _ in range(walk_pages):
                if stop.is_set():
                    break
                began = time.perf_counter()
                connection.request(
                    "GET", f"{target.objects_path}?{urllib.parse.urlencode(query)}", headers=headers
                )
                response = connection.getresponse()
                body = response.read()
                finished = time.perf_counter()
                envelope = json.loads(body) if response.status == 200 else {}
                count, more = len(envelope.get("objects", ())), envelope.get("more") is True
                ok = response.status == 200 and (count == PAGE if more else 0 < count <= PAGE)
                samples.append(Sample(finished, finished - began, first, ok))
                if not ok and len(errors) < 20:
                    errors.append(f"{target.name} {response.status} {count} objects: {body[:200]!r}")
                if not more or not ok:
                    break
                query["next"] = str(envelope["next"])
                first = False
    except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
        if not stop.is_set():  # counts as a failed request; this client stops
            samples.append(Sample(time.perf_counter(), 0.0, False, False))
            errors.append(f"{target.name}: {error!r}")
    finally:
        connection.close()


@dataclass
class Round:
    server: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50: float
    p99: float
    first_p50: float | None
    server_cpu: float  # CPU seconds of the server process in the window
    client_cpu: float
    messages: list[str] = field(default_factory=list)

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu / self.requests if self.requests else float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_round(
    target: Target, server: Server, clients: int, warmup: float, seconds: float, walk_pages: int, seed: int
) -> tuple[Round, list[threading.Thread]]:
    """Load ``target`` for ``warmup`` + ``seconds``; the clients are told to stop, not waited for."""
    stop = threading.Event()
    samples: list[Sample] = []
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=walk_forever,
            args=(target, seed * 1000 + n, walk_pages, stop, samples, errors),
            daemon=True,
        )
        for n in range(clients)
    ]
    server_process = psutil.Process(server.process.pid)
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    window_start = time.perf_counter()
    server_before, client_before = sum(server_process.cpu_times()[:2]), sum(os.times()[:2])
    time.sleep(seconds)
    window_end = time.perf_counter()
    server_cpu = sum(server_process.cpu_times()[:2]) - server_before
    client_cpu = sum(os.times()[:2]) - client_before
    stop.set()
    counted = [s for s in samples if window_start <= s.finished <= window_end]
    good = [s for s in counted if s.ok]
    firsts = [s.seconds for s in good if s.first]
    return Round(
        target.name,
        len(good),
        len(counted) - len(good),
        seconds,
        len(good) / seconds,
        percentile([s.seconds for s in good], 0.50),
        percentile([s.seconds for s in good], 0.99),
        statistics.median(firsts) if firsts else None,
        server_cpu,
        client_cpu,
        errors,
    ), threads


def finish_round(threads: list[threading.Thread], server: Server | None) -> None:
    """Wait for the clients; a server given here is stopped first (its requests may take seconds)."""
    if server is not None:
        server.process.kill()
        server.process.wait()
    for thread in threads:
        thread.join(timeout=60)


# --- medallion's first page ------------------------------------------------------------------------


def medallion_first_pages(
    objects: list[dict[str, Any]], sizes: list[int], scratch: Path
) -> list[tuple[int, float]]:
    """Seconds for medallion to answer the first page of GET objects (no filter) on smaller collections."""
    results = []
    for size in sizes:
        config = write_medallion_config(scratch, objects[:size])
        server = start_server("medallion", MEDALLION_SERVER, [str(config)], scratch, "/")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=900)
            headers = {"Accept": TAXII_ACCEPT, "Authorization": basic(MEDALLION_USER, MEDALLION_PASSWORD)}
            began = time.perf_counter()
            connection.request(
                "GET",
                f"/{MEDALLION_ROOT}/collections/{MEDALLION_COLLECTION}/objects/?limit={PAGE}",
                headers=headers,
            )
            response = connection.getresponse()
            body = json.loads(response.read())
            seconds = time.perf_counter() - began
            if response.status != 200 or len(body.get("objects", ())) != PAGE:
                raise SystemExit(f"medallion's first page on {size} objects: {response.status}")
            results.append((size, seconds))
            print(f"medallion first page, {size:,} objects: {seconds:.2f} s", flush=True)
        finally:
            server.process.kill()
            server.process.wait()
    return results


# --- where Liaison's time goes ---------------------------------------------------------------------


def time_pieces(liaison: LiaisonStore, repeats: int = 300) -> dict[str, float]:
    """Milliseconds per call of each piece of a GET objects request, in this process, one at a time."""
    from liaison.accounts import check_password, check_token, principal_for
    from liaison.settings import Settings
    from liaison.store import Store
    from liaison.store.publication import ObjectFilter

    def per_call(work: Callable[[], Any], most: int = repeats) -> float:
        """Mean of up to ``most`` calls, stopping after a second."""
        work()
        began, calls = time.perf_counter(), 0
        while calls < most and (calls < 3 or time.perf_counter() - began < 1.0):
            work()
            calls += 1
        return 1000 * (time.perf_counter() - began) / calls

    rng = random.Random(5)
    middle = len(liaison.dates) // 2
    with Store.open(Settings(database_url=liaison.database_url), migrate=False) as store:
        user = check_token(store, liaison.token)
        assert user is not None
        rows = store.collection_objects(liaison.collection_id, ObjectFilter(), PAGE + 1, 0)
        after_seq = store.collection_objects(liaison.collection_id, ObjectFilter(), middle, 0)[-1].seq

        def next_page() -> Any:
            return store.collection_objects(liaison.collection_id, ObjectFilter(), PAGE + 1, after_seq)

        def first_page() -> Any:
            moment = datetime.strptime(liaison.dates[rng.randrange(middle)], "%Y-%m-%dT%H:%M:%S.%fZ")
            return store.collection_objects(
                liaison.collection_id, ObjectFilter(added_after=moment.replace(tzinfo=UTC)), PAGE + 1, 0
            )

        def next_page_with_added_after() -> Any:
            moment = datetime.strptime(liaison.dates[middle - 500], "%Y-%m-%dT%H:%M:%S.%fZ")
            where = ObjectFilter(added_after=moment.replace(tzinfo=UTC))
            return store.collection_objects(liaison.collection_id, where, PAGE + 1, after_seq)

        return {
            "token check (SHA-256 + 1 query)": per_call(lambda: check_token(store, liaison.token)),
            "principal (collection, agreement, audience)": per_call(lambda: principal_for(store, user)),
            "password check (Argon2id), Basic only": per_call(
                lambda: check_password(store, PARTNER_USER, PARTNER_PASSWORD), 5
            ),
            "page query, next": per_call(next_page),
            "page query, next with added_after": per_call(next_page_with_added_after),
            "page query, first (added_after)": per_call(first_page),
            "audit append": per_call(
                lambda: store.append_audit(
                    PARTNER_USER, "taxii.read", "/bench", {"count": PAGE, "more": True}
                )
            ),
            "envelope (join stored JSON)": per_call(
                lambda: ('{"more":true,"objects":[' + ",".join(r.json for r in rows[:PAGE]) + "]}").encode()
            ),
        }


def profile_summary(path: Path, latency: float) -> list[str]:
    """Where one request's time goes in the server, from the cumulative times of its pieces."""
    raw: dict[Any, Any] = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]

    def cumulative(file_end: str, function: str) -> tuple[int, float]:
        found = [v for k, v in raw.items() if k[0].endswith(file_end) and k[2] == function]
        return sum(v[1] for v in found), sum(v[3] for v in found)

    requests, route = cumulative("liaison/api/taxii.py", "get_objects")
    _, caller = cumulative("liaison/api/taxii.py", "taxii_caller")
    handler = route + caller
    pieces = {
        "authentication (token, principal)": cumulative("liaison/api/auth.py", "authenticate")[1],
        "parsing the query (page_request)": cumulative("liaison/api/taxii_protocol.py", "page_request")[1],
        "page query (store.collection_objects)": cumulative(
            "liaison/store/publication.py", "collection_objects"
        )[1],
        "audit append (store.append_audit)": cumulative("liaison/store/audit.py", "append_audit")[1],
        "envelope (joining the stored JSON)": cumulative("liaison/api/taxii.py", "_envelope")[1],
    }
    sqlite = sum(v[2] for k, v in raw.items() if k[0] == "~" and "sqlite3" in k[2])
    if not requests:
        return ["(the profile holds no GET objects request)"]
    lines = [
        f"{requests:,} requests from one client, one at a time (so that each piece's time is its own); "
        f"median latency at the client {1000 * latency:.1f} ms, of which the route and its dependency "
        f"{1000 * handler / requests:.1f} ms under cProfile (the rest: uvicorn, FastAPI, the thread pool). "
        f"Time inside SQLite's C calls: {1000 * sqlite / requests:.1f} ms a request.",
        "",
        "| piece of the route | ms/request | share |",
        "|---|---:|---:|",
    ]
    for label, seconds in pieces.items():
        lines.append(f"| {label} | {1000 * seconds / requests:.2f} | {seconds / handler:.0%} |")
    rest = handler - sum(pieces.values())
    lines.append(f"| the rest of the route | {1000 * rest / requests:.2f} | {rest / handler:.0%} |")
    return lines


# --- the run ---------------------------------------------------------------------------------------


def median_of(rounds: list[Round], attribute: str) -> float:
    values = [getattr(r, attribute) for r in rounds]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def milliseconds(seconds: float) -> str:
    return f"{1000 * seconds:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    return result.stdout.strip() + (" (with uncommitted changes in src/)" if dirty else "")


def command_line(args: argparse.Namespace) -> str:
    options = []
    for name, default in DEFAULTS.items():
        value = getattr(args, name)
        if value != default:
            options.append(f"--{name.replace('_', '-')} {value}")
    if args.database_url:
        options.append("--database-url URL")
    if args.profile:
        options.append("--profile")
    if args.write:
        options.append("--write docs/benchmarks.md")
    return " ".join([".venv/bin/python bench/taxii_load.py", *options])


DEFAULTS: dict[str, Any] = {
    "objects": 100_000,
    "seed": 7,
    "clients": 8,
    "rounds": 3,
    "seconds": 30.0,
    "medallion_seconds": 60.0,
    "warmup": 3.0,
    "walk_pages": 50,
    "first_page_sizes": "500,1000,2000",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in DEFAULTS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite in a temp dir)")
    parser.add_argument("--profile", action="store_true", help="one more Liaison round under cProfile")
    parser.add_argument("--write", type=Path, help="write this benchmark's section of that Markdown file")
    args = parser.parse_args()
    started, commit = time.perf_counter(), git_commit()  # the tree may change during the run
    objects = generate_objects(args.objects, args.seed)
    print(f"{len(objects):,} objects generated", flush=True)
    rounds: dict[str, list[Round]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="taxii-load-") as scratch_name:
        scratch = Path(scratch_name)
        sizes = [int(s) for s in args.first_page_sizes.split(",") if s.strip()]
        first_pages = medallion_first_pages(objects, sizes, scratch)
        database_url = args.database_url or f"sqlite:///{scratch / 'liaison.db'}"
        liaison = prepare_liaison(database_url, objects)
        print(f"Liaison store loaded in {liaison.load_seconds:.1f} s", flush=True)
        medallion_config = write_medallion_config(scratch, objects)
        liaison_server = start_server("liaison", LIAISON_SERVER, [database_url, ""], scratch, "/taxii2/")
        pieces = time_pieces(liaison)
        bearer = liaison_target(liaison_server.port, liaison, f"Bearer {liaison.token}")
        try:
            for number in range(args.rounds):
                for name in ("Liaison", "medallion") if number % 2 == 0 else ("medallion", "Liaison"):
                    seed = args.seed + number
                    if name == "Liaison":
                        result, threads = run_round(
                            bearer,
                            liaison_server,
                            args.clients,
                            args.warmup,
                            args.seconds,
                            args.walk_pages,
                            seed,
                        )
                        finish_round(threads, None)
                    else:
                        server = start_server(
                            "medallion", MEDALLION_SERVER, [str(medallion_config)], scratch, "/"
                        )
                        target = medallion_target(server.port, len(objects))
                        result, threads = run_round(
                            target,
                            server,
                            args.clients,
                            args.warmup,
                            args.medallion_seconds,
                            args.walk_pages,
                            seed,
                        )
                        finish_round(threads, server)
                    rounds[name].append(result)
                    report_round(number, result)
            basic_target = liaison_target(liaison_server.port, liaison, basic(PARTNER_USER, PARTNER_PASSWORD))
            result, threads = run_round(
                basic_target,
                liaison_server,
                args.clients,
                args.warmup,
                args.seconds,
                args.walk_pages,
                args.seed,
            )
            finish_round(threads, None)
            rounds["Liaison, HTTP Basic"].append(result)
            report_round(args.rounds, result)
        finally:
            liaison_server.stop()
        profile_lines: list[str] = []
        if args.profile:
            profile_path = scratch / "liaison.prof"
            server = start_server(
                "liaison", LIAISON_SERVER, [database_url, str(profile_path)], scratch, "/taxii2/"
            )
            target = liaison_target(server.port, liaison, f"Bearer {liaison.token}")
            result, threads = run_round(
                target, server, 1, args.warmup, args.seconds, args.walk_pages, args.seed
            )
            finish_round(threads, None)
            server.stop(wait=120)
            profile_lines = profile_summary(profile_path, result.p50)
            print("\n".join(profile_lines), flush=True)
    wall = time.perf_counter() - started
    section = render(args, commit, rounds, first_pages, pieces, profile_lines, liaison, wall)
    print(section)
    if args.write:
        from typing_layers import write_section

        write_section(args.write, section)
    errors = sum(r.errors for rs in rounds.values() for r in rs)
    return 1 if errors else 0


def report_round(number: int, result: Round) -> None:
    first = f", first pages p50 {milliseconds(result.first_p50)}" if result.first_p50 is not None else ""
    print(
        f"round {number + 1} {result.server}: {result.requests} requests in {result.seconds:.0f} s = "
        f"{result.rps:.2f}/s, p50 {milliseconds(result.p50)}, p99 {milliseconds(result.p99)}{first}, "
        f"errors {result.errors}, server CPU {result.server_cpu:.1f} s "
        f"({result.cpu_ms_per_request:.1f} ms a request), client CPU {result.client_cpu:.1f} s",
        flush=True,
    )
    for message in result.messages[:5]:
        print("   ", message, flush=True)


def render(
    args: argparse.Namespace,
    commit: str,
    rounds: dict[str, list[Round]],
    first_pages: list[tuple[int, float]],
    pieces: dict[str, float],
    profile_lines: list[str],
    liaison: LiaisonStore,
    wall: float,
) -> str:
    liaison_rps = median_of(rounds["Liaison"], "rps")
    medallion_rps = median_of(rounds["medallion"], "rps")
    ratio = liaison_rps / medallion_rps if medallion_rps else float("inf")
    per_round = [
        f"{lr.rps / mr.rps:,.0f}×" if mr.rps else "∞"
        for lr, mr in zip(rounds["Liaison"], rounds["medallion"], strict=False)
    ]
    store_kind = "PostgreSQL" if liaison.database_url.startswith("postgresql") else "SQLite (WAL)"
    lines = [
        SECTION,
        "",
        f"Command: `{command_line(args)}` on commit {commit}, "
        f"{datetime.now(UTC):%Y-%m-%d}. Machine: {os.cpu_count()} logical CPUs, "
        f"{psutil.virtual_memory().total / 1024**3:.0f} GiB RAM, {platform.machine()}, "
        f"Python {platform.python_version()}; shared with other work, so figures are medians over rounds. "
        f"Whole run {wall / 60:.1f} min.",
        "",
        f"Both servers on 127.0.0.1, one process each, holding the same {args.objects:,} generated STIX 2.1 "
        f"objects (seed {args.seed}, each with a TLP 2.0 marking) in one collection: Liaison on uvicorn "
        f"(one worker, access log off, {store_kind} store, a partner user's API token), medallion "
        f"{medallion_version()} with its memory backend on Flask's threaded server (werkzeug, request log "
        "off, HTTP Basic; no other WSGI server is installed, and medallion's time is spent in its backend, "
        f"not in the server). {args.clients} client threads with keep-alive connections in one load "
        f"process, each walking the collection {PAGE} objects a page from a random object, up to "
        f"{args.walk_pages} pages a walk. Liaison's walks start with `added_after`; medallion cannot "
        "answer the first page of a collection this size (table below), so its walks start from a paging "
        "session made inside its process, as its first page would have left it, and only its `next` pages "
        f"are measured — the most favourable case for medallion. {args.rounds} "
        f"round{'s' if args.rounds > 1 else ''} per server, alternating; Liaison rounds "
        f"{args.seconds:.0f} s, medallion rounds {args.medallion_seconds:.0f} s (a request takes seconds), "
        f"each after {args.warmup:.0f} s of uncounted load; medallion restarted before each of its rounds. "
        "Every counted response was checked: 200 with 100 objects (fewer only at the end of the "
        "collection). The last row is one more Liaison round authenticating with the user's password "
        "(HTTP Basic, as TAXII clients do by default) instead of the token.",
        "",
        "| server | requests/s | p50 | p99 | server CPU per request | errors | rounds (requests/s) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, results in rounds.items():
        lines.append(
            f"| {name} | {median_of(results, 'rps'):,.2f} | {milliseconds(median_of(results, 'p50'))} | "
            f"{milliseconds(median_of(results, 'p99'))} | "
            f"{statistics.median(r.cpu_ms_per_request for r in results):,.1f} ms | "
            f"{sum(r.errors for r in results)} | {', '.join(f'{r.rps:,.2f}' for r in results)} |"
        )
    verdict = "met" if ratio >= TARGET_RATIO else "**not met**"
    first_liaison = median_of(rounds["Liaison"], "first_p50")
    lines += [
        "",
        f"Liaison / medallion throughput: **{ratio:,.0f}×** (per round: {', '.join(per_round)}); target "
        f"at least {TARGET_RATIO:.0f}× — {verdict}. Liaison's first page of a walk (`added_after`) has a "
        f"median latency of {milliseconds(first_liaison)}; medallion's are not in its figures at all:",
        "",
        "| medallion, first page of `GET objects` (no filter), one request alone | seconds |",
        "|---|---:|",
    ]
    lines += [f"| {size:,} objects | {seconds:.2f} |" for size, seconds in first_pages]
    lines += [
        "",
        "medallion's memory backend deep-copies the whole collection (objects and manifest) twice on every "
        "request, to check that the collection exists and may be read, and sorts and filters a first page "
        "with nested loops over the collection (quadratic or worse: the table above); a `next` page also "
        "scans the whole manifest twice for its date headers. Its cost per request grows with the "
        "collection.",
        "",
        "Pieces of one Liaison request, timed one at a time in the benchmark process against the same "
        "store (milliseconds per call):",
        "",
        "| piece | ms |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {value:.2f} |" for name, value in pieces.items()]
    if profile_lines:
        lines += [
            "",
            "Where the Liaison server's time goes (`--profile`: one more round, every server thread under "
            "cProfile):",
            "",
            *profile_lines,
        ]
    return "\n".join(lines) + "\n"


def medallion_version() -> str:
    from importlib.metadata import version

    return version("medallion")


if __name__ == "__main__":
    sys.exit(main())
