// Compare: the selected runs one per row (config values that differ, final metrics), and
// parallel coordinates of config values against final metrics.
import { parcoords } from "./parcoords.js";
import { api } from "./api.js";
import { empty, fmt, h } from "./dom.js";
import { colorOf, go, state } from "./state.js";

export async function renderCompare(root, stale) {
  root.append(h("h2", {}, "Compare runs"));
  if (state.selected.length < 2) {
    root.append(empty("Select two or more runs in the Runs view to compare them."), h("button", { onclick: () => go("runs") }, "Choose runs"));
    return;
  }
  const c = await api("compare", { runs: state.selected });
  if (stale()) return;
  root.append(h("div", { class: "table-wrap" }, table(c)));
  if (!c.differ.length) root.append(h("p", { class: "note" }, "Every config value is the same in the selected runs."));
  if (c.same.length) root.append(h("p", { class: "note" }, `Same in every run: ${c.same.join(", ")}`));
  const dims = c.dimensions;
  const left = c.dropped.length ? `Left out because some selected run has no number for them: ${c.dropped.join(", ")}.` : "";
  if (dims.length < 2) { root.append(empty(`Parallel coordinates need at least two config values or metrics that every selected run has. ${left}`)); return; }
  const div = h("div", { class: "chart-wide", id: "parcoords" });
  root.append(h("h3", {}, "Config against final metrics"), h("div", { class: "card" }, div, left ? h("p", { class: "note" }, left) : null));
  parcoords(div, dims, c.runs, dims.find((d) => d.kind === "metric"));
}

// One row per run (15 trials fit the page's width; a column per run would not).
function table(c) {
  c = { ...c, metric_keys: c.metric_keys.filter((m) => !c.differ.includes(m)) };  // a logged lr is a config column already
  const best = Object.fromEntries(c.metric_keys.map((m) => [m, bestIndex(m, c.metrics.map((x) => x[m]))]));
  const head = h("tr", {}, h("th", {}, "run"), c.differ.map((k) => h("th", { class: "num", title: "config" }, k)),
    c.metric_keys.map((m) => h("th", { class: "num", title: `final ${m}${best[m] >= 0 ? ` (best: ${better(m)})` : ""}` }, m)));
  const rows = c.runs.map((r, i) => h("tr", { "data-run-id": r.id },
    h("td", { class: "name", title: r.name }, h("i", { class: "swatch", style: `background:${colorOf(r.id)}` }), r.name),
    c.differ.map((k) => h("td", { class: "num" }, fmt(c.config[i][k]))),
    c.metric_keys.map((m) => h("td", { class: `num${best[m] === i ? " best" : ""}` }, fmt(c.metrics[i][m])))));
  const groups = h("tr", {}, h("th", { class: "group" }, ""),
    c.differ.length ? h("th", { class: "group", colspan: c.differ.length }, "config values that differ") : null,
    c.metric_keys.length ? h("th", { class: "group", colspan: c.metric_keys.length }, "final metrics (last value; best in bold)") : null);
  return h("table", { id: "compare-table" }, h("thead", {}, groups, head), h("tbody", {}, rows));
}

// Which way is better is known for losses and errors (lower) and for accuracy-like scores
// (higher); any other metric (a logged learning rate, a step count) gets no "best".
const LOWER = /loss|err|mse|mae|rmse|perplexity|nll/i;
const HIGHER = /acc|f1|auc|precision|recall|score|r2|iou|bleu|map\b/i;

function better(metric) {
  return LOWER.test(metric) ? "lowest" : HIGHER.test(metric) ? "highest" : null;
}

export function bestIndex(metric, values) {
  const way = better(metric);
  if (!way) return -1;
  let best = -1;
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    if (best < 0 || (way === "lowest" ? v < values[best] : v > values[best])) best = i;
  });
  return best;
}
