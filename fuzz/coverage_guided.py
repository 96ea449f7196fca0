"""Coverage-guided fuzzing with atheris (libFuzzer) of the parsers that take bytes or text.

    PYTHONPATH=src:. python fuzz/coverage_guided.py --seconds 600                 # every target, 600 s each
    PYTHONPATH=src:. python fuzz/coverage_guided.py --target dates --seconds 60

Hypothesis (``fuzz/run.py``) generates structured hostile inputs; libFuzzer instead mutates bytes and keeps
whatever reaches new branches of Liaison's own code (``liaison.*`` is instrumented on import), so it
explores what the strategies did not think of, at thousands of inputs a second. The property is the
same as in ``fuzz/targets.py``: a result or a ``LiaisonError`` naming the input, nothing else.

Each target runs in its own process; an input that breaks the property is saved under ``--artifacts``
and the target is restarted for the rest of its time, so one crash does not end the run. The table at
the end gives inputs executed (libFuzzer's own count), crashes and seconds per target.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["en", "fr", "de", "", "xx"]
FILE_SUFFIXES = [".txt", ".md", ".html", ".json", ".jsonl", ".xml", ".rss"]

# Seeds: small valid inputs per target, so mutation starts inside each format rather than at zero bytes.
SEEDS: dict[str, list[bytes]] = {
    "dates": [
        b"\x00\x10On 3 March 2021, last Monday, two weeks ago, between 1999 and 2000, Q3 2024.",
        b"\x01\x20Le 1er mars 2022, hier, il y a deux semaines, en juin.",
        b"\x02\x00Published: 2022-09-14T10:00:00Z. Updated 14/09/2022.",
    ],
    "feeds": [
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A</title>'
        b"<link>https://example.org/a</link><pubDate>Wed, 14 Sep 2022 10:00:00 GMT</pubDate>"
        b"<description>&lt;p&gt;Police met.&lt;/p&gt;</description></item></channel></rss>",
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
        b"<entry><id>urn:x</id><title>E</title><updated>2022-09-14T10:00:00Z</updated>"
        b'<content type="html">&lt;b&gt;x&lt;/b&gt;</content><link href="https://example.org/e"/></entry></feed>',
    ],
    "stix": [
        b'{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"identity",'
        b'"spec_version":"2.1","id":"identity--311b2d2d-f010-4473-83ec-1edf84858f4c","created":'
        b'"2022-09-14T10:00:00.000Z","modified":"2022-09-14T10:00:00.000Z","name":"A","identity_class":'
        b'"organization"},{"type":"report","spec_version":"2.1","id":"report--84e4d88f-44ea-4bcd-bbf3-'
        b'b2c1c320bcb3","created":"2022-09-14T10:00:00.000Z","modified":"2022-09-14T10:00:00.000Z","name":'
        b'"R","published":"2022-09-14T10:00:00Z","report_types":["x"],"object_refs":["identity--311b2d2d-'
        b'f010-4473-83ec-1edf84858f4c"]}]}',
    ],
    "misp": [
        b'{"Event":{"info":"Meeting","date":"2022-09-14","uuid":"5d0092c5-5f74-4287-9642-33f4c354e56d",'
        b'"distribution":1,"timestamp":"1663149600","Orgc":{"name":"CERT"},"Tag":[{"name":"tlp:green"}],'
        b'"Attribute":[{"type":"target-org","value":"Ministry","category":"Targeting data"}],'
        b'"Object":[{"name":"person","Attribute":[{"object_relation":"first-name","type":"first-name",'
        b'"value":"Ann"},{"object_relation":"last-name","type":"last-name","value":"Lee"}]}]}}',
    ],
    "files": [
        b"\x00---\ntitle: T\npublished: 2022-09-14\ntlp: amber\n---\nThe minister met the envoy.",
        b"\x02<html><head><meta charset=utf-8><title>T</title></head><body><article><p>Text "
        b"<b>here</b></p></article><script>x</script></body></html>",
        b'\x04[{"title":"T","text":"Police arrested two men.","published":"2022-09-14","tlp":"green"}]',
        b'\x05{"text":"a"}\n{"text":"b","language":"fr"}\n',
    ],
}


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def fuzz_dates(data: bytes) -> None:
    from fuzz.targets import check_dates

    if len(data) < 2:
        return
    language = LANGUAGES[data[0] % len(LANGUAGES)]
    dct = None if data[1] == 0 else date(2022, 9, 14) + timedelta(days=(data[1] - 128) * 97)
    check_dates((_text(data[2:]), dct, language))


def fuzz_feeds(data: bytes) -> None:
    from fuzz.targets import check_feed

    check_feed(data)


def fuzz_stix(data: bytes) -> None:
    from fuzz.targets import check_stix

    check_stix(data)
    check_stix(_text(data))


def fuzz_misp(data: bytes) -> None:
    from fuzz.targets import check_misp

    check_misp(data)


def fuzz_files(data: bytes) -> None:
    from fuzz.targets import check_files

    if not data:
        return
    check_files((FILE_SUFFIXES[data[0] % len(FILE_SUFFIXES)], data[1:]))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "dates": fuzz_dates,
    "feeds": fuzz_feeds,
    "stix": fuzz_stix,
    "misp": fuzz_misp,
    "files": fuzz_files,
}


def child(target: str, seconds: int, corpus: Path, artifacts: Path) -> None:
    """Runs inside the fuzzing process: instrument Liaison, then hand the loop to libFuzzer."""
    import atheris

    with atheris.instrument_imports(include=["liaison"]):
        # Imported here so that libFuzzer sees their branches; the targets import them again by name.
        import liaison.extract.timex
        import liaison.ingest
        import liaison.share.misp_import
        import liaison.share.stix_import  # noqa: F401

    corpus.mkdir(parents=True, exist_ok=True)
    if not any(corpus.iterdir()):
        for number, seed in enumerate(SEEDS[target]):
            (corpus / f"seed-{number}").write_bytes(seed)
    artifacts.mkdir(parents=True, exist_ok=True)
    args = [
        sys.argv[0],
        str(corpus),
        f"-max_total_time={seconds}",
        "-max_len=4096",
        "-timeout=20",
        "-rss_limit_mb=4096",
        "-print_final_stats=1",
        f"-artifact_prefix={artifacts}/{target}-",
    ]
    atheris.Setup(args, TARGETS[target])
    atheris.Fuzz()


EXECUTED = re.compile(r"stat::number_of_executed_units:\s*(\d+)")
PROGRESS = re.compile(r"^#(\d+)\s", re.MULTILINE)


def run_target(target: str, seconds: int, workdir: Path) -> tuple[int, int, float]:
    """Runs one target for ``seconds``, restarting after each crash; (inputs, crashes, seconds)."""
    inputs, crashes, started = 0, 0, time.monotonic()
    while (left := int(seconds - (time.monotonic() - started))) > 0:
        log = workdir / f"{target}.log"
        command = [sys.executable, __file__, "--child", target, "--seconds", str(left)]
        with log.open("w") as output:
            process = subprocess.run(
                [*command, "--workdir", str(workdir)],
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
            )
        text = log.read_text(errors="replace")
        executed = EXECUTED.findall(text) or PROGRESS.findall(text)[-1:] or ["0"]
        inputs += int(executed[-1])
        if process.returncode != 0:
            crashes += 1
            print(f"\n=== crash in {target} (exit {process.returncode}) ===\n{text[-4000:]}", flush=True)
            if left < 5:
                break
    return inputs, crashes, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", action="append", choices=sorted(TARGETS), help="repeatable")
    parser.add_argument("--seconds", type=int, default=60, help="time per target")
    parser.add_argument("--workdir", type=Path, default=None, help="corpus and crashes (default: temp)")
    parser.add_argument("--child", choices=sorted(TARGETS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="liaison-atheris-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args.child, args.seconds, workdir / "corpus" / args.child, workdir / "artifacts")
        return 0
    print(f"corpus and crash artifacts under {workdir}", flush=True)
    rows = []
    for target in args.target or sorted(TARGETS):
        inputs, crashes, seconds = run_target(target, args.seconds, workdir)
        rows.append((target, inputs, crashes, seconds))
        print(f"{target}: {inputs} inputs, {crashes} crash(es), {seconds:.0f} s", flush=True)
    from fuzz.summary import print_summary

    return print_summary(rows)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
