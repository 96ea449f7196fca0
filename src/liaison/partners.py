"""Use case: pull what a partner instance shares with us, over TAXII 2.1.

A partner (``liaison partner add``) is the URL of its TAXII API root and the bearer token it issued to
us. A pull reads our collection there (found with ``GET <api root>/collections/`` when not configured:
the single one we may read) page by page, ``GET .../objects/?added_after=<cursor>&limit=<page size>``,
following ``next`` while ``more`` is true, and stores the objects with ``liaison.sharing.import_bundle``:
every check of a file import applies, and received objects keep their provenance (the partner, the
bundle, the time). Importing the same objects again changes nothing.

No loss, no duplicates: the cursor only ever passes stored objects. A collection is ordered by when each
object version was added, and an object is served at the place of its latest version; so a page may
refer to objects that come later (one publication adds relationships before the objects they join, and
an entity that every new report mentions moves to the end of the collection with each new version). An
import refuses references it cannot resolve, so each page is completed before it is stored: the objects
it refers to that are neither on it nor in the store are fetched by ID (``match[id]``, their current
versions, references of references too). The page and those objects are then imported as one bundle,
and only after that import succeeded is the cursor set to the page's ``X-TAXII-Date-Added-Last``. Should
a reference still not resolve (a server without ``match[id]``), the following pages are accumulated
with it until the references resolve, and the window is imported and the cursor moved then. A pull that
fails (network, server, a refused bundle) thus resumes from the end of the last stored page or window;
objects received twice (fetched ahead by ID, then met on their own page; or fetched again after a
failure) are versions already kept (``unchanged``), so nothing is stored twice. A window still
unresolved at the end of the collection, or larger than ``LIAISON_MAX_BUNDLE_BYTES``, is an error and
nothing of it is stored: the next pull tries again from the same cursor. A bundle's ID is derived from
the partner, the collection and the object versions it carries, so the same window fetched again has the
same ID.

Requests follow the collector's policy (``liaison.ingest.http``): deadlines, a size cap on every
response (``LIAISON_MAX_BUNDLE_BYTES``), no redirects (the token must not follow one), and partner hosts
must resolve to public addresses unless ``allow_private``; the connection goes to the address checked.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from liaison.domain import deterministic_id
from liaison.errors import LiaisonError
from liaison.ingest.http import USER_AGENT, is_public_address, resolve
from liaison.settings import Settings
from liaison.share.markings import well_known_ids
from liaison.share.stix_json import references
from liaison.sharing import import_bundle
from liaison.store import Store
from liaison.store.partners import PartnerRecord

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
DATE_ADDED_LAST = "X-TAXII-Date-Added-Last"
DEFAULT_PAGE_SIZE = 500
_COLLECTION_URL = re.compile(r"^(?P<root>.*/)collections/(?P<id>[^/]+)(?:/objects)?/?$")
_SHOWN_REFERENCES = 5
_IDS_PER_REQUEST = 50  # match[id] values per request: a URL of a few kilobytes
_REFERENCE_DEPTH = 8  # references of references fetched by ID before waiting for later pages


class PullError(LiaisonError):
    """A pull stopped: what was stored before stays, and the cursor says where the next pull resumes."""


@dataclass
class PullSummary:
    """What one pull did. ``errors`` is empty when it reached the end of the collection."""

    partner: str
    collection_id: str | None = None
    pages: int = 0
    received: int = 0  # objects received: on the pages, and fetched by ID to resolve references
    stored: int = 0  # objects not kept before
    unchanged: int = 0  # versions already kept
    replaced: int = 0  # later versions that became current
    cursor: str | None = None  # X-TAXII-Date-Added-Last of the last page stored
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class TaxiiPage:
    objects: list[dict[str, Any]]
    more: bool
    next: str | None
    date_added_last: str | None
    size: int  # bytes of the response body


def split_partner_url(url: str) -> tuple[str, str | None]:
    """The API root (with its trailing slash) and the collection ID when ``url`` names a collection."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise PullError(f"invalid partner URL {url!r}: {error}") from error
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise PullError(f"a partner URL is an http(s) URL of its TAXII API root, not {url!r}")
    path = parsed.path if parsed.path.endswith("/") else parsed.path + "/"
    match = _COLLECTION_URL.match(path)
    if match:
        return str(parsed.copy_with(path=match["root"], query=None, fragment=None)), match["id"]
    return str(parsed.copy_with(path=path, query=None, fragment=None)), None


