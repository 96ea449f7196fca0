"""The dashboard and search: what the caller's organisation may read, at a glance and by facets.

Everything comes from the caller's collection (``liaison.store.readable``, ``readable_overview``): counts,
lists, chart and facets only ever count what the caller may read. The sharing, ingest and export pages
are in ``pages_sharing`` and ``pages_ingest``; this module's ``router`` includes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from markupsafe import Markup, escape

from liaison.accounts import Principal
from liaison.domain import TLP
from liaison.store import Store
from liaison.store.readable_overview import FacetValue, ReportQuery, match_pieces
from liaison.web import pages_ingest, pages_sharing
from liaison.web.charts import stacked_bars
from liaison.web.session import Viewer, store_of
from liaison.web.templates import render

router = APIRouter()
router.include_router(pages_sharing.router)
router.include_router(pages_ingest.router)

RECENT_REPORTS = 8
ACTIVE_ENTITIES = 10
SEARCH_PAGE = 20
MAX_QUERY = 500
FACETS = (
    ("type", "Event type"),
    ("topic", "Topic"),
    ("country", "Country"),
    ("year", "Year"),
    ("language", "Language"),
    ("tlp", "TLP"),
)


# -- dashboard -------------------------------------------------------------------------------------


def _partner_overview(store: Store, principal: Principal) -> list[dict[str, Any]]:
    """What each partner organisation reads under its agreement — for the home organisation only, and
    only what the viewer may read too. A partner's user sees its own organisation's line alone."""
    agreements = {a.organization_id: a for a in store.agreements()}
    home = store.home_organization()
    rows = []
    for collection in store.collections():
        is_own = collection.organization_id == principal.user.organization_id
        is_partner = home is None or collection.organization_id != home.id
        if not is_partner or not (principal.user.home or is_own):
            continue
        counts = store.shared_report_levels(principal.collection_id, collection.id)
        rows.append(
            {
                "organization": collection.organization,
                "agreement": agreements.get(collection.organization_id),
                "levels": counts,
                "reports": sum(counts.values()),
                "published_at": collection.published_at,
            }
        )
    return rows


def _dashboard(store: Store, principal: Principal) -> dict[str, Any]:
    collection = principal.collection_id
    datings = store.readable_event_datings(collection)
    home_view = principal.user.home
    return {
        "counts": store.readable_counts(collection),
        "recent": store.readable_reports(collection, limit=RECENT_REPORTS).items,
        "entities": store.readable_entities(collection, limit=ACTIVE_ENTITIES).items,
        "by_type": stacked_bars((d.month, (d.type,)) for d in datings),
        "by_topic": stacked_bars((d.month, d.topics) for d in datings),
        "partners": _partner_overview(store, principal),
        "pulled": store.partners() if home_view else [],
        "imports": store.stix_import_log(limit=5) if home_view else [],
    }


# Page routes are plain functions: FastAPI runs them in its thread pool, as the store's calls block.
@router.get("/", include_in_schema=False)
def dashboard(request: Request, principal: Viewer) -> Response:
    context = _dashboard(store_of(request), principal)
    store_of(request).append_audit(principal.name, "web.read", "/", {})
    return render(request, "home/dashboard.html", context)


# -- search ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Filters:
    """The search form as given (GET parameters), each checked; a bad value is reported, not applied."""

    words: str
    event_type: str
    topic: str
    country: str
    since: date | None
    until: date | None
    language: str
    tlp: str
    page: int
    problems: tuple[str, ...]

    def query(self) -> ReportQuery:
        return ReportQuery(
            words=self.words,
            event_type=self.event_type or None,
            topic=self.topic or None,
            country=self.country or None,
            since=self.since,
            until=self.until,
            language=self.language or None,
            tlp=self.tlp or None,
        )

    def params(self, **changes: str | None) -> dict[str, str]:
        values = {
            "q": self.words,
            "type": self.event_type,
            "topic": self.topic,
            "country": self.country,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
            "language": self.language,
            "tlp": self.tlp,
        }
        for key, value in changes.items():
            values[key] = value or ""
        return {key: value for key, value in values.items() if value}

    def url(self, **changes: str | None) -> str:
        params = self.params(**changes)
        return "/search" + (f"?{urlencode(params)}" if params else "")

    @property
    def active(self) -> bool:
        return any(
            (
                self.words,
                self.event_type,
                self.topic,
                self.country,
                self.since,
                self.until,
                self.language,
                self.tlp,
            )
        )


def _date_param(value: str, name: str, problems: list[str]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(f"{name}: use a date written YYYY-MM-DD")
        return None


def _filters(request: Request) -> _Filters:
    params = request.query_params
    problems: list[str] = []

    def text(name: str, limit: int = 100) -> str:
        return " ".join(params.get(name, "").split())[:limit]

    tlp = text("tlp", 20).replace(" ", "+").lower()
    if tlp:
        try:
            tlp = TLP.parse(tlp).value
        except ValueError:
            problems.append(f"tlp: {tlp!r} is not a TLP level")
            tlp = ""
    since, until = (
        _date_param(text("from", 20), "from", problems),
        _date_param(text("to", 20), "to", problems),
    )
    page = text("page", 6)
    return _Filters(
        words=text("q", MAX_QUERY),
        event_type=text("type").lower(),
        topic=text("topic").lower(),
        country=text("country", 64),
        since=since,
        until=until,
        language=text("language", 16).lower(),
        tlp=tlp,
        page=max(1, int(page)) if page.isascii() and page.isdigit() and len(page) <= 6 else 1,
        problems=tuple(problems),
    )


def highlighted_snippet(snippet: str) -> Markup:
    """A search snippet as HTML: every piece escaped, the matched words in ``<mark>``."""
    return Markup("").join(
        Markup("<mark>{}</mark>").format(piece) if matched else escape(piece)
        for piece, matched in match_pieces(snippet)
    )


def _facet_links(filters: _Filters, facets: dict[str, tuple[FacetValue, ...]]) -> list[dict[str, Any]]:
    """Each facet's values as links that add (or, when chosen, remove) that value from the search."""
    chosen = {
        "type": filters.event_type,
        "topic": filters.topic,
        "country": filters.country,
        "language": filters.language,
        "tlp": filters.tlp,
    }
    groups = []
    levels = [level.value for level in TLP]
    for key, title in FACETS:
        values = []
        given = facets.get(key, ())
        if key == "tlp":
            given = tuple(sorted(given, key=lambda v: levels.index(v.value) if v.value in levels else 99))
        for value in given:
            if key == "year":
                selected = bool(filters.since and filters.until) and (
                    filters.since == date(int(value.value), 1, 1)
                    and filters.until == date(int(value.value), 12, 31)
                )
                change: dict[str, str | None] = {"from": f"{value.value}-01-01", "to": f"{value.value}-12-31"}
                if selected:
                    change = {"from": None, "to": None}
                url = filters.url(**change)
            else:
                selected = chosen[key] == value.value
                url = filters.url(**{key: None if selected else value.value})
            label = value.label.upper() if key == "tlp" else value.label.replace("_", " ")
            values.append({"label": label, "count": value.count, "url": url, "selected": selected})
        groups.append({"key": key, "title": title, "values": values})
    return groups


