"""The brief's pictures as inline SVG, drawn on the server: a timeline, a map and the entity graph.

Pure Python, deterministic (the same brief draws the same picture), and every piece of text escaped: a
name is data, never markup. The map's country shapes come from the npm package world-atlas installed
under ``web/node_modules`` (TopoJSON, decoded here: delta-encoded quantised arcs and the transform), in an
equirectangular projection; without the package the map shows the places as dots on a plain frame.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from liaison.briefing.gather import BriefEvent, GraphEdge, GraphNode
from liaison.places import MapData

WORLD_ATLAS = (
    Path(__file__).resolve().parents[1] / "web" / "node_modules" / "world-atlas" / "countries-110m.json"
)
# PLOVER categories share a colour by kind: verbal cooperation, material cooperation, conflict, other.
_COLOURS = ("#1f5fa8", "#2e8540", "#b3261e", "#7a4fb0", "#a86100", "#00707a", "#5f6b7a", "#8c3a6b")
_MAP_WIDTH, _MAP_HEIGHT = 720, 330
_NORTH, _SOUTH = 84.0, -58.0  # latitudes shown: Antarctica and the high Arctic add nothing


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _year_fraction(value: str) -> float | None:
    """A TIMEX-style date as a fractional year (the middle of a month or year given alone)."""
    try:
        year = int(value[:4])
        if len(value) >= 10:
            day = date.fromisoformat(value[:10])
            return year + (day.timetuple().tm_yday - 0.5) / 366
        if len(value) >= 7:
            return year + (int(value[5:7]) - 0.5) / 12
        return year + 0.5
    except ValueError:
        return None


def timeline_svg(events: Sequence[BriefEvent], width: int = 720) -> str:
    """One lane per event type, a dot per dated event at its date, numbered as in the timeline table."""
    dated = [(index, e, _year_fraction(e.date)) for index, e in enumerate(events, start=1) if e.date]
    placed = [(index, e, x) for index, e, x in dated if x is not None]
    if not placed:
        return ""
    lanes = sorted({e.type for _, e, _ in placed})
    lane_height, left, right, top = 26, 150, width - 16, 12
    height = top + lane_height * len(lanes) + 34
    first = min(x for _, _, x in placed)
    last = max(x for _, _, x in placed)
    if last - first < 1 / 12:
        first, last = first - 1 / 24, last + 1 / 24

    def at(x: float) -> float:
        return round(left + (right - left) * (x - first) / (last - first), 1)

    parts = [
        f'<svg class="chart timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Timeline of {len(placed)} dated events" data-points="{len(placed)}">'
    ]
    for row, lane in enumerate(lanes):
        y = top + row * lane_height + lane_height / 2
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" class="lane">{_text(lane)}</text>')
        parts.append(f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" class="lane-line"/>')
    axis = top + lane_height * len(lanes) + 6
    parts.append(f'<line x1="{left}" y1="{axis}" x2="{right}" y2="{axis}" class="axis"/>')
    span = last - first
    step = 1 / 12 if span <= 1.5 else (0.25 if span <= 4 else 1.0)
    tick = math.ceil(first / step) * step
    ticks = 0
    while tick <= last + 1e-9 and ticks < 40:
        year, month = int(tick + 1e-9), round((tick - int(tick + 1e-9)) * 12) + 1
        label = f"{year}" if step == 1.0 or month == 1 else f"{year}-{month:02d}"
        parts.append(f'<line x1="{at(tick)}" y1="{axis}" x2="{at(tick)}" y2="{axis + 4}" class="axis"/>')
        parts.append(
            f'<text x="{at(tick)}" y="{axis + 16}" text-anchor="middle" class="tick">{_text(label)}</text>'
        )
        tick += step
        ticks += 1
    for index, event, x in placed:
        row = lanes.index(event.type)
        y = top + row * lane_height + lane_height / 2
        colour = _COLOURS[row % len(_COLOURS)]
        parts.append(
            f"<g><title>{_text(f'{index}. {event.date} {event.type}')}</title>"
            f'<circle cx="{at(x)}" cy="{y}" r="6" fill="{colour}"/>'
            f'<text x="{at(x)}" y="{y - 8}" text-anchor="middle" class="num">{index}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


# -- map ---------------------------------------------------------------------------------------------


def _project(longitude: float, latitude: float) -> tuple[float, float]:
    x = (longitude + 180.0) / 360.0 * _MAP_WIDTH
    y = (_NORTH - latitude) / (_NORTH - _SOUTH) * _MAP_HEIGHT
    return round(x, 1), round(y, 1)


@functools.cache
def _world() -> dict[str, tuple[str, str]] | None:
    """ISO numeric id -> (name, SVG path) of every country shape, or None without world-atlas."""
    try:
        topology: dict[str, Any] = json.loads(WORLD_ATLAS.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    transform = topology.get("transform") or {"scale": [1, 1], "translate": [0, 0]}
    (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # each position is the difference from the previous one
            x, y = x + dx, y + dy
            points.append(_project(x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indexes: list[int]) -> str:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        if len(points) < 3:
            return ""
        # a ring crossing the antimeridian jumps across the map: start a new subpath there instead
        path = [f"M{points[0][0]},{points[0][1]}"]
        for (x0, _), (x, y) in itertools.pairwise(points):
            path.append(f"{'M' if abs(x - x0) > _MAP_WIDTH / 2 else 'L'}{x},{y}")
        return "".join(path) + "Z"

    shapes: dict[str, tuple[str, str]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = (
            [geometry["arcs"]]
            if geometry.get("type") == "Polygon"
            else geometry.get("arcs", [])
            if geometry.get("type") == "MultiPolygon"
            else []
        )
        path = "".join(ring(r) for polygon in polygons for r in polygon)
        if path and "id" in geometry:
            shapes[str(geometry["id"])] = (str(geometry.get("properties", {}).get("name", "")), path)
    return shapes


def map_svg(places: MapData) -> str:
    """The world with the countries involved filled and the cities as dots, each titled by its name."""
    if not places.countries and not places.points:
        return ""
    world = _world()
    highlighted = {c.numeric: c for c in places.countries}
    parts = [
        f'<svg class="chart map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_MAP_WIDTH} {_MAP_HEIGHT}" '
        f'role="img" aria-label="Map of {len(places.countries)} countries and {len(places.points)} places" '
        f'data-points="{len(places.countries) + len(places.points)}">',
        f'<rect x="0" y="0" width="{_MAP_WIDTH}" height="{_MAP_HEIGHT}" class="sea"/>',
    ]
    if world is not None:
        for numeric, (_name, path) in sorted(world.items()):
            country = highlighted.get(numeric)
            css = "land" if country is None else ("involved" if country.linked else "involved-by-place")
            title = f"<title>{_text(country.name)}</title>" if country else ""
            parts.append(f'<path class="{css}" d="{path}">{title}</path>')
    for point in places.points:
        x, y = _project(point.longitude, point.latitude)
        parts.append(
            f'<g><title>{_text(point.name)}</title><circle cx="{x}" cy="{y}" r="4" class="city"/>'
            f'<text x="{x + 6}" y="{y - 5}" class="city-label">{_text(point.name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def map_has_shapes() -> bool:
    return _world() is not None


# -- graph -------------------------------------------------------------------------------------------


def graph_svg(
    nodes: Sequence[GraphNode], edges: Sequence[GraphEdge], width: int = 680, height: int = 420
) -> str:
    """The subject at the centre, its neighbours on an ellipse in a fixed order, each edge labelled."""
    if len(nodes) < 2:
        return ""
    centre, others = nodes[0], list(nodes[1:])
    middle_x, middle_y = width / 2, height / 2
    radius_x, radius_y = width / 2 - 150, height / 2 - 45  # room for the names left and right
    position = {centre.entity_id: (middle_x, middle_y)}
    for index, node in enumerate(others):
        angle = -math.pi / 2 + 2 * math.pi * index / len(others)
        position[node.entity_id] = (
            round(middle_x + radius_x * math.cos(angle), 1),
            round(middle_y + radius_y * math.sin(angle), 1),
        )
    parts = [
        f'<svg class="chart graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Graph of {len(others)} entities linked to {_text(centre.name)}" '
        f'data-points="{len(nodes)}">'
    ]
    for edge in edges:
        (x1, y1), (x2, y2) = position[edge.source], position[edge.target]
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" class="edge"/>')
        if edge.label:
            lx, ly = round((x1 * 2 + x2) / 3, 1), round((y1 * 2 + y2) / 3, 1)
            parts.append(
                f'<text x="{lx}" y="{ly}" text-anchor="middle" class="edge-label">{_text(edge.label)}</text>'
            )
    for node in nodes:
        x, y = position[node.entity_id]
        css = "node centre" if node.centre else f"node {_text(node.type)}"
        anchor = "middle" if node.centre or abs(x - middle_x) < 20 else ("start" if x > middle_x else "end")
        dx = 0 if anchor == "middle" else (10 if anchor == "start" else -10)
        dy = -14 if node.centre or y < middle_y else (18 if anchor == "middle" else 4)
        parts.append(
            f"<g><title>{_text(f'{node.name} ({node.type})')}</title>"
            f'<circle cx="{x}" cy="{y}" r="{10 if node.centre else 7}" class="{css}"/>'
            f'<text x="{x + dx}" y="{y + dy}" text-anchor="{anchor}" class="node-label">'
            f"{_text(node.name)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
