"""TempEval-3 scoring of the temporal tagger: TimeML and MEANTIME readers, the measures, a corpus run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from liaison.errors import InputError
from liaison.evaluation.timeml import (
    GoldTime,
    TimexScores,
    evaluate_meantime_times,
    evaluate_timeml,
    format_timex_misses,
    format_timex_table,
    read_meantime_times,
    read_timeml,
    score_times,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "timeml"
RABAT = DATA / "en" / "ministers_rabat.tml"
MEANTIME = Path(__file__).resolve().parents[3] / "shared" / "data" / "meantime-en-dev"
MAIDEN_FLIGHT = MEANTIME / "corpus_airbus" / "145930_Boeing_787_Dreamliner_makes_maiden_flight.xml"


# ------------------------------------------------------------ scoring


def test_score_times_strict_relaxed_value_and_type() -> None:
    gold = [
        GoldTime(0, 6, "DATE", "2022-09-19"),  # found exactly, right value
        GoldTime(10, 35, "DATE", "2021-Q3"),  # found in part ("last year"): relaxed only, wrong value
        GoldTime(40, 48, "DURATION", "P2D"),  # found exactly, wrong type and value
        GoldTime(60, 70, "DATE", "2021"),  # missed
    ]
    predicted = [
        GoldTime(0, 6, "DATE", "2022-09-19"),
        GoldTime(26, 35, "DATE", "2021"),
        GoldTime(40, 48, "DATE", "2022-09-18"),
        GoldTime(80, 85, "DATE", "PRESENT_REF"),  # spurious
    ]
    scores = score_times(gold, predicted)
    assert scores == TimexScores(gold=4, predicted=4, strict=2, relaxed=3, value=1, type=2)
    assert scores.strict_f1 == pytest.approx(0.5)
    assert scores.relaxed_precision == pytest.approx(0.75)
    assert scores.relaxed_recall == pytest.approx(0.75)
    assert scores.value_f1 == pytest.approx(0.25)
    assert scores.type_accuracy == pytest.approx(2 / 3)


def test_relaxed_pairs_are_one_to_one_and_prefer_the_right_value() -> None:
    # MEANTIME-style overlapping gold: "from 2009 to 2011" (a duration) and "2009" inside it
    gold = [
        GoldTime(0, 17, "DURATION", "P2Y"),
        GoldTime(5, 9, "DATE", "2009"),
        GoldTime(13, 17, "DATE", "2011"),
    ]
    predicted = [GoldTime(5, 9, "DATE", "2009"), GoldTime(13, 17, "DATE", "2011")]
    scores = score_times(gold, predicted)
    assert (scores.relaxed, scores.value, scores.strict) == (2, 2, 2)


def test_scores_add_up_and_empty_scores_are_zero() -> None:
    empty = TimexScores()
    assert empty.value_f1 == 0.0 and empty.type_accuracy == 0.0 and empty.strict_precision == 0.0
    one = TimexScores(2, 2, 1, 2, 1, 2)
    assert one + one == TimexScores(4, 4, 2, 4, 2, 4)
    assert (one + one).value_f1 == pytest.approx(one.value_f1)


# ------------------------------------------------------------ TimeML


def test_read_timeml_strips_tags_and_keeps_offsets() -> None:
    document = read_timeml(RABAT)
    assert document.name == "liaison_test_ministers_rabat"
    assert document.dct == date(2022, 9, 20)
    assert "<" not in document.text and "met in Rabat on Monday, after talks" in document.text
    assert document.annotated_end is None
    spans = [(document.text[t.start : t.end], t.type, t.value) for t in document.times]
    assert spans == [
        ("Monday", "DATE", "2022-09-19"),
        ("two days", "DURATION", "P2D"),
        ("last week", "DATE", "2022-W37"),
        ("2021", "DATE", "2021"),
        ("every year", "SET", "P1Y"),
        ("mid-June", "DATE", "2022-06"),
        ("the 1990s", "DATE", "199"),
        ("10:30 a.m.", "TIME", "2022-10-03T10:30"),
        ("October 3", "DATE", "2022-10-03"),
        ("the same period last year", "DATE", "2021-Q3"),
    ]


def test_evaluate_timeml_on_our_files() -> None:
    english = evaluate_timeml(DATA / "en")
    # everything found; "the same period last year" only as "last year" (relaxed match, other value)
    assert english.scores == TimexScores(gold=10, predicted=10, strict=9, relaxed=10, value=9, type=10)
    french = evaluate_timeml(DATA / "fr", language="fr")
    assert french.scores == TimexScores(gold=7, predicted=7, strict=7, relaxed=7, value=7, type=7)
    table = format_timex_table(english)
    assert "| extent strict | 0.900 | 0.900 | 0.900 |" in table
    assert "| value | 0.900 | 0.900 | 0.900 |" in table
    misses = format_timex_misses(english)
    assert "'the same period last year' DATE 2021-Q3  | predicted 'last year' 2021" in misses


def test_timeml_reader_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tml"
    broken.write_text("<TimeML><TEXT>unclosed", encoding="utf-8")
    with pytest.raises(InputError, match="not well-formed XML"):
        read_timeml(broken)
    no_text = tmp_path / "no_text.tml"
    no_text.write_text("<TimeML><DOCID>x</DOCID></TimeML>", encoding="utf-8")
    with pytest.raises(InputError, match="no <TEXT> element"):
        read_timeml(no_text)
    with pytest.raises(InputError, match="not a directory"):
        evaluate_timeml(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no TimeML files"):
        evaluate_timeml(tmp_path / "empty")


def test_timeml_without_dct_element_uses_the_creation_time_timex(tmp_path: Path) -> None:
    path = tmp_path / "doc.tml"
    path.write_text(
        '<TimeML><TEXT><TIMEX3 tid="t0" type="DATE" value="2020-05-04" functionInDocument="CREATION_TIME">'
        'May 4, 2020</TIMEX3>: talks resumed <TIMEX3 tid="t1" type="DATE" value="2020-05-03">yesterday'
        "</TIMEX3>.</TEXT></TimeML>",
        encoding="utf-8",
    )
    document = read_timeml(path)
    assert document.name == "doc"
    assert document.dct == date(2020, 5, 4)
    assert document.text == "May 4, 2020: talks resumed yesterday."
    assert [document.text[t.start : t.end] for t in document.times] == ["May 4, 2020", "yesterday"]


# ------------------------------------------------------------ MEANTIME


def test_read_meantime_times_on_one_article() -> None:
    document = read_meantime_times(MAIDEN_FLIGHT)
    assert document.name == "145930_Boeing_787_Dreamliner_makes_maiden_flight"
    assert document.dct == date(2009, 12, 16)
    assert document.annotated_end is not None and document.annotated_end < len(document.text)
    spans = [(document.text[t.start : t.end], t.type, t.value) for t in document.times]
    assert spans == [
        ("December 16 , 2009", "DATE", "2009-12-16"),  # the dateline: the CREATION_TIME, anchored to tokens
        ("Tuesday", "DATE", "2009-12-15"),
        ("18:00 UTC", "TIME", "2009-12-15T18:00Z"),
        ("almost two and a half years", "DURATION", "P2.5Y"),
    ]  # the fourth gold TIMEX (2007-06-16, the scheduled date) has no tokens and is skipped
    without = read_meantime_times(MAIDEN_FLIGHT, include_creation_time=False)
    assert without.text[without.times[0].start : without.times[0].end] == "Tuesday"
    assert without.ignored == [(48, 66)]


def test_meantime_dev_set_value_f1() -> None:
    result = evaluate_meantime_times(MEANTIME)
    scores = result.scores
    assert len(result.documents) == 60
    assert scores.gold == 203
    assert scores.value_f1 >= 0.80
    assert scores.relaxed_f1 >= 0.90
    assert scores.type_accuracy >= 0.90
    # without the datelines (the CREATION_TIME expressions), still above the target
    assert evaluate_meantime_times(MEANTIME, include_creation_time=False).scores.value_f1 >= 0.80
    assert "TIMEX3 on MEANTIME meantime-en-dev: 60 documents, 203 gold expressions" in format_timex_table(
        result
    )
