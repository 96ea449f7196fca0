"""Feeds: every RSS version and Atom, dates, keys, broken and hostile documents, encodings."""

from __future__ import annotations

from datetime import date

import feedparser
import pytest

from liaison.domain import TLP, Marking
from liaison.errors import InputError
from liaison.ingest import FeedEntry, entry_report, parse_feed

SOURCE = "https://feeds.example/feed.xml"

RSS091 = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91">
  <channel>
    <title>Gendarmerie news</title>
    <link>https://news.example/</link>
    <description>Old-style feed</description>
    <language>fr</language>
    <item>
      <title>Arrest in Lyon</title>
      <link>https://news.example/lyon</link>
      <description>Two suspects were arrested &lt;b&gt;on Monday&lt;/b&gt;.</description>
    </item>
    <item>
      <title>Seizure at the port</title>
      <link>https://news.example/port</link>
      <description>Customs seized 200 kg.</description>
    </item>
  </channel>
</rss>
"""

RSS10 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://wire.example/rss">
    <title>Wire RDF</title>
    <link>https://wire.example/</link>
    <description>RSS 1.0</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://wire.example/a"/><rdf:li rdf:resource="https://wire.example/b"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://wire.example/a">
    <title>Summit in Vienna</title>
    <link>https://wire.example/a</link>
    <description>Ministers met in Vienna.</description>
    <dc:date>2023-03-14T22:30:00-05:00</dc:date>
    <dc:creator>Jane Roe</dc:creator>
  </item>
  <item rdf:about="https://wire.example/b">
    <title>No date here</title>
    <link>https://wire.example/b</link>
    <description>Undated item.</description>
  </item>
</rdf:RDF>
"""

RSS20 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Agency feed</title>
    <link>https://agency.example/</link>
    <description>RSS 2.0</description>
    <item>
      <title>Raid on &lt;i&gt;cyber&lt;/i&gt; gang</title>
      <link>https://agency.example/raid</link>
      <guid isPermaLink="false">agency-2023-0001</guid>
      <pubDate>Tue, 14 Mar 2023 22:30:00 -0500</pubDate>
      <description>Short summary.</description>
      <content:encoded><![CDATA[<p>Police <b>raided</b> the gang.</p>
        <script>alert("x")</script><p>Ten people were held.</p>]]></content:encoded>
      <dc:creator>John Doe</dc:creator>
    </item>
    <item>
      <title>Bad date</title>
      <guid>https://agency.example/bad-date</guid>
      <pubDate>not a date at all</pubDate>
      <description>Text.</description>
    </item>
    <item>
      <description>Only a description, no title, no link, no guid.</description>
    </item>
  </channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Ministry news</title>
  <link href="https://ministry.example/"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2023-03-15T10:00:00Z</updated>
  <entry>
    <title type="html">Treaty &lt;em&gt;signed&lt;/em&gt;</title>
    <link rel="alternate" href="https://ministry.example/treaty"/>
    <id>tag:ministry.example,2023:treaty</id>
    <published>2023-03-13T09:00:00+01:00</published>
    <updated>2023-03-15T10:00:00Z</updated>
    <author><name>Press Office</name></author>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>The treaty was signed.</p><p>It enters into force in May.</p></div></content>
  </entry>
  <entry>
    <title>Only updated</title>
    <link href="/relative"/>
    <id>tag:ministry.example,2023:updated</id>
    <updated>2023-03-16T23:59:00Z</updated>
    <summary>Summary text.</summary>
  </entry>
</feed>
"""
RSS092 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="0.92">
  <channel>
    <title>Coast guard</title>
    <link>https://coast.example/</link>
    <description>RSS 0.92: items may have only a description</description>
    <item>
      <description>Boat intercepted off Crete.</description>
      <enclosure url="https://coast.example/photo.jpg" length="1000" type="image/jpeg"/>
    </item>
    <item>
      <title>Rescue at sea</title>
      <link>https://coast.example/rescue</link>
      <description>Forty people rescued.</description>
    </item>
  </channel>
</rss>
"""


def test_rss_091() -> None:
    feed = parse_feed(RSS091, SOURCE)
    assert feed.title == "Gendarmerie news"
    assert feed.link == "https://news.example/"
    assert feed.warnings == ()
    first, second = feed.entries
    assert first == FeedEntry(
        key="https://news.example/lyon",
        url="https://news.example/lyon",
        title="Arrest in Lyon",
        published=None,
        summary="Two suspects were arrested on Monday.",
        author=None,
    )
    assert second.title == "Seizure at the port"