class TaxiiClient:
    """Authenticated TAXII 2.1 GETs to one partner's API root; use as a context manager."""

    def __init__(
        self,
        api_root: str,
        token: str,
        max_bytes: int,
        allow_private: bool = False,
        timeout_seconds: float = 30.0,
        total_seconds: float = 300.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_root = api_root if api_root.endswith("/") else api_root + "/"
        self.max_bytes = max_bytes
        self.allow_private = allow_private
        self.total_seconds = total_seconds
        self._token = token
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # the connection must go to the address that was checked
            timeout=httpx.Timeout(timeout_seconds),
            headers={
                "User-Agent": USER_AGENT,
                "Accept": TAXII_MEDIA_TYPE,
                "Accept-Encoding": "identity",  # the size cap applies to what is kept in memory
            },
        )

    def __enter__(self) -> TaxiiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._client.close()

    def collections(self) -> list[dict[str, Any]]:
        body, _, _ = self._get(self.api_root + "collections/", {})
        found = body.get("collections", [])
        if not isinstance(found, list):
            raise PullError(f"{self.api_root}collections/: 'collections' is not a list")
        return [c for c in found if isinstance(c, dict) and isinstance(c.get("id"), str)]

    def objects(
        self,
        collection_id: str,
        added_after: str | None,
        limit: int,
        next_page: str | None,
        ids: tuple[str, ...] = (),
    ) -> TaxiiPage:
        params = {"limit": str(limit)}
        if added_after:
            params["added_after"] = added_after
        if next_page:
            params["next"] = next_page
        if ids:
            params["match[id]"] = ",".join(ids)
        url = f"{self.api_root}collections/{collection_id}/objects/"
        body, headers, size = self._get(url, params)
        objects = body.get("objects", [])
        if not isinstance(objects, list) or not all(
            isinstance(o, dict) and isinstance(o.get("id"), str) and isinstance(o.get("type"), str)
            for o in objects
        ):
            raise PullError(f"{url}: the envelope's 'objects' are not STIX objects")
        following = body.get("next")
        return TaxiiPage(
            objects=objects,
            more=body.get("more") is True,
            next=str(following) if following not in (None, "") else None,
            date_added_last=headers.get(DATE_ADDED_LAST) or None,
            size=size,
        )

    def _get(self, url: str, params: dict[str, str]) -> tuple[dict[str, Any], httpx.Headers, int]:
        """The JSON resource at ``url``, the response headers and the body's size."""
        status, headers, content = self._send(url, httpx.URL(url, params=params or None))
        if status == 401:
            raise PullError(f"{url}: HTTP 401, the partner refused our token (ask it for a new one)")
        if status in (403, 404):
            raise PullError(f"{url}: HTTP {status}, not found or not readable with our token")
        if not 200 <= status < 300:
            kind = "a redirect, not followed" if 300 <= status < 400 else "an error"
            raise PullError(f"{url}: HTTP {status} ({kind})")
        try:
            body = json.loads(content)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
            raise PullError(f"{url}: the answer is not JSON ({error})") from error
        if not isinstance(body, dict):
            raise PullError(f"{url}: the answer is not a TAXII resource (a JSON object)")
        return body, headers, len(content)

    def _send(self, url: str, target: httpx.URL) -> tuple[int, httpx.Headers, bytes]:
        """GET ``target`` from one of its checked addresses; the body read under the size cap."""
        started = time.monotonic()
        host = target.raw_host.decode("ascii")
        try:
            addresses = resolve(host, target.port or (443 if target.scheme == "https" else 80))
        except OSError as error:
            raise PullError(f"{url}: cannot connect: {error}") from error
        if not self.allow_private:
            for address in addresses:
                if not is_public_address(address):
                    raise PullError(
                        f"{url}: refused: {host} resolves to a private address, {address} "
                        "(use --allow-private for a partner on a private network)"
                    )
        headers = {"Host": target.netloc.decode("ascii"), "Authorization": f"Bearer {self._token}"}
        extensions = {"sni_hostname": host} if target.scheme == "https" else {}
        failure: Exception | None = None
        for address in addresses:
            request = self._client.build_request(
                "GET", target.copy_with(host=str(address)), headers=headers, extensions=extensions
            )
            try:
                response = self._client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                failure = error  # the name's next address, as a browser would
                continue
            except httpx.HTTPError as error:
                raise PullError(f"{url}: the request failed: {_error_text(error)}") from error
            try:
                content = self._read(url, response, started) if response.status_code < 300 else b""
            except httpx.HTTPError as error:
                raise PullError(f"{url}: the connection failed: {_error_text(error)}") from error
            finally:
                response.close()
            return response.status_code, response.headers, content
        raise PullError(f"{url}: cannot connect: {_error_text(failure) if failure else 'no address'}")

    def _read(self, url: str, response: httpx.Response, started: float) -> bytes:
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        if encoding not in ("", "identity"):
            raise PullError(f"{url}: unexpected Content-Encoding {encoding!r} (identity was asked for)")
        length = response.headers.get("Content-Length", "").strip()
        if length.isdigit() and int(length) > self.max_bytes:
            raise PullError(f"{url}: {int(length):,} bytes, over the limit (LIAISON_MAX_BUNDLE_BYTES)")
        parts: list[bytes] = []
        size = 0
        # A transport that answers from memory (httpx.MockTransport) hands over a body already read.
        chunks = [response.content] if response.is_stream_consumed else response.iter_raw()
        for chunk in chunks:
            size += len(chunk)
            if size > self.max_bytes:
                raise PullError(f"{url}: over the {self.max_bytes:,}-byte limit (LIAISON_MAX_BUNDLE_BYTES)")
            if time.monotonic() - started > self.total_seconds:
                raise PullError(f"{url}: no complete answer within {self.total_seconds:g} s")
            parts.append(chunk)
        return b"".join(parts)


