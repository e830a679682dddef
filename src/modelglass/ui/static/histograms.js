// Histograms over time: for each selected run (up to six, side by side) a step x value
// heatmap, and for one run also a ridgeline of a few steps. Drawn on uPlot's canvas, so this
// view needs no plotly.js.
import { api } from "./api.js";
import { empty, h } from "./dom.js";
import { colorOf, go, runName, state } from "./state.js";
import { currentRun, runPicker } from "./pick.js";
import { fitWidth, num } from "./lines.js";
import { VIRIDIS, viridis } from "./colors.js";

const MAX_RUNS = 6;
export async function renderHistograms(root, stale) {
  root.append(h("h2", {}, "Histograms over time"));
  const ids = (state.params.run ? [state.params.run] : state.selected.length ? state.selected
    : [currentRun()].filter(Boolean)).slice(0, MAX_RUNS);
  if (!ids.length) { root.append(empty("No runs in this store yet.")); return; }
  const tag = state.params.tag;
  const got = await Promise.all(ids.map((id) => api(`runs/${encodeURIComponent(id)}/histograms`, { tag })
    .catch((err) => ({ run_id: id, tags: [], map: null, error: err.message }))));
  if (stale()) return;
  const tags = [...new Set(got.flatMap((g) => g.tags))];
  const shown = tag || got.find((g) => g.map)?.map.tag;
  const tagSelect = h("select", { "aria-label": "histogram", onchange: (e) => go("histograms", { tag: e.target.value }) },
    tags.map((t) => h("option", { value: t, selected: t === shown }, t)));
  root.append(h("div", { class: "toolbar" }, ids.length === 1 ? runPicker(ids[0]) : h("span", {}, `${ids.length} runs`),
    tags.length ? h("label", {}, "tensor ", tagSelect) : null,
    state.selected.length > MAX_RUNS ? h("span", { class: "note" }, `the first ${MAX_RUNS} selected runs`) : null));
  if (!got.some((g) => g.map)) {
    root.append(empty("The selected runs have no histograms. run.watch(model) records weights, gradients and activations; " +
      "run.log_histogram(tag, values, step) records your own."));
    return;
  }
  if (ids.length === 1) { single(root, got[0].map); return; }
  const grid = h("div", { class: "grid hist-grid" });
  root.append(grid);
  for (const g of got) {
    const title = h("div", { class: "chart-title" }, h("i", { class: "swatch", style: `background:${colorOf(g.run_id)}` }), runName(g.run_id));
    if (!g.map || !g.map.steps.length) { grid.append(h("div", { class: "card" }, title, empty(g.error || `No ${shown} in this run.`))); continue; }
    const div = h("div", { class: "chart", "data-hist": g.map.tag, "data-run": g.run_id });
    grid.append(h("div", { class: "card" }, title, div, notes(g.map)));
    heatmap(div, g.map);
  }
}

function single(root, m) {
  if (!m.steps.length) { root.append(empty(`${m.tag}: no finite values were recorded.`)); return; }
  const heat = h("div", { class: "chart-wide", "data-hist": m.tag });
  const ridge = h("div", { class: "chart-wide", "data-ridge": m.tag });
  root.append(h("div", { class: "split" },
    h("div", { class: "card" }, h("div", { class: "chart-title" }, `${m.tag}: share of values per step`), heat),
    h("div", { class: "card" }, h("div", { class: "chart-title" }, "selected steps (later ones higher)"), ridge)), notes(m));
  heatmap(heat, m);
  ridgeline(ridge, m);
}

function notes(m) {
  const out = [];
  if (m.total_steps > m.steps.length) out.push(h("p", { class: "note" }, `Showing ${m.steps.length} of ${m.total_steps} recorded steps, evenly spaced.`));
  const bad = m.nonfinite.reduce((a, b) => a + b, 0);
  if (bad) out.push(h("p", { class: "note bad" }, `${bad} NaN/Inf values were counted and left out of the picture.`));
  return out;
}

// Cell edges halfway between neighbouring steps or bin centres.
function edges(centers) {
  const n = centers.length;
  const half = n > 1 ? (centers[1] - centers[0]) / 2 : 0.5;
  const out = [centers[0] - half];
  for (let i = 0; i < n - 1; i++) out.push((centers[i] + centers[i + 1]) / 2);
  out.push(centers[n - 1] + (n > 1 ? (centers[n - 1] - centers[n - 2]) / 2 : 0.5));
  return out;
}