def test_rss_092_item_without_title_or_link_gets_a_content_key() -> None:
    feed = parse_feed(RSS092, SOURCE)
    untitled, rescue = feed.entries
    assert untitled.title is None
    assert untitled.url is None
    assert untitled.summary == "Boat intercepted off Crete."
    assert untitled.key.startswith("sha256:")
    assert untitled.key == parse_feed(RSS092, "elsewhere.xml").entries[0].key  # stable across parses
    assert rescue.key == "https://coast.example/rescue"
    assert feed.warnings == ("entry 1 has no link",)


def test_rss_10_rdf_with_dublin_core_dates_and_creators() -> None:
    feed = parse_feed(RSS10, SOURCE)
    assert feed.title == "Wire RDF"
    dated, undated = feed.entries
    assert dated.key == "https://wire.example/a"
    assert dated.title == "Summit in Vienna"
    assert dated.published == date(2023, 3, 14)  # the publisher's date, not UTC's 15 March
    assert dated.author == "Jane Roe"
    assert undated.published is None


def test_rss_20_guid_content_encoded_and_local_dates() -> None:
    feed = parse_feed(RSS20, SOURCE)
    raid, bad_date, bare = feed.entries
    assert raid.key == "agency-2023-0001"
    assert raid.url == "https://agency.example/raid"
    assert raid.title == "Raid on cyber gang"
    assert raid.published == date(2023, 3, 14)
    assert raid.summary == "Police raided the gang.\n\nTen people were held."  # content:encoded wins
    assert raid.author == "John Doe"
    assert bad_date.key == "https://agency.example/bad-date"
    assert bad_date.published is None
    assert bare.title is None
    assert bare.url is None
    assert "entry 3 has no link" in feed.warnings


def test_atom_published_then_updated_and_relative_links() -> None:
    feed = parse_feed(ATOM, SOURCE)
    assert feed.title == "Ministry news"
    assert feed.link == "https://ministry.example/"
    treaty, updated = feed.entries
    assert treaty.key == "tag:ministry.example,2023:treaty"
    assert treaty.title == "Treaty signed"
    assert treaty.published == date(2023, 3, 13)
    assert treaty.summary == "The treaty was signed.\n\nIt enters into force in May."
    assert treaty.author == "Press Office"
    assert updated.published == date(2023, 3, 16)
    assert updated.url == "https://feeds.example/relative"  # resolved against the feed's URL


def test_broken_xml_with_recoverable_entries_gives_a_warning() -> None:
    broken = RSS20.replace(b"<title>Bad date</title>", b"<title>Bad & date</title>")
    feed = parse_feed(broken, SOURCE)
    assert [entry.key for entry in feed.entries] == [entry.key for entry in parse_feed(RSS20, SOURCE).entries]
    assert feed.entries[1].title == "Bad & date"
    assert any(warning.startswith("the feed is not well-formed (line ") for warning in feed.warnings)


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00 binary garbage",
        b"<html><body><p>Not a feed.</p></body></html>",
        b'{"items": []}',
        b"<?xml version='1.0'?><catalog><book>1</book></catalog>",
        b"   ",
    ],
)
def test_documents_that_are_not_feeds_name_the_source(content: bytes) -> None:
    with pytest.raises(InputError) as caught:
        parse_feed(content, "feeds/odd.xml")
    assert caught.value.source == "feeds/odd.xml"
    assert caught.value.problem.startswith("not an RSS or Atom feed: ")


def test_a_feed_without_entries_is_valid_and_empty() -> None:
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', SOURCE)
    assert feed.title == "Quiet"
    assert feed.entries == ()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol4;</title><item><title>&lol4;</title></item></channel></rss>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!-- a comment first --><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&xxe;</title></item></channel></rss>
