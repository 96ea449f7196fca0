"""Reading inputs: every supported kind, metadata, and every kind of bad input named clearly."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from liaison.domain import TLP, Marking, Report
from liaison.errors import InputError
from liaison.ingest import ReportMetadata, read_paths

LIMIT = 1_000_000


def read_all(*paths: Path, metadata: ReportMetadata | None = None, encoding: str | None = None) -> list:
    return list(read_paths(list(paths), LIMIT, metadata, encoding))


def test_text_file_first_line_is_the_title_and_text_is_kept_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Police chiefs meet in Madrid\nThe two chiefs met on Monday.\n", encoding="utf-8")
    [report] = read_all(path)
    assert isinstance(report, Report)
    assert report.title == "Police chiefs meet in Madrid"
    assert report.text == "Police chiefs meet in Madrid\nThe two chiefs met on Monday."
    assert report.origin == str(path)


def test_markdown_front_matter_gives_metadata(tmp_path: Path) -> None:
    path = tmp_path / "b.md"
    path.write_text(
        "---\ntitle: Joint operation\nsource: Wire\nurl: https://example.org/a\npublished: 2023-03-14\n"
        "language: fr\ntlp: amber\n---\n\nLa police a arrêté dix personnes.\n",
        encoding="utf-8",
    )
    [report] = read_all(path)
    assert report.title == "Joint operation"
    assert report.source == "Wire"
    assert report.published == date(2023, 3, 14)
    assert report.language == "fr"
    assert report.marking == Marking(TLP.AMBER)
    assert report.text == "La police a arrêté dix personnes."


def test_bad_front_matter_key_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.md"
    path.write_text("---\ntitle: x\nauthorr: y\n---\nBody text.\n", encoding="utf-8")
    [error] = read_all(path)
    assert isinstance(error, InputError)
    assert error.source == f"{path}:3"


def test_cli_metadata_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text("---\nsource: A\npublished: 2020-01-01\n---\nText here.\n", encoding="utf-8")
    metadata = ReportMetadata(source="B", published=date(2021, 2, 3), marking=Marking(TLP.RED))
    [report] = read_all(path, metadata=metadata)
    assert (report.source, report.published, report.marking.tlp) == ("B", date(2021, 2, 3), TLP.RED)


def test_html_article_text_and_metadata_without_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "e.html"
    path.write_text(
        "<!doctype html><html><head><title>Chiefs meet - Daily</title>"
        '<meta property="article:published_time" content="2023-03-14T10:00:00Z">'
        '<meta property="og:site_name" content="The Daily"></head><body>'
        "<nav><a href='/'>Home</a> <a href='/world'>World news menu</a></nav>"
        "<article><h1>Chiefs meet</h1><p>The police chiefs of France and Spain met in Madrid on Monday to "
        "discuss terrorism and organised crime along their shared border.</p><p>They agreed to exchange "
        "liaison officers and to hold a joint exercise next year.</p></article>"
        "<footer>Copyright The Daily. All rights reserved. Subscribe to our newsletter.</footer>"
        "</body></html>",
        encoding="utf-8",
    )
    [report] = read_all(path)
    assert isinstance(report, Report), report
    assert report.title == "Chiefs meet"
    assert report.source == "The Daily"
    assert report.published == date(2023, 3, 14)
    assert "liaison officers" in report.text
    assert "Copyright" not in report.text and "newsletter" not in report.text


def test_jsonl_records_keep_their_ids_and_bad_lines_are_named(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    good = {"id": "r1", "title": "T", "text": "Body one.", "published": "2022-09-20", "language": "en"}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"title": "no text"}),
        "",
        json.dumps({"id": "r4", "text": "Body four.", "extra": 1}),
        json.dumps({"id": "r5", "text": "Five."}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = read_all(path)
    assert [r.external_id if isinstance(r, Report) else r.source for r in results] == [
        "r1",
        f"{path}:2",
        f"{path}:3",
        f"{path}:5",
        "r5",
    ]
    assert "invalid JSON" in str(results[1])
    assert "no 'text'" in str(results[2])
    assert "unknown field(s) extra" in str(results[3])


def test_json_list_of_records(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text(json.dumps([{"text": "One."}, {"text": 5}]), encoding="utf-8")
    first, second = read_all(path)
    assert isinstance(first, Report) and first.text == "One."
    assert isinstance(second, InputError) and second.source == f"{path}[1]"


def test_deeply_nested_json_is_refused_without_recursion(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    [error] = read_all(path)
    assert isinstance(error, InputError) and "nested deeper" in str(error)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b"  \n\n ", "the file is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin1.txt", "Sécurité intérieure".encode("latin-1"), "is not valid utf-8 (byte 1"),
        ("page.html", b"<html><body><nav>menu</nav></body></html>", "no article text"),
        ("broken.html", b"<<<>>>\x3c!--", "no article text"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file kind '.pdf'"),
        ("bad.json", b"{", "invalid JSON"),
    ],
)
def test_bad_inputs_get_one_clear_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    [error] = read_all(path)
    assert isinstance(error, InputError)
    assert str(error).startswith(str(path))
    assert message in str(error)


def test_oversized_file_is_refused_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000, encoding="utf-8")
    [error] = list(read_paths([path], 100))
    assert isinstance(error, InputError)
    assert "over the 100-byte limit" in str(error)


def test_unreadable_and_missing_paths(tmp_path: Path) -> None:
    directory_named_like_a_file = tmp_path / "folder.txt"
    directory_named_like_a_file.mkdir()
    (directory_named_like_a_file / "inner.txt").write_text("Inner report text.", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    broken_link = tmp_path / "link.txt"
    broken_link.symlink_to(tmp_path / "nowhere.txt")
    results = read_all(missing, broken_link, directory_named_like_a_file)
    assert isinstance(results[0], InputError) and "no such file" in str(results[0])
    assert isinstance(results[1], InputError) and str(results[1]).startswith(str(broken_link))
    assert isinstance(results[2], Report) and results[2].text == "Inner report text."


def test_explicit_encoding_and_bom(tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Sécurité intérieure et police.".encode("latin-1"))
    [report] = read_all(latin, encoding="latin-1")
    assert isinstance(report, Report) and report.text.startswith("Sécurité")
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Coopération policière.".encode("utf-16"))
    [report16] = read_all(utf16)
    assert isinstance(report16, Report) and report16.text == "Coopération policière."


def test_directories_are_read_recursively_in_order_skipping_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Second.", encoding="utf-8")
    (tmp_path / "1.md").write_text("First.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    (tmp_path / "ignored.csv").write_text("a,b", encoding="utf-8")
    assert [r.text for r in read_all(tmp_path)] == ["First.", "Second."]


def test_html_in_a_declared_legacy_charset_is_decoded(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        "<title>Sécurité</title></head><body><article><p>La coopération policière entre la France et "
        "l’Espagne s’est renforcée après la réunion de Madrid sur la sécurité intérieure.</p></article>"
        "</body></html>"
    )
    path = tmp_path / "legacy.html"
    path.write_bytes(page.encode("windows-1252"))
    [report] = read_all(path)
    assert isinstance(report, Report), report
    assert "coopération policière" in report.text and "l’Espagne" in report.text
