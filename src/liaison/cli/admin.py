"""Store and measurement commands: db upgrade, db current, evaluate ner."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from liaison import services
from liaison.cli.common import (
    DbOption,
    JsonOption,
    db_app,
    evaluate_app,
    fail,
    out,
    print_json,
    settings_for,
)
from liaison.errors import LiaisonError
from liaison.store import database


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    db: DbOption = None,
) -> None:
    """Create the store or apply pending migrations."""
    settings = settings_for(ctx, db)
    try:
        engine = database.create_store_engine(settings.resolved_database_url)
        before = database.current_revision(engine)
        database.upgrade(engine, revision)
        after = database.current_revision(engine)
    except LiaisonError as error:
        fail(str(error))
    engine.dispose()
    out.print(f"store {engine.url!r}: revision {before or '(empty)'} -> {after}")


@db_app.command("current")
def db_current(ctx: typer.Context, db: DbOption = None) -> None:
    """Show the store's schema revision and the latest one this version knows."""
    settings = settings_for(ctx, db)
    try:
        engine = database.create_store_engine(settings.resolved_database_url)
        current = database.current_revision(engine)
    except LiaisonError as error:
        fail(str(error))
    engine.dispose()
    out.print(f"store {engine.url!r}: revision {current or '(empty)'}, latest {database.head_revision()}")


@evaluate_app.command("ner")
def evaluate_ner(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(help="A CoNLL-2003 file, or a directory of MEANTIME XML files.", show_default=False),
    ],
    as_json: JsonOption = False,
) -> None:
    """Precision, recall and F1 per class for Liaison and for the raw spaCy model, in one run."""
    from liaison.evaluation import ner

    settings = settings_for(ctx)
    extractor = services.make_extractor(settings)
    try:
        if path.is_dir():
            result = ner.evaluate_meantime(path, extractor)
        else:
            result = ner.evaluate_conll(path, extractor)
    except LiaisonError as error:
        fail(str(error))
    if as_json:
        print_json(
            {
                "corpus": result.corpus,
                "documents": result.documents,
                "gold_spans": result.gold_spans,
                "seconds": round(result.seconds, 2),
                "systems": {
                    system.system: {
                        score.label: {
                            "precision": round(score.precision, 4),
                            "recall": round(score.recall, 4),
                            "f1": round(score.f1, 4),
                            "overlap_f1": round(loose.f1, 4),
                            "support": score.support,
                        }
                        for score, loose in zip(system.strict.rows(), system.overlap.rows(), strict=True)
                    }
                    for system in result.systems
                },
            }
        )
        return
    out.print(f"{result.corpus}: {result.documents} documents, {result.gold_spans} gold spans")
    out.print(ner.format_table(result))


@evaluate_app.command("timeml")
def evaluate_timeml_command(
    directory: Annotated[
        Path, typer.Argument(help="A directory of TimeML (.tml) files.", show_default=False)
    ],
    language: Annotated[str, typer.Option(help="Language of the files.")] = "en",
) -> None:
    """TempEval-3 measures for time expressions: extent strict/relaxed F1, value F1, type accuracy."""
    from liaison.evaluation import timeml

    try:
        result = timeml.evaluate_timeml(directory, language)
    except LiaisonError as error:
        fail(str(error))
    out.print(timeml.format_timex_table(result))


@evaluate_app.command("meantime")
def evaluate_meantime_command(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="The MEANTIME directory of XML files.", show_default=False)
    ],
) -> None:
    """Times, event triggers and event participants on MEANTIME, with the commands' figures."""
    from liaison.evaluation import meantime_events, timeml

    try:
        times = timeml.evaluate_meantime_times(directory)
        times_without_datelines = timeml.evaluate_meantime_times(directory, include_creation_time=False)
        found = meantime_events.evaluate_meantime_events(
            directory, services.make_extractor(settings_for(ctx))
        )
    except LiaisonError as error:
        fail(str(error))
    out.print("Time expressions (datelines included, as MEANTIME anchors them):")
    out.print(timeml.format_timex_table(times))
    out.print("\nTime expressions, datelines left out:")
    out.print(timeml.format_timex_table(times_without_datelines))
    out.print("\nEvents:")
    out.print(meantime_events.format_event_table(found))
