"""Rendering pages: one Jinja2 environment with autoescaping on, and ``render`` for every page.

Autoescaping is on for every template whatever its name, so a value from a report is escaped wherever it
lands; nothing is marked safe but HTML built by our own code from escaped pieces (``liaison.web.highlight``).
Data a script needs goes in ``<script type="application/json">`` blocks filled with ``|tojson`` (which
escapes ``<``, ``>`` and ``&``) or in ``data-`` attributes: the Content-Security-Policy allows no inline
script.

``render(request, name, context)`` adds what the layout needs: the logged-in ``principal`` (or None),
the ``csrf_token`` of its forms, and ``nav`` (the section of the top bar to mark as current).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from liaison.web.session import csrf_token, optional_principal, set_pending_cookies

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
NODE_MODULES_DIR = WEB_DIR / "node_modules"
# Front-end packages from npm (``package.json``), served under /static/vendor/<name>/ when installed.
VENDOR_PACKAGES = ("world-atlas", "topojson-client")

_TLP_LABELS = {
    "clear": "CLEAR",
    "green": "GREEN",
    "amber": "AMBER",
    "amber+strict": "AMBER+STRICT",
    "red": "RED",
}
_NAV_SECTIONS = (
    ("/reports", "reports"),
    ("/entities", "reports"),
    ("/events", "reports"),
    ("/search", "search"),
    ("/sharing", "sharing"),
    ("/ingest", "ingest"),
)


class PageError(Exception):
    """An error page: raised by a page route, rendered from ``errors/<status>.html`` (or the generic one)."""

    def __init__(self, status_code: int, message: str = "") -> None:
        super().__init__(message or str(status_code))
        self.status_code = status_code
        self.message = message


def page_not_found() -> PageError:
    """What a page answers for an unknown id and for one the caller may not read alike."""
    return PageError(404, "There is no such page, or none you may read.")


def vendor_available(package: str) -> bool:
    """Whether an npm package (``make setup``) is installed, so a page can say what it lacks without it."""
    return package in VENDOR_PACKAGES and (NODE_MODULES_DIR / package / "package.json").is_file()


def tlp_class(tlp: str | None) -> str:
    """The CSS class of a TLP badge: ``tlp-amber-strict`` for ``amber+strict``."""
    level = (tlp or "clear").strip().lower()
    return "tlp-" + (level if level in _TLP_LABELS else "clear").replace("+", "-")


def tlp_label(tlp: str | None) -> str:
    level = (tlp or "clear").strip().lower()
    return "TLP:" + _TLP_LABELS.get(level, level.upper())


def by_tlp_rank(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """(level, count) pairs from the least to the most restrictive level."""
    order = list(_TLP_LABELS)
    return sorted(
        counts.items(), key=lambda item: (order.index(item[0]) if item[0] in order else 99, item[0])
    )


def format_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC") if value.tzinfo else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def nav_section(path: str) -> str:
    """The top-bar section a path belongs to: dashboard, reports, search, sharing or ingest."""
    for prefix, section in _NAV_SECTIONS:
        if path == prefix or path.startswith(prefix + "/"):
            return section
    return "dashboard" if path == "/" else ""


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every template, whatever its file name
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["tlp_class"] = tlp_class
    environment.filters["tlp_label"] = tlp_label
    environment.filters["date"] = format_date
    environment.filters["by_tlp_rank"] = by_tlp_rank
    environment.globals["vendor_available"] = vendor_available
    return environment


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page ``name`` (a path under ``web/templates``) with ``context`` and what the layout needs."""
    values: dict[str, Any] = {
        "principal": optional_principal(request),
        "csrf_token": csrf_token(request),
        "nav": nav_section(request.url.path),
    }
    values.update(context or {})
    response = templates.TemplateResponse(request, name, values, status_code=status_code, headers=headers)
    # Pages show what one user may read: never kept by the browser or a proxy for another.
    response.headers["Cache-Control"] = "no-store"
    set_pending_cookies(request, response)
    return response
