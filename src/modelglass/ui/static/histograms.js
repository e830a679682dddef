// Histograms over time: a step x value heatmap and a ridgeline of a few steps.
import { plot } from "./plot.js";
import { empty, esc, h } from "./dom.js";
import { go, state } from "./state.js";
import { loadRun, runPicker } from "./pick.js";

export async function renderHistograms(root, stale) {
  const loaded = await loadRun(root, stale, "Histograms over time", "histograms", { tag: state.params.tag });
  if (!loaded) return;
  const { runId, data } = loaded;
  const tagSelect = h("select", { "aria-label": "histogram", onchange: (e) => go("histograms", { run: runId, tag: e.target.value }) },
    data.tags.map((t) => h("option", { value: t, selected: data.map && t === data.map.tag }, t)));
  root.append(h("div", { class: "toolbar" }, runPicker(runId), data.tags.length ? h("label", {}, "tensor ", tagSelect) : null));
  if (!data.map) {
    root.append(empty("This run has no histograms. run.watch(model) records weights, gradients and activations; " +
      "run.log_histogram(tag, values, step) records your own."));
    return;
  }
  const m = data.map;
  if (!m.steps.length) { root.append(empty(`${m.tag}: no finite values were recorded.`)); return; }
  const heat = h("div", { class: "chart-wide", "data-hist": m.tag });
  const ridge = h("div", { class: "chart-wide" });
  root.append(h("div", { class: "split" }, h("div", { class: "card" }, heat), h("div", { class: "card" }, ridge)));
  if (m.total_steps > m.steps.length) root.append(h("p", { class: "note" }, `Showing ${m.steps.length} of ${m.total_steps} recorded steps, evenly spaced.`));
  const bad = m.nonfinite.reduce((a, b) => a + b, 0);
  if (bad) root.append(h("p", { class: "note bad" }, `${bad} NaN/Inf values were counted and left out of the picture.`));
  const z = m.centers.map((_, j) => m.steps.map((_, i) => m.share[i][j]));
  plot(heat, [{ type: "heatmap", x: m.steps, y: m.centers, z, colorscale: "Viridis",
    colorbar: { title: { text: "share" } }, hovertemplate: "step %{x}<br>value %{y:.4g}<br>share %{z:.3f}<extra></extra>" }],
  { title: { text: esc(m.tag) }, margin: { l: 64, r: 10, t: 40, b: 44 }, xaxis: { title: { text: "step" } }, yaxis: { title: { text: "value" } } },
  { responsive: true, displaylogo: false });
  const peak = Math.max(1e-12, ...m.share.flat());
  const index = new Map(m.steps.map((s, i) => [s, i]));
  const traces = m.ridge_steps.map((step, k) => {
    const row = m.share[index.get(step)].map((v) => k + (0.9 * v) / peak);
    return { type: "scatter", mode: "lines", x: [m.centers[0], ...m.centers, m.centers.at(-1)], y: [k, ...row, k],
      fill: "toself", name: `step ${step}`, line: { width: 1 }, hovertemplate: `step ${step}<br>value %{x:.4g}<extra></extra>` };
  });
  plot(ridge, traces, { title: { text: "selected steps (later ones higher)" }, showlegend: false,
    margin: { l: 64, r: 10, t: 40, b: 44 }, xaxis: { title: { text: "value" } },
    yaxis: { tickvals: m.ridge_steps.map((_, k) => k), ticktext: m.ridge_steps.map((s) => `step ${s}`) } },
  { responsive: true, displaylogo: false });
}
