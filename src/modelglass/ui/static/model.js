// The model: the stored inspection as a module table, a parameter treemap and the graph.
import { plot } from "./plot.js";
import { treemap } from "./treemap.js";
import { empty, esc, fmt, h, evidenceBlock } from "./dom.js";
import { loadRun, runPicker } from "./pick.js";

export async function renderModel(root, stale) {
  const loaded = await loadRun(root, stale, "Model", "model");
  if (!loaded) return;
  const { runId, data: m } = loaded;
  root.append(h("div", { class: "toolbar" }, runPicker(runId),
    m.available ? h("span", {}, `parameters: ${fmt(m.total_params)}`, m.trainable_params !== undefined && m.trainable_params !== null ? ` (trainable ${fmt(m.trainable_params)})` : "",
      m.total_flops ? ` · FLOPs: ${fmt(m.total_flops)}` : "") : null));
  if (!m.available) { root.append(empty(m.reason)); return; }
  for (const f of m.findings) {
    root.append(h("div", { class: `finding ${f.severity}` }, h("span", { class: "title" }, f.title), h("span", { class: "code" }, f.code),
      h("div", { class: "suggestion" }, f.suggestion), evidenceBlock(f.evidence)));
  }
  const tree = h("div", { class: "chart-wide" });
  const graph = h("div", { class: "chart-wide" });
  root.append(h("div", { class: "split" }, h("div", { class: "card" }, h("h3", {}, "Parameters by module"), tree),
    h("div", { class: "card" }, h("h3", {}, "Graph"), m.graph.nodes.length ? graph : empty("No graph was stored."),
      m.graph.method && m.graph.nodes.length ? h("p", { class: "note" }, `traced with ${m.graph.method}${m.graph.truncated ? "; first 400 nodes shown" : ""}`) : null)));
  root.append(h("h3", {}, "Modules"), h("div", { class: "scroll" }, layerTable(m.layers)));
  if (m.tree.ids.length > 1) treemap(tree, m.tree);
  else tree.replaceWith(empty("The inspection lists no parameters."));
  if (m.graph.nodes.length) drawGraph(graph, m.graph);
}

function layerTable(layers) {
  const cols = ["name", "type", "input_shape", "output_shape", "params", "trainable_params", "flops"];
  return h("table", {}, h("thead", {}, h("tr", {}, cols.map((c) => h("th", {}, c.replace("_", " "))))),
    h("tbody", {}, layers.map((l) => h("tr", {}, cols.map((c) => h("td", { class: typeof l[c] === "number" ? "num" : "" },
      c === "name" && l[c] === "" ? "(model)" : fmt(l[c])))))));
}

function drawGraph(div, g) {
  const depth = Math.max(1, ...g.nodes.map((n) => -n.y));
  div.style.height = `${Math.max(420, 26 * depth)}px`;
  const ex = [], ey = [];
  for (const [a, b] of g.edges) {
    ex.push(g.nodes[a].x, g.nodes[b].x, null);
    ey.push(g.nodes[a].y, g.nodes[b].y, null);
  }
  plot(div, [
    { type: "scatter", mode: "lines", x: ex, y: ey, line: { color: "#9aa5b4", width: 1 }, hoverinfo: "skip" },
    { type: "scatter", mode: "markers+text", x: g.nodes.map((n) => n.x), y: g.nodes.map((n) => n.y),
      text: g.nodes.map((n) => esc(n.label)), textposition: "middle right", marker: { size: 10, color: "#2f6fde" },
      customdata: g.nodes.map((n) => esc(n.type)), hovertemplate: "%{text}<br>%{customdata}<extra></extra>" },
  ], { showlegend: false, margin: { l: 10, r: 10, t: 10, b: 10 }, xaxis: { visible: false }, yaxis: { visible: false } },
  { responsive: true, displaylogo: false });
}