def _error_text(error: Exception) -> str:
    return str(error) or type(error).__name__


def _readable_collection(client: TaxiiClient) -> str:
    readable = [c for c in client.collections() if c.get("can_read") is True]
    if len(readable) == 1:
        return str(readable[0]["id"])
    if not readable:
        raise PullError(f"{client.api_root}: no collection we may read")
    names = ", ".join(f"{c['id']} ({c.get('title', '')})" for c in readable)
    raise PullError(
        f"{client.api_root}: several collections we may read; name one with --collection: {names}"
    )


def _dangling(store: Store, objects: list[dict[str, Any]]) -> set[str]:
    """References of ``objects`` to IDs neither among them nor in the store."""
    inside = {str(o["id"]) for o in objects}
    try:
        outside = {ref for o in objects for ref in references(o)} - inside - well_known_ids()
    except RecursionError as error:
        raise PullError(
            "an object is nested too deeply to read (a STIX object is a few levels deep)"
        ) from error
    return outside - store.known_stix_ids(outside) if outside else set()


def _version(item: dict[str, Any]) -> str:
    return str(item.get("modified") or item.get("created") or "")


def _bundle_id(partner: PartnerRecord, collection_id: str, objects: list[dict[str, Any]]) -> str:
    versions = sorted(f"{o['id']}@{_version(o)}" for o in objects)
    return "bundle--" + deterministic_id("taxii-pull", partner.name.casefold(), collection_id, *versions)


