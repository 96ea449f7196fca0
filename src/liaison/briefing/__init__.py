"""Analyst briefs: a dated, sourced document on an entity, a topic or a place, in HTML or PDF.

``build_brief`` gathers what the reader's organisation may read (its collection) up to a TLP limit;
``render_html`` and ``render_pdf`` write it. The CLI (``liaison brief``), the API (``GET /api/brief``) and
the web UI (``/brief``) all call these. See docs/briefings.md.
"""

from __future__ import annotations

from liaison.briefing.gather import Brief, BriefRequest, build_brief
from liaison.briefing.pdf import render_pdf
from liaison.briefing.render import render_html

__all__ = ["Brief", "BriefRequest", "build_brief", "render_html", "render_pdf"]
