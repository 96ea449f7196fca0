// The timeline of an entity's events: one dot per dated event on a time axis, drawn as SVG.
// Data: <script type="application/json" id="timeline-data">{"events": [{"id", "date", "precision",
// "type", "plover", "place"}]}</script>, named by the chart root's data-source. Dots that would overlap
// are stacked in lanes. Each dot links to its event page. Once drawn, the root gets data-rendered="true"
// and data-points (how many dots).

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 900;
const LANE_HEIGHT = 22;
const MARGIN = { left: 24, right: 24, top: 16, bottom: 40 };
const DOT_RADIUS = 7;
const DAY_MS = 86400000;

function svgElement(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, String(value));
  }
  return element;
}

// A date of an event ("2024", "2024-02", "2024-02-20") as a moment: a partial date sits mid-period.
export function parseEventDate(value) {
  const match = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(value || "");
  if (!match) {
    return null;
  }
  const year = Number(match[1]);
  if (match[3]) {
    return Date.UTC(year, Number(match[2]) - 1, Number(match[3]));
  }
  if (match[2]) {
    return Date.UTC(year, Number(match[2]) - 1, 15);
  }
  return Date.UTC(year, 6, 1);
}

function ticks(start, end) {
  const years = (end - start) / (365 * DAY_MS);
  const result = [];
  const first = new Date(start);
  if (years > 3) {
    const step = Math.ceil(years / 8);
    for (let year = first.getUTCFullYear() + 1; Date.UTC(year, 0, 1) <= end; year += step) {
      result.push({ at: Date.UTC(year, 0, 1), label: String(year) });
    }
  } else {
    const months = Math.max(1, Math.ceil((years * 12) / 8));
    let year = first.getUTCFullYear();
    let month = first.getUTCMonth() + 1;
    while (Date.UTC(year, month, 1) <= end) {
      const at = Date.UTC(year, month, 1);
      const label = new Date(at).toISOString().slice(0, 7);
      result.push({ at, label });
      month += months;
      year += Math.floor(month / 12);
      month %= 12;
    }
  }
  return result;
}

export function drawTimeline(root) {
  const source = document.getElementById(root.dataset.source || "timeline-data");
  const data = source ? JSON.parse(source.textContent) : { events: [] };
  const dated = (data.events || [])
    .map((event) => ({ ...event, at: parseEventDate(event.date) }))
    .filter((event) => event.at !== null)
    .sort((a, b) => a.at - b.at || String(a.id).localeCompare(String(b.id)));
  root.replaceChildren();
  if (dated.length === 0) {
    const empty = document.createElement("p");
    empty.className = "chart-empty";
    empty.textContent = "No dated events to show.";
    root.append(empty);
  } else {
    const first = dated[0].at;
    const last = dated[dated.length - 1].at;
    const padding = Math.max(15 * DAY_MS, (last - first) * 0.05);
    const start = first - padding;
    const end = last + padding;
    const span = WIDTH - MARGIN.left - MARGIN.right;
    const x = (at) => MARGIN.left + ((at - start) / (end - start)) * span;
    // lanes: a dot goes in the first lane whose last dot is far enough to the left
    const laneEnds = [];
    for (const event of dated) {
      event.x = x(event.at);
      let lane = laneEnds.findIndex((right) => right + 2 * DOT_RADIUS + 2 <= event.x);
      if (lane < 0) {
        lane = laneEnds.length;
        laneEnds.push(event.x);
      }
      laneEnds[lane] = event.x;
      event.lane = lane;
    }
    // one colour per PLOVER category (eight colours, then round again), named in the legend below
    const series = new Map(
      [...new Set(dated.map((event) => event.plover || "other"))].sort().map((code, index) => [code, index % 8]),
    );
    const height = MARGIN.top + laneEnds.length * LANE_HEIGHT + MARGIN.bottom;
    const axisY = height - MARGIN.bottom + 8;
    const svg = svgElement("svg", {
      viewBox: `0 0 ${WIDTH} ${height}`,
      class: "chart-svg",
      role: "img",
      "aria-label": `Timeline of ${dated.length} dated events`,
    });
    const axis = svgElement("g", { class: "axis" });
    axis.append(svgElement("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: axisY, y2: axisY }));
    // the first and last dates are written under their dots; ticks too close to them are left out
    const ends = [...new Set([dated[0], dated[dated.length - 1]])];
    const labelled = ends.map((event) => event.x);
    for (const event of ends) {
      const label = svgElement("text", { x: event.x.toFixed(1), y: axisY + 20, class: "tick-label end-label", "text-anchor": "middle" });
      label.textContent = event.date;
      axis.append(label);
    }
    for (const tick of ticks(start, end)) {
      const tickX = x(tick.at);
      if (labelled.some((labelX) => Math.abs(labelX - tickX) < 70)) {
        continue;
      }
      svg.append(svgElement("line", { x1: tickX, x2: tickX, y1: MARGIN.top, y2: axisY, class: "grid-line" }));
      axis.append(svgElement("line", { x1: tickX, x2: tickX, y1: axisY, y2: axisY + 5 }));
      const label = svgElement("text", { x: tickX, y: axisY + 20, class: "tick-label", "text-anchor": "middle" });
      label.textContent = tick.label;
      axis.append(label);
    }
    svg.append(axis);
    for (const event of dated) {
      const link = svgElement("a", { href: "/events/" + encodeURIComponent(event.id), class: "timeline-event" });
      const y = MARGIN.top + event.lane * LANE_HEIGHT + LANE_HEIGHT / 2;
      const dot = svgElement("circle", {
        cx: event.x.toFixed(1),
        cy: y,
        r: DOT_RADIUS,
        class: "timeline-dot series-" + series.get(event.plover || "other"),
      });
      const title = svgElement("title");
      title.textContent = [event.date, event.type, event.place].filter(Boolean).join(" · ");
      link.append(title, dot);
      svg.append(link);
    }
    const legend = document.createElement("ul");
    legend.className = "chart-legend";
    for (const [code, index] of series) {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch series-" + index;
      item.append(swatch, code);
      legend.append(item);
    }
    root.append(svg, legend);
  }
  root.dataset.points = String(dated.length);
  root.dataset.rendered = "true";
  return dated.length;
}

for (const root of document.querySelectorAll("[data-chart='timeline']")) {
  drawTimeline(root);
}
