// The neighbourhood graph of an entity: the entity in the middle, the entities it took part in events
// with and the organisations and countries it held roles in around it, laid out by a small force
// simulation (springs along links, repulsion between nodes) and drawn as SVG. The layout starts from
// fixed positions and runs a fixed number of steps, so the same data always gives the same picture.
// Data: <script type="application/json" id="graph-data">{"nodes": [{"id", "name", "type", "centre",
// "weight"}], "links": [{"source", "target", "label", "weight"}]}</script>. Once drawn, the root gets
// data-rendered="true" and data-nodes (how many nodes).

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const HEIGHT = 420;
const STEPS = 300;
const SPRING_LENGTH = 140;
const REPULSION = 9000;

function svgElement(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, String(value));
  }
  return element;
}

const NODE_TYPES = new Set(["person", "organization", "country", "location"]);

function typeClass(type) {
  return "graph-node-" + (NODE_TYPES.has(type) ? type : "other");
}

// Positions for the nodes: the centre node stays in the middle; the others start on a circle.
export function layout(nodes, links) {
  const centreX = WIDTH / 2;
  const centreY = HEIGHT / 2;
  const others = nodes.filter((node) => !node.centre);
  const positions = new Map();
  nodes.forEach((node) => {
    if (node.centre) {
      positions.set(node.id, { x: centreX, y: centreY, fixed: true });
    }
  });
  others.forEach((node, index) => {
    const angle = (2 * Math.PI * index) / Math.max(1, others.length);
    positions.set(node.id, {
      x: centreX + Math.cos(angle) * SPRING_LENGTH * 1.5,
      y: centreY + Math.sin(angle) * SPRING_LENGTH,
      fixed: false,
    });
  });
  const edges = links.filter((link) => positions.has(link.source) && positions.has(link.target));
  for (let step = 0; step < STEPS; step += 1) {
    const cooling = 1 - step / STEPS;
    const forces = new Map(nodes.map((node) => [node.id, { x: 0, y: 0 }]));
    for (let i = 0; i < nodes.length; i += 1) {
      for (let j = i + 1; j < nodes.length; j += 1) {
        const a = positions.get(nodes[i].id);
        const b = positions.get(nodes[j].id);
        let dx = a.x - b.x;
        let dy = a.y - b.y;
        if (dx === 0 && dy === 0) {
          dx = (i - j) * 0.5;
          dy = 0.5;
        }
        const distanceSquared = Math.max(dx * dx + dy * dy, 25);
        const distance = Math.sqrt(distanceSquared);
        const push = REPULSION / distanceSquared;
        forces.get(nodes[i].id).x += (dx / distance) * push;
        forces.get(nodes[i].id).y += (dy / distance) * push;
        forces.get(nodes[j].id).x -= (dx / distance) * push;
        forces.get(nodes[j].id).y -= (dy / distance) * push;
      }
    }
    for (const link of edges) {
      const a = positions.get(link.source);
      const b = positions.get(link.target);
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const distance = Math.max(Math.sqrt(dx * dx + dy * dy), 1);
      const pull = (distance - SPRING_LENGTH) * 0.05;
      forces.get(link.source).x += (dx / distance) * pull;
      forces.get(link.source).y += (dy / distance) * pull;
      forces.get(link.target).x -= (dx / distance) * pull;
      forces.get(link.target).y -= (dy / distance) * pull;
    }
    for (const node of nodes) {
      const position = positions.get(node.id);
      if (position.fixed) {
        continue;
      }
      const force = forces.get(node.id);
      const limit = 20 * cooling + 1;
      position.x += Math.max(-limit, Math.min(limit, force.x));
      position.y += Math.max(-limit, Math.min(limit, force.y));
      position.x = Math.max(40, Math.min(WIDTH - 40, position.x));
      position.y = Math.max(24, Math.min(HEIGHT - 24, position.y));
    }
  }
  return positions;
}

export function drawGraph(root) {
  const source = document.getElementById(root.dataset.source || "graph-data");
  const data = source ? JSON.parse(source.textContent) : { nodes: [], links: [] };
  const nodes = data.nodes || [];
  const links = data.links || [];
  root.replaceChildren();
  if (nodes.length <= 1) {
    const empty = document.createElement("p");
    empty.className = "chart-empty";
    empty.textContent = "No other entity is linked to this one yet.";
    root.append(empty);
  } else {
    const positions = layout(nodes, links);
    const svg = svgElement("svg", {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      class: "chart-svg graph-svg",
      role: "img",
      "aria-label": `Neighbourhood graph of ${nodes.length} entities`,
    });
    const edgeLayer = svgElement("g", { class: "graph-edges" });
    const nodeLayer = svgElement("g", { class: "graph-nodes" });
    for (const link of links) {
      const a = positions.get(link.source);
      const b = positions.get(link.target);
      if (!a || !b) {
        continue;
      }
      const line = svgElement("line", {
        x1: a.x.toFixed(1),
        y1: a.y.toFixed(1),
        x2: b.x.toFixed(1),
        y2: b.y.toFixed(1),
        class: "graph-edge",
        "stroke-width": Math.min(6, 1 + Math.log2(link.weight || 1)).toFixed(1),
      });
      const title = svgElement("title");
      title.textContent = link.label || "";
      line.append(title);
      edgeLayer.append(line);
    }
    for (const node of nodes) {
      const position = positions.get(node.id);
      const group = node.centre
        ? svgElement("g", { class: "graph-centre" })
        : svgElement("a", { href: "/entities/" + encodeURIComponent(node.id), class: "graph-link" });
      const radius = node.centre ? 16 : Math.min(14, 9 + Math.log2(node.weight || 1) * 2);
      const title = svgElement("title");
      title.textContent = node.name + " (" + String(node.type || "").replace(/_/g, " ") + ")";
      const label = svgElement("text", {
        x: position.x.toFixed(1),
        y: (position.y + radius + 13).toFixed(1),
        "text-anchor": "middle",
        class: "graph-label",
      });
      label.textContent = node.name.length > 28 ? node.name.slice(0, 27) + "…" : node.name;
      group.append(
        title,
        svgElement("circle", {
          cx: position.x.toFixed(1),
          cy: position.y.toFixed(1),
          r: radius.toFixed(1),
          class: "graph-node " + typeClass(node.type),
        }),
        label,
      );
      nodeLayer.append(group);
    }
    svg.append(edgeLayer, nodeLayer);
    root.append(svg);
  }
  root.dataset.nodes = String(nodes.length);
  root.dataset.rendered = "true";
  return nodes.length;
}

for (const root of document.querySelectorAll("[data-chart='graph']")) {
  drawGraph(root);
}