"""


@pytest.mark.parametrize(
    "content",
    [
        BILLION_LAUGHS,
        BILLION_LAUGHS.decode().encode("utf-16"),
        EXTERNAL_ENTITY,
        EXTERNAL_ENTITY.replace(b"<!DOCTYPE", b"<!-- <!DOCTYPE decoy> --><!DOCTYPE"),
        EXTERNAL_ENTITY.replace(b"<!DOCTYPE rss [", b"<!DOCTYPE rss SYSTEM 'x>y' ["),
    ],
)
def test_entity_declarations_are_refused_before_parsing(
    content: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("feedparser must not see this document")

    monkeypatch.setattr(feedparser, "parse", parse)
    with pytest.raises(InputError) as caught:
        parse_feed(content, SOURCE)
    assert caught.value.source == SOURCE
    assert caught.value.problem.startswith("refused: the feed declares XML entities")


def utf7_with_encoded_markup() -> bytes:
    body = BILLION_LAUGHS.split(b"?>", 1)[1].replace(b"<!", b"+ADw-!")  # "<" written the UTF-7 way
    return b'<?xml version="1.0" encoding="UTF-7"?>' + body


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (utf7_with_encoded_markup(), "utf-7"),
        (BILLION_LAUGHS.replace(b'"1.0"?>', b'"1.0" encoding="cp037"?>').decode().encode("cp037"), "EBCDIC"),
    ],
)
def test_encodings_that_hide_markup_from_the_entity_check_are_refused(content: bytes, encoding: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_feed(content, SOURCE)
    assert caught.value.problem == f"refused: the feed is encoded in {encoding}, which Liaison does not read"


def test_utf16_feed_is_read() -> None:
    content = RSS20.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    feed = parse_feed(content, SOURCE)
    assert [entry.key for entry in feed.entries] == [entry.key for entry in parse_feed(RSS20, SOURCE).entries]


def test_entity_declarations_quoted_in_articles_are_not_refused() -> None:
    # A security feed may quote an XXE payload; with an external DOCTYPE only, nothing is declared.
    quoted = RSS091.replace(
        b"Customs seized 200 kg.",
        b"<![CDATA[Payloads such as <!ENTITY xxe SYSTEM 'file:///etc/passwd'> and <!DOCTYPE html>]]>",
    )
    feed = parse_feed(quoted, SOURCE)
    assert "Payloads such as" in feed.entries[1].summary


def test_latin1_feed_declaring_its_encoding_keeps_accents() -> None:
    content = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<rss version="2.0"><channel><title>Préfecture de l\'Hérault</title>'
        "<item><title>Arrêté à Nîmes</title><link>https://pref.example/a</link>"
        "<description>Déjà évoqué : garde à vue prolongée.</description></item></channel></rss>"
    ).encode("latin-1")
    feed = parse_feed(content, SOURCE)
    assert feed.title == "Préfecture de l'Hérault"
    [entry] = feed.entries
    assert entry.title == "Arrêté à Nîmes"
    assert entry.summary == "Déjà évoqué : garde à vue prolongée."
    assert feed.warnings == ()


HOSTILE = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Hostile</title>
  <entry>
    <id>urn:hostile:1</id>
    <title type="html">&lt;script&gt;alert(1)&lt;/script&gt;Breaking &amp;amp; news</title>
    <link href="https://hostile.example/1"/>
    <summary type="html">&lt;p&gt;First &lt;b&gt;bold&lt;/b&gt; para.&lt;/p&gt;
      &lt;script&gt;steal(document.cookie)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;
      &lt;style&gt;body{display:none}&lt;/style&gt;&lt;p&gt;Second &amp;amp; last.&lt;/p&gt;</summary>
  </entry>
  <entry>
    <id>urn:hostile:2</id>
    <title type="text">Profits &lt;b&gt;up&lt;/b&gt; at AT&amp;T</title>
    <link href="https://hostile.example/2"/>
    <summary type="text">if x &lt; y then &lt;script&gt; is just text</summary>
  </entry>
</feed>
"""


def test_html_in_titles_and_summaries_becomes_plain_text_without_scripts() -> None:
    html_entry, text_entry = parse_feed(HOSTILE, SOURCE).entries
    assert html_entry.title == "Breaking & news"
    assert html_entry.summary == "First bold para.\n\nSecond & last."
    for value in (html_entry.title, html_entry.summary):
        assert "<" not in value
        assert "alert" not in value
        assert "steal" not in value
        assert "display" not in value
    # Plain-text constructs are text already: their angle brackets are characters, kept as written.
    assert text_entry.title == "Profits <b>up</b> at AT&T"
    assert text_entry.summary == "if x < y then <script> is just text"


def test_feedparser_is_never_given_anything_it_could_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    def fetch(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("feedparser tried to fetch a URL")

    monkeypatch.setattr(feedparser.http, "get", fetch)
    with pytest.raises(InputError):
        parse_feed(b"https://internal.example/secret", SOURCE)
    with pytest.raises(InputError):
        parse_feed(b"/etc/passwd", SOURCE)


def test_entry_report_is_title_and_summary() -> None:
    entry = parse_feed(RSS20, SOURCE).entries[0]
    report = entry_report(entry, "Agency feed", Marking(TLP.GREEN), SOURCE)
    assert report.text == "Raid on cyber gang\n\nPolice raided the gang.\n\nTen people were held."
    assert report.title == "Raid on cyber gang"
    assert report.url == "https://agency.example/raid"
    assert report.source == "Agency feed"
    assert report.published == date(2023, 3, 14)
    assert report.marking == Marking(TLP.GREEN)
    assert report.origin == SOURCE


def test_entry_report_of_an_empty_entry_is_an_input_error() -> None:
    entry = FeedEntry(key="k", url="https://x.example/", title=None, published=None, summary="", author=None)
    with pytest.raises(InputError) as caught:
        entry_report(entry, None, Marking(), "feeds/x.xml")
    assert caught.value.source == "feeds/x.xml"
