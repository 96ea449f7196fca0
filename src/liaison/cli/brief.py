"""``liaison brief``: an analyst brief on an entity, a topic or a place, as HTML or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from liaison.briefing import BriefRequest, build_brief, render_html, render_pdf
from liaison.cli.common import DbOption, app, cli_actor, fail, out, parse_date, settings_for, store_session
from liaison.domain import TLP
from liaison.store import Store


def _reader(store: Store, organisation: str | None) -> tuple[str, str]:
    """(collection ID, organisation name) of whose view the brief takes: the home organisation's unless
    ``organisation`` names another."""
    if organisation:
        record = store.organization(organisation)
    else:
        home = store.home_organization()
        if home is None:
            fail("no home organisation yet: add one with `liaison org add NAME --home` (docs/cooperation.md)")
        record = home
    return store.collection_for(record.id).id, record.name


@app.command("brief")
def brief(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--out", help="Where to write it: FILE.html or FILE.pdf.", show_default=False)
    ],
    entity: Annotated[
        str | None, typer.Argument(help="The entity to brief on: its ID or its name.", show_default=False)
    ] = None,
    topic: Annotated[str | None, typer.Option(help="Brief on a topic instead (docs/topics.md).")] = None,
    place: Annotated[str | None, typer.Option(help="Brief on a place instead: a country or a city.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Events on or after YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Events on or before YYYY-MM-DD.")] = None,
    tlp_max: Annotated[
        str | None,
        typer.Option("--tlp-max", help="Leave out anything marked above this level (clear, green, amber …)."),
    ] = None,
    for_organisation: Annotated[
        str | None,
        typer.Option("--for", help="Brief as this organisation reads the store (default: the home one)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write a self-contained brief: figures, timeline, roles, map, graph, conflicting claims, sources."""
    suffix = output.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        fail("--out must end in .html or .pdf", code=2)
    try:
        limit = TLP.parse(tlp_max) if tlp_max else None
        request = BriefRequest(entity, topic, place, parse_date(date_from), parse_date(date_to), limit)
    except ValueError as error:
        fail(str(error), code=2)
    settings = settings_for(ctx, db)
    with store_session(ctx, db) as store:
        collection_id, organisation = _reader(store, for_organisation)
        made = build_brief(store, settings, request, collection_id, organisation)
        store.append_audit(
            cli_actor(),
            "cli.brief",
            made.subject_id or made.subject,
            {"for": organisation, "tlp_max": limit.value if limit else None, "format": suffix.lstrip(".")},
        )
    if suffix == ".pdf":
        output.write_bytes(render_pdf(made))
    else:
        output.write_text(render_html(made), "utf-8")
    out.print(
        f"{output}: brief on {made.subject} for {organisation}, TLP:{made.marking.value.upper()}, "
        f"{_count(made.figures.events, 'event')}, {_count(made.figures.reports, 'source')}"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
