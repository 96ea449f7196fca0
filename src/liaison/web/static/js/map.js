// The map of the places linked to an entity: world-atlas country shapes (TopoJSON, turned into GeoJSON
// with topojson-client's feature), an equirectangular projection, linked countries highlighted by their
// ISO 3166 numeric id and cities as dots by latitude and longitude. Everything is served by this server
// (/static/vendor/…, installed from npm); without those packages the dots are still drawn on a plain
// graticule and the map says what is missing.
// Data: <script type="application/json" id="map-data">{"countries": [{"id", "name", "entity",
// "linked"}], "points": [{"entity", "name", "lat", "lon"}]}</script>. Once drawn, the root gets
// data-rendered="true", data-countries (highlighted shapes) and data-points (dots).

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 960;
const HEIGHT = 480; // equirectangular: 360° of longitude by 180° of latitude
const MIN_SPAN_DEGREES = 40; // zoomed to the linked places, but never closer than this

function svgElement(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, String(value));
  }
  return element;
}

export function project(lon, lat) {
  return [((lon + 180) / 360) * WIDTH, ((90 - lat) / 180) * HEIGHT];
}

function ringPath(ring) {
  return (
    ring
      .map(([lon, lat], index) => {
        const [x, y] = project(lon, lat);
        return (index ? "L" : "M") + x.toFixed(1) + "," + y.toFixed(1);
      })
      .join("") + "Z"
  );
}

export function geometryPath(geometry) {
  if (!geometry) {
    return "";
  }
  if (geometry.type === "Polygon") {
    return geometry.coordinates.map(ringPath).join("");
  }
  if (geometry.type === "MultiPolygon") {
    return geometry.coordinates.map((polygon) => polygon.map(ringPath).join("")).join("");
  }
  return "";
}

function extendBox(box, [x, y]) {
  box.minX = Math.min(box.minX, x);
  box.maxX = Math.max(box.maxX, x);
  box.minY = Math.min(box.minY, y);
  box.maxY = Math.max(box.maxY, y);
}

function ringArea(ring) {
  let twice = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    twice += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
  }
  return Math.abs(twice / 2);
}

// The outline of a country's largest piece: the map zooms to France, not to France and French Guiana.
function mainOutline(geometry) {
  if (!geometry) {
    return [];
  }
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates || [];
  let best = [];
  for (const polygon of polygons) {
    const outline = polygon[0] || [];
    if (ringArea(outline) > ringArea(best)) {
      best = outline;
    }
  }
  return best;
}

// The part of the world to show: the linked places with a margin, at the map's proportions.
function viewBox(box) {
  if (!Number.isFinite(box.minX)) {
    return `0 0 ${WIDTH} ${HEIGHT}`;
  }
  const minSpan = (MIN_SPAN_DEGREES / 360) * WIDTH;
  let width = Math.max(box.maxX - box.minX, minSpan) * 1.3;
  let height = Math.max(box.maxY - box.minY, minSpan / 2) * 1.3;
  if (width / height > WIDTH / HEIGHT) {
    height = width * (HEIGHT / WIDTH);
  } else {
    width = height * (WIDTH / HEIGHT);
  }
  width = Math.min(width, WIDTH);
  height = Math.min(height, HEIGHT);
  const centreX = (box.minX + box.maxX) / 2;
  const centreY = (box.minY + box.maxY) / 2;
  const x = Math.max(0, Math.min(WIDTH - width, centreX - width / 2));
  const y = Math.max(0, Math.min(HEIGHT - height, centreY - height / 2));
  return `${x.toFixed(1)} ${y.toFixed(1)} ${width.toFixed(1)} ${height.toFixed(1)}`;
}

async function loadShapes(root) {
  const atlasUrl = root.dataset.atlas;
  const clientUrl = root.dataset.topojson;
  if (!atlasUrl || !clientUrl) {
    return null;
  }
  try {
    const [topojson, response] = await Promise.all([import(clientUrl), fetch(atlasUrl)]);
    if (!response.ok) {
      return null;
    }
    const topology = await response.json();
    return topojson.feature(topology, topology.objects.countries).features;
  } catch (error) {
    return null;
  }
}

function graticule(svg) {
  for (let lon = -180; lon <= 180; lon += 30) {
    const [x] = project(lon, 0);
    svg.append(svgElement("line", { x1: x, x2: x, y1: 0, y2: HEIGHT, class: "map-graticule" }));
  }
  for (let lat = -60; lat <= 60; lat += 30) {
    const [, y] = project(0, lat);
    svg.append(svgElement("line", { x1: 0, x2: WIDTH, y1: y, y2: y, class: "map-graticule" }));
  }
}

function note(root, text) {
  const paragraph = document.createElement("p");
  paragraph.className = "chart-note";
  paragraph.textContent = text;
  root.append(paragraph);
}

export async function drawMap(root) {
  const source = document.getElementById(root.dataset.source || "map-data");
  const data = source ? JSON.parse(source.textContent) : { countries: [], points: [] };
  const wanted = new Map((data.countries || []).map((country) => [String(country.id), country]));
  const points = (data.points || []).filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
  const shapes = await loadShapes(root);
  root.replaceChildren();
  const svg = svgElement("svg", { class: "chart-svg map-svg", role: "img" });
  svg.append(svgElement("rect", { x: 0, y: 0, width: WIDTH, height: HEIGHT, class: "map-sea" }));
  graticule(svg);
  const box = { minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
  let highlighted = 0;
  for (const shape of shapes || []) {
    const country = wanted.get(String(shape.id));
    const path = svgElement("path", {
      d: geometryPath(shape.geometry),
      class: country ? (country.linked ? "map-country map-country-linked" : "map-country map-country-context") : "map-country",
    });
    if (country) {
      highlighted += 1;
      const title = svgElement("title");
      title.textContent = country.name;
      path.append(title);
      for (const point of mainOutline(shape.geometry)) {
        extendBox(box, project(point[0], point[1]));
      }
    }
    if (country && country.entity) {
      const link = svgElement("a", { href: "/entities/" + encodeURIComponent(country.entity) });
      link.append(path);
      svg.append(link);
    } else {
      svg.append(path);
    }
  }
  for (const point of points) {
    const [x, y] = project(point.lon, point.lat);
    extendBox(box, [x, y]);
    const link = svgElement("a", { href: "/entities/" + encodeURIComponent(point.entity), class: "map-city" });
    const title = svgElement("title");
    title.textContent = point.name;
    link.append(title, svgElement("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 4, class: "map-place" }));
    svg.append(link);
  }
  svg.setAttribute("viewBox", viewBox(box));
  const names = [...wanted.values()].map((c) => c.name).concat(points.map((p) => p.name));
  svg.setAttribute("aria-label", names.length ? "Map of " + names.join(", ") : "World map, no places");
  root.append(svg);
  if (shapes === null) {
    note(root, "Country shapes are not installed on this server (run make setup): only cities are drawn.");
  } else if (names.length === 0) {
    note(root, "No linked places with a known position.");
  }
  root.dataset.countries = String(highlighted);
  root.dataset.points = String(points.length);
  root.dataset.rendered = "true";
  return highlighted + points.length;
}

for (const root of document.querySelectorAll("[data-chart='map']")) {
  drawMap(root);
}
