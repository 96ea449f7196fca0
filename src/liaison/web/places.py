"""The positions of places for the entity page's map: they live in ``liaison.places``, which briefs share
without the web stack."""

from __future__ import annotations

from liaison.places import (
    LinkedPlace,
    MapCountry,
    MapData,
    MapPoint,
    city_coordinates,
    country_numeric,
    map_data,
)

__all__ = [
    "LinkedPlace",
    "MapCountry",
    "MapData",
    "MapPoint",
    "city_coordinates",
    "country_numeric",
    "map_data",
]