class _Puller:
    """One pull of one partner's collection: pages, windows, cursor."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        partner: PartnerRecord,
        client: TaxiiClient,
        summary: PullSummary,
    ) -> None:
        self.store = store
        self.settings = settings
        self.partner = partner
        self.client = client
        self.summary = summary
        self.pending: dict[tuple[str, str], dict[str, Any]] = {}  # (id, version): object, as received
        self.pending_bytes = 0
        self.pending_last: str | None = None  # Date-Added-Last of the pending window's last page
        self.asked: set[str] = set()  # IDs already fetched by ID in this pull

    def run(self, collection_id: str, page_size: int) -> None:
        added_after = self.summary.cursor
        next_page: str | None = None
        while True:
            page = self.client.objects(collection_id, added_after, page_size, next_page)
            self.summary.pages += 1
            self.summary.received += len(page.objects)
            self._keep(page.objects, page.size)
            if page.objects and page.date_added_last:
                self.pending_last = page.date_added_last
            if self.pending and self._complete(collection_id, page_size):
                self._import(collection_id)
            if not page.more:
                break
            if page.next:
                next_page = page.next  # the same filters, continued where the server left off
            elif page.date_added_last and page.date_added_last != added_after:
                added_after, next_page = page.date_added_last, None  # a server that pages by date only
            else:
                raise PullError(f"{self.client.api_root}: 'more' without 'next' nor a later date added")
        if self.pending:
            missing = sorted(self._missing())
            shown = ", ".join(missing[:_SHOWN_REFERENCES])
            more = f" and {len(missing) - _SHOWN_REFERENCES} more" if len(missing) > _SHOWN_REFERENCES else ""
            raise PullError(
                f"{len(self.pending)} object(s) after the cursor refer to objects the partner did not send "
                f"({shown}{more}); nothing of them is stored, the next pull tries again"
            )

    def _missing(self) -> set[str]:
        return _dangling(self.store, list(self.pending.values()))

    def _complete(self, collection_id: str, page_size: int) -> bool:
        """Fetch by ID what the pending objects refer to and nobody sent yet; whether all resolve now."""
        missing = self._missing()
        for _ in range(_REFERENCE_DEPTH):
            wanted = sorted(missing - self.asked)
            if not wanted:
                break
            self.asked.update(wanted)
            for start in range(0, len(wanted), _IDS_PER_REQUEST):
                ids = tuple(wanted[start : start + _IDS_PER_REQUEST])
                next_page: str | None = None
                while True:
                    page = self.client.objects(collection_id, None, max(page_size, len(ids)), next_page, ids)
                    self.summary.received += len(page.objects)
                    self._keep(page.objects, page.size)
                    if not (page.more and page.next):
                        break
                    next_page = page.next
            missing = self._missing()
        return not missing

    def _keep(self, objects: list[dict[str, Any]], size: int) -> None:
        for item in objects:
            self.pending[(str(item["id"]), _version(item))] = item
        if objects:
            self.pending_bytes += size
        if self.pending and self.pending_bytes > self.settings.max_bundle_bytes:
            raise PullError(
                f"{len(self.pending)} object(s) refer ahead beyond the limit of one bundle "
                f"({self.settings.max_bundle_bytes:,} bytes, LIAISON_MAX_BUNDLE_BYTES); raise it to pull them"
            )

    def _import(self, collection_id: str) -> None:
        objects = list(self.pending.values())
        bundle = {
            "type": "bundle",
            "id": _bundle_id(self.partner, collection_id, objects),
            "objects": objects,
        }
        result = import_bundle(
            bundle,
            self.settings,
            self.store,
            received_from=self.partner.name,
            source=f"taxii:{self.partner.name}",
        )
        if not result.ok:
            raise PullError("; ".join(result.errors[:_SHOWN_REFERENCES]))
        self.summary.stored += result.stored
        self.summary.unchanged += result.unchanged + result.older
        self.summary.replaced += result.replaced
        if self.pending_last:
            self.store.set_partner_cursor(self.partner.name, self.pending_last)
            self.summary.cursor = self.pending_last
        self.pending.clear()
        self.pending_bytes = 0


def pull(
    store: Store,
    settings: Settings,
    partner_name: str,
    allow_private: bool = False,
    page_size: int = DEFAULT_PAGE_SIZE,
    *,
    actor: str = "liaison",
    transport: httpx.BaseTransport | None = None,
) -> PullSummary:
    """Pull what ``partner_name`` added to our collection since the last pull; see the module docstring.

    Errors end the pull and are returned in ``errors`` (and kept as the partner's ``last_error``);
    everything stored before them stays stored.
    """
    if page_size < 1:
        raise ValueError("a page holds at least one object")
    partner = store.partner(partner_name)
    summary = PullSummary(partner.name, partner.collection_id, cursor=partner.cursor)
    try:
        api_root, collection_in_url = split_partner_url(partner.url)
        with TaxiiClient(
            api_root, partner.token, settings.max_bundle_bytes, allow_private, transport=transport
        ) as client:
            collection_id = partner.collection_id or collection_in_url or _readable_collection(client)
            if collection_id != partner.collection_id:
                store.set_partner_collection(partner.name, collection_id)
            summary.collection_id = collection_id
            _Puller(store, settings, partner, client, summary).run(collection_id, page_size)
    except LiaisonError as error:
        summary.errors.append(str(error))
    store.record_partner_pull(partner.name, "; ".join(summary.errors) or None)
    store.append_audit(
        actor,
        "partner.pull",
        partner.name,
        {
            "collection": summary.collection_id,
            "pages": summary.pages,
            "received": summary.received,
            "stored": summary.stored,
            "unchanged": summary.unchanged,
            "replaced": summary.replaced,
            "cursor": summary.cursor,
            "error": summary.errors[0] if summary.errors else None,
        },
    )
    return summary
