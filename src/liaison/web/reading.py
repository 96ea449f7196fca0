"""What the report, entity and event pages share: the audit of a page view, safe links, page numbers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request

from liaison.accounts import Principal
from liaison.web.session import store_of

PAGE_SIZE = 50
MAX_PAGE_NUMBER = 10_000  # deeper than anyone reads; keeps the offset of a hand-made URL small


def audit_view(request: Request, principal: Principal, detail: dict[str, Any]) -> None:
    """Record the page view in the audit log, as the REST API records its reads."""
    store_of(request).append_audit(principal.name, "web.read", request.url.path, detail)


def web_link(url: str | None) -> str | None:
    """A report's URL when it is an http(s) link; anything else (``javascript:``, ``data:``) is not linked."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def page_offset(page: int) -> int:
    """The offset of a 1-based page number, within bounds."""
    return (max(1, min(page, MAX_PAGE_NUMBER)) - 1) * PAGE_SIZE


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def figure_text(value: float, qualifier: str | None = None) -> str:
    """A figure as people write it: "more than 48,000,000" rather than 4.8e+07 (as ``liaison claims``)."""
    number = f"{int(value):,}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{qualifier} {number}" if qualifier else number
