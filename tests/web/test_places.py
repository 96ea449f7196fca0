"""Places for the entity map: ISO numeric codes of countries, coordinates of cities."""

from __future__ import annotations

import pytest

from liaison.web.places import LinkedPlace, city_coordinates, country_numeric, map_data


@pytest.mark.parametrize(
    "alpha2,numeric",
    [("FR", "250"), ("fr", "250"), ("AF", "004"), ("US", "840"), ("XK", None), ("", None), (None, None)],
)
def test_country_numeric_is_the_world_atlas_id(alpha2: str | None, numeric: str | None) -> None:
    assert country_numeric(alpha2) == numeric


def test_city_coordinates_come_from_the_gazetteer_cities() -> None:
    lyon = city_coordinates("Lyon", "FR")
    assert lyon is not None
    assert lyon == pytest.approx((45.75, 4.85), abs=0.05)
    # the most populous of the name when no country narrows it; accents and case do not matter
    paris = city_coordinates("paris")
    assert paris == pytest.approx((48.85, 2.35), abs=0.05)
    assert city_coordinates("Sao Paulo", "BR") == pytest.approx((-23.55, -46.64), abs=0.05)
    assert city_coordinates("Paris", "US") != paris
    assert city_coordinates("Nowhere-on-Earth", "FR") is None


def test_map_data_highlights_countries_and_places_cities() -> None:
    places = [
        LinkedPlace("c-fr", "France", "country", {"country_code": "FR", "place_kind": "country"}),
        LinkedPlace("c-lyon", "Lyon", "location", {"country_code": "FR", "place_kind": "city"}),
        LinkedPlace("c-kyiv", "Kyiv", "location", {"country_code": "UA", "place_kind": "city"}),
        LinkedPlace("c-de", "Germany", "country", {}),  # no code stored: found by its ISO name
        LinkedPlace("s-tx", "Texas", "location", {"country_code": "US", "place_kind": "admin"}),
        LinkedPlace("own", "Camp", "location", {"latitude": "10.5", "longitude": "-20.25"}),
        LinkedPlace("bad", "Xyzzyplatz", "location", {"latitude": "999", "longitude": "nan"}),
        LinkedPlace("c-fr", "France", "country", {"country_code": "FR", "place_kind": "country"}),
    ]
    data = map_data(places)
    assert [(c.numeric, c.name, c.linked) for c in data.countries] == [
        ("250", "France", True),
        ("276", "Germany", True),
        ("804", "Ukraine", False),
        ("840", "United States", False),
    ]
    assert data.countries[0].entity_id == "c-fr" and data.countries[2].entity_id is None
    points = {p.entity_id: p for p in data.points}
    assert set(points) == {"c-lyon", "c-kyiv", "own"}
    assert (points["own"].latitude, points["own"].longitude) == (10.5, -20.25)
    assert points["c-lyon"].country_numeric == "250"
    assert data.unplaced == ("Xyzzyplatz",)
    payload = data.as_json()
    assert payload["countries"][0] == {"id": "250", "name": "France", "entity": "c-fr", "linked": True}
    assert {p["name"] for p in payload["points"]} == {"Lyon", "Kyiv", "Camp"}


def test_no_places_is_an_empty_map() -> None:
    data = map_data([])
    assert data.as_json() == {"countries": [], "points": []}
    assert data.unplaced == ()