function heatmap(div, m) {
  const xe = edges(m.steps), ye = edges(m.centers);
  const peak = Math.max(1e-12, ...m.share.flat());
  const tip = h("div", { class: "lines-tip", hidden: true });
  const box = h("div", {});
  div.replaceChildren(box, tip);
  const u = new uPlot({
    width: Math.max(200, div.clientWidth), height: div.clientHeight || 300, legend: { show: false },
    scales: { x: { time: false, range: () => [xe[0], xe.at(-1)] }, y: { range: () => [ye[0], ye.at(-1)] } },
    axes: [{ label: "step", labelSize: 18, size: 36, values: (u, t) => t.map(num) }, { size: 58, values: (u, t) => t.map(num) }],
    series: [{}, { paths: () => null, points: { show: false } }],
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        for (let i = 0; i < m.steps.length; i++) {
          const x0 = u.valToPos(xe[i], "x", true), x1 = u.valToPos(xe[i + 1], "x", true);
          for (let j = 0; j < m.centers.length; j++) {
            const v = m.share[i][j];
            if (!v) continue;
            const y0 = u.valToPos(ye[j + 1], "y", true), y1 = u.valToPos(ye[j], "y", true);
            ctx.fillStyle = viridis(v / peak);
            ctx.fillRect(x0, y0, Math.max(1, x1 - x0 + 0.5), Math.max(1, y1 - y0 + 0.5));
          }
        }
        if (!div.dataset.painted) div.dataset.painted = performance.now().toFixed(1);
      }],
      setCursor: [(u) => {
        const { left, top } = u.cursor;
        if (left === null || left < 0) { tip.hidden = true; return; }
        const x = u.posToVal(left, "x"), y = u.posToVal(top, "y");
        const i = xe.findIndex((e, k) => k < m.steps.length && x >= e && x < xe[k + 1]);
        const j = ye.findIndex((e, k) => k < m.centers.length && y >= e && y < ye[k + 1]);
        if (i < 0 || j < 0) { tip.hidden = true; return; }
        tip.textContent = `step ${num(m.steps[i])}\nvalue ${num(m.centers[j])}\nshare ${num(m.share[i][j])}`;
        tip.hidden = false;
        tip.style.left = `${Math.min(left + u.bbox.left / uPlot.pxRatio + 12, u.width - 140)}px`;
        tip.style.top = `${top + u.bbox.top / uPlot.pxRatio + 8}px`;
      }],
    },
  }, [m.steps, m.steps.map(() => null)], box);
  div.mgChart = { uplot: u, map: m };
  fitWidth(div, u);
  div.after(colorKey(peak));
}

// What the colours mean: the share of a step's values in each value bucket.
function colorKey(peak) {
  const stops = VIRIDIS.map((_, k) => viridis(k / (VIRIDIS.length - 1))).join(",");
  return h("div", { class: "colorkey" }, "share of the step's values: 0 ",
    h("span", { class: "ramp", style: `background:linear-gradient(to right,${stops})` }), ` ${num(peak)}`);
}

function ridgeline(div, m) {
  const peak = Math.max(1e-12, ...m.share.flat());
  const index = new Map(m.steps.map((s, i) => [s, i]));
  const data = [null];
  const series = [{}];
  m.ridge_steps.forEach((step, k) => {
    const row = m.share[index.get(step)].map((v) => k + (0.9 * v) / peak);
    data.push([[m.centers[0], ...m.centers, m.centers.at(-1)], [k, ...row, k]]);
    const c = viridis(k / Math.max(1, m.ridge_steps.length - 1));
    series.push({ label: `step ${step}`, stroke: c, fill: c.replace("rgb", "rgba").replace(")", ",0.35)"), width: 1,
      fillTo: k, paths: uPlot.paths.linear(), points: { show: false },
      facets: [{ scale: "x", auto: true }, { scale: "y", auto: true }] });
  });
  const n = m.ridge_steps.length;
  div.replaceChildren();
  const u = new uPlot({
    mode: 2, width: Math.max(200, div.clientWidth), height: div.clientHeight || 300, legend: { show: false },
    scales: { x: { time: false }, y: { range: () => [-0.1, n] } },
    axes: [{ label: "value", labelSize: 18, size: 36, values: (u, t) => t.map(num) },
      { size: 90, splits: () => m.ridge_steps.map((_, k) => k), values: () => m.ridge_steps.map((s) => `step ${num(s)}`) }],
    series, cursor: { drag: { x: false, y: false }, points: { show: false }, dataIdx: () => null },
  }, data, div);
  div.mgChart = { uplot: u };
  fitWidth(div, u);
}
