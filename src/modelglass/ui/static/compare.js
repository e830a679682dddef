// Compare: config differences between the selected runs, and parallel coordinates of
import { plot } from "./plot.js";
// config values against final metrics.
import { api } from "./api.js";
import { empty, esc, fmt, h } from "./dom.js";
import { colorOf, go, state } from "./state.js";

export async function renderCompare(root, stale) {
  root.append(h("h2", {}, "Compare runs"));
  if (state.selected.length < 2) {
    root.append(empty("Select two or more runs in the Runs view to compare them."), h("button", { onclick: () => go("runs") }, "Choose runs"));
    return;
  }
  const c = await api("compare", { runs: state.selected });
  if (stale()) return;
  const header = h("tr", {}, h("th", {}, ""), c.runs.map((r) => h("th", { class: "num", style: `color:${colorOf(r.id)}` }, r.name)));
  const rows = [];
  rows.push(h("tr", {}, h("td", { colspan: c.runs.length + 1 }, h("b", {}, c.differ.length ? "config values that differ" : "every config value is the same"))));
  for (const k of c.differ) rows.push(h("tr", {}, h("td", {}, k), c.config.map((cfg) => h("td", { class: "num" }, fmt(cfg[k])))));
  if (c.metric_keys.length) rows.push(h("tr", {}, h("td", { colspan: c.runs.length + 1 }, h("b", {}, "final metrics (last value)"))));
  for (const m of c.metric_keys) {
    const vals = c.metrics.map((x) => x[m]);
    const best = bestIndex(m, vals);
    rows.push(h("tr", {}, h("td", {}, m), vals.map((v, i) => h("td", { class: "num" }, i === best ? h("b", {}, fmt(v)) : fmt(v)))));
  }
  root.append(h("table", { id: "compare-table" }, h("thead", {}, header), h("tbody", {}, rows)));
  if (c.same.length) root.append(h("p", { class: "note" }, `Same in every run: ${c.same.join(", ")}`));
  const dims = c.dimensions;
  const left = c.dropped.length ? `Left out because some selected run has no number for them: ${c.dropped.join(", ")}.` : "";
  if (dims.length < 2) { root.append(empty(`Parallel coordinates need at least two config values or metrics that every selected run has. ${left}`)); return; }
  const div = h("div", { class: "chart-wide" });
  root.append(h("h3", {}, "Config against final metrics"), h("div", { class: "card" }, div, left ? h("p", { class: "note" }, left) : null));
  const color = dims.find((d) => d.kind === "metric");
  plot(div, [{ type: "parcoords",
    line: color ? { color: color.values, colorscale: "Viridis", showscale: true } : {},
    dimensions: dims.map((d) => ({ label: esc(d.label), values: d.values,
      ...(d.ticktext ? { tickvals: d.ticktext.map((_, i) => i), ticktext: d.ticktext.map(esc) } : {}) })) }],
  { margin: { l: 60, r: 60, t: 50, b: 20 } });
}

function bestIndex(metric, values) {
  const lower = /loss|err|mse|mae|rmse/i.test(metric);
  let best = -1;
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    if (best < 0 || (lower ? v < values[best] : v > values[best])) best = i;
  });
  return best;
}