@router.get("/search", include_in_schema=False)
def search(request: Request, principal: Viewer) -> Response:
    filters = _filters(request)
    store = store_of(request)
    offset = (filters.page - 1) * SEARCH_PAGE
    result = store.readable_report_search(principal.collection_id, filters.query(), SEARCH_PAGE, offset)
    store.append_audit(
        principal.name,
        "web.read",
        "/search",
        {"query": filters.words[:100], "filters": filters.params(q=None), "returned": len(result.hits.items)},
    )
    country_names = {v.value: v.label for v in result.facets.get("country", ())}
    pages = max(1, -(-result.hits.total // SEARCH_PAGE))
    context = {
        "filters": filters,
        "hits": [
            {"report": hit.report, "snippet": highlighted_snippet(hit.snippet)} for hit in result.hits.items
        ],
        "total": result.hits.total,
        "facets": _facet_links(filters, result.facets),
        "country_name": country_names.get(filters.country, filters.country),
        "tlp_levels": [level.value for level in TLP],
        "page": filters.page,
        "pages": pages,
        "previous_url": filters.url(page=str(filters.page - 1)) if filters.page > 1 else None,
        "next_url": filters.url(page=str(filters.page + 1)) if filters.page < pages else None,
    }
    return render(request, "home/search.html", context)
