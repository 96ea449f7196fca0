from __future__ import annotations

import pytest

from liaison.domain import (
    TLP,
    EntityType,
    Marking,
    Report,
    entity_id_for,
    normalise_name,
    normalise_text,
    report_id_for,
)


def test_report_id_ignores_whitespace_and_line_endings_but_not_words() -> None:
    a = report_id_for("Police  arrested\r\nten people.")
    assert a == report_id_for("Police arrested\nten people.  ")
    assert a != report_id_for("Police arrested eleven people.")
    assert Report(text="Police arrested ten people.").id == a


def test_report_id_is_stable_across_runs() -> None:
    # A UUIDv5 over the canonical key: this value must never change, or re-ingesting would duplicate.
    assert report_id_for("hello") == "e0620eea-6443-52d3-9fc0-9c0971fcff24"
    assert report_id_for("hello") == report_id_for(" hello ")


def test_normalise_text_uses_nfc() -> None:
    assert normalise_text("e\u0301t\u00e9") == "\u00e9t\u00e9"


@pytest.mark.parametrize(
    ("left", "right"),
    [("Trump’s", "trump's"), ("États-Unis", "etats unis"), ("  FBI ", "fbi"), ("M. Hammou", "m hammou")],
)
def test_normalise_name(left: str, right: str) -> None:
    assert normalise_name(left) == normalise_name(right)


def test_entity_id_depends_on_type_and_normalised_name() -> None:
    assert entity_id_for(EntityType.PERSON, "Joe Biden") == entity_id_for(EntityType.PERSON, "joe  BIDEN")
    assert entity_id_for(EntityType.PERSON, "Washington") != entity_id_for(EntityType.LOCATION, "Washington")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("amber", TLP.AMBER),
        ("TLP:RED", TLP.RED),
        ("Amber+Strict", TLP.AMBER_STRICT),
        ("white", TLP.CLEAR),
        ("amber_strict", TLP.AMBER_STRICT),
    ],
)
def test_tlp_parse(text: str, level: TLP) -> None:
    assert TLP.parse(text) is level


def test_tlp_parse_rejects_unknown_levels() -> None:
    with pytest.raises(ValueError, match="unknown TLP level 'purple'"):
        TLP.parse("purple")


def test_most_restrictive_marking_wins() -> None:
    markings = [Marking(TLP.GREEN), Marking(TLP.RED), Marking(TLP.AMBER)]
    assert Marking.most_restrictive(markings).tlp is TLP.RED
    assert Marking.most_restrictive([]).tlp is TLP.CLEAR
