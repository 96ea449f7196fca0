"""The brief as one self-contained HTML document: inline CSS and SVG, no script, nothing fetched.

Jinja2 with autoescape on renders ``templates/brief.html``; the only markup not written by the template is
the SVG of ``liaison.briefing.charts``, which escapes every text it draws. Print CSS puts the TLP marking
in the page's top and bottom margin boxes, so every printed (and PDF) page carries it.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from liaison.briefing import charts
from liaison.briefing.gather import Brief
from liaison.domain import TLP

TEMPLATES = Path(__file__).resolve().parent / "templates"

# TLP 2.0: the label in its colour on black (https://www.first.org/tlp/).
TLP_COLOURS = {
    TLP.CLEAR: "#FFFFFF",
    TLP.GREEN: "#33FF00",
    TLP.AMBER: "#FFC000",
    TLP.AMBER_STRICT: "#FFC000",
    TLP.RED: "#FF2B2B",
}


def tlp_label(level: TLP) -> str:
    return f"TLP:{level.value.upper()}"


def figure_text(value: float, qualifier: str | None = None) -> str:
    """A figure as people write it: "more than 48,000,000" (as ``liaison claims`` prints it)."""
    number = f"{int(value):,}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{qualifier} {number}" if qualifier else number


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(tlp_label=tlp_label, tlp_colours=TLP_COLOURS, figure=figure_text)
    return environment


_ENVIRONMENT = _environment()


def render_html(brief: Brief) -> str:
    """The brief as an HTML document that requests nothing when opened or printed."""
    template = _ENVIRONMENT.get_template("brief.html")
    return template.render(
        brief=brief,
        marking=tlp_label(brief.marking),
        colour=TLP_COLOURS[brief.marking],
        # the charts escape every text they draw (liaison.briefing.charts)
        timeline=Markup(charts.timeline_svg(brief.events)),  # noqa: S704
        world=Markup(charts.map_svg(brief.places)),  # noqa: S704
        map_shapes=charts.map_has_shapes(),
        graph=Markup(charts.graph_svg(brief.graph_nodes, brief.graph_edges)),  # noqa: S704
    )
