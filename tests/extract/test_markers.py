from __future__ import annotations

from liaison.extract.markers import find_markers


def test_urls_handles_hashtags_and_flags() -> None:
    text = "🇫🇷 Les #USA et la #France, dit @Some_Account https://t.co/x#frag — voir www.example.org/#Maroc"
    markers = find_markers(text)
    assert [text[s:e] for s, e in markers.hashtags] == ["USA", "France"]
    excluded = {text[s:e] for s, e in markers.excluded}
    assert {"@Some_Account", "https://t.co/x#frag", "www.example.org/#Maroc"} <= excluded
    assert [(text[s:e], code) for s, e, code in markers.flags] == [("🇫🇷", "FR")]


def test_email_and_numbers_are_not_hashtags_or_handles() -> None:
    markers = find_markers("Write to press@europol.eu about issue #1 and C#")
    assert markers.hashtags == []
    assert all("europol" not in "x" for _ in markers.excluded)
    assert find_markers("press@europol.eu").excluded == []
