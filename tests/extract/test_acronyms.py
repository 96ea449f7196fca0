from __future__ import annotations

import pytest

from liaison.extract.acronyms import find_acronyms, match_long_form


def definitions(text: str) -> list[tuple[str, str]]:
    return [(text[slice(*d.short)], text[slice(*d.long)]) for d in find_acronyms(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Britain's National Crime Agency (NCA) said", [("NCA", "National Crime Agency")]),
        ("the Federal Bureau of Investigation (FBI);", [("FBI", "Federal Bureau of Investigation")]),
        # French expansion after the acronym, function words skipped
        (
            "la DGSI (Direction générale de la sécurité intérieure) met",
            [("DGSI", "Direction générale de la sécurité intérieure")],
        ),
        # English rendering of a French acronym: same initials, another order
        (
            "the General Directorate of Information Systems Security (DGSSI) said",
            [("DGSSI", "General Directorate of Information Systems Security")],
        ),
        # a reporter's rendering after a title: the name is what follows "of"
        (
            "X, Director General of National Police of Ruritania (DGPN), said",
            [("DGPN", "National Police of Ruritania")],
        ),
        ("He said (AND) nothing and (OK) more", []),
        ("the Operation (OP) began", []),
    ],
)
def test_acronym_definitions(text: str, expected: list[tuple[str, str]]) -> None:
    assert definitions(text) == expected


def test_schwartz_hearst_matches_from_the_end() -> None:
    long = "the Australian Security Intelligence Organisation"
    offset = match_long_form("ASIO", long)
    assert offset is not None and long[offset:] == "Australian Security Intelligence Organisation"
    assert match_long_form("XYZ", long) is None
