// Studies: Optuna searches as modelglass.tune reads them; each trial links to its run.
// The history (uPlot) and the trials come at once; importances (fANOVA, seconds) and the
// contour of the two most important parameters (plotly's cartesian bundle) follow.
import { plot } from "./plot.js";
import { api } from "./api.js";
import { empty, esc, fmt, h } from "./dom.js";
import { fitWidth, num } from "./lines.js";
import { go, setSelected } from "./state.js";

export async function renderStudies(root, stale) {
  root.append(h("h2", {}, "Studies"));
  const { available, reason, studies, unlisted } = await api("studies");
  if (stale()) return;
  if (!available) root.append(empty(reason));
  else if (!studies.length) root.append(empty("No hyperparameter studies beside this store. mg.tune(...) records every study and logs each trial as a run."));
  if (unlisted.length) {
    root.append(h("p", { class: "note" }, `Runs name studies that are not in the Optuna storage beside this store: ${unlisted.join(", ")}. ` +
      "Start the dashboard with --storage set to the storage they were tuned with."));
  }
  for (const s of studies) root.append(studyCard(s, stale));
}

function studyCard(s, stale) {
  const div = h("div", { class: "chart", "data-chart": "history" });
  const imp = h("div", { class: "chart", "data-chart": "importance" }, h("p", { class: "note" }, "Parameter importances: computing…"));
  const contour = h("div", { class: "chart", "data-chart": "contour" });
  const runIds = s.trials.map((t) => t.run_id).filter((id) => id);
  const better = s.direction === "maximize" ? "highest" : "lowest";
  const counts = Object.entries(s.statuses).map(([k, v]) => `${v} ${k}`).join(", ");
  const card = h("div", { class: "card", "data-study": s.study },
    h("h3", {}, s.study),
    h("p", { class: "note" }, `${s.n_trials} trials · ${counts} · ${s.direction}` +
      (s.best_value !== null ? ` · best (${better}) value ${fmt(s.best_value)} in trial ${s.best_trial}` : "")),
    runIds.length ? h("button", { class: "secondary", onclick: () => { setSelected(runIds); go("compare"); } }, "Compare trials") : null,
    h("div", { class: "study-charts" }, h("div", {}, h("div", { class: "chart-title" }, "objective by trial"), div),
      h("div", {}, h("div", { class: "chart-title" }, "parameter importance"), imp),
      h("div", {}, h("div", { class: "chart-title" }, "objective over the two most important parameters"), contour)),
    h("div", { class: s.trials.length > 60 ? "scroll trials" : "trials" }, trialTable(s)));
  const hist = s.history;
  if (hist.numbers.length) requestAnimationFrame(() => history(div, hist, s));  // once the card is in the page: its width
  else div.replaceWith(h("p", { class: "note" }, "No trial has completed yet."));
  figures(s, imp, contour, stale);
  return card;
}

// Each completed trial's value as a dot, and the best so far as a step line (uPlot).
function history(div, hist, s) {
  const names = new Map(s.trials.map((t) => [t.number, t.name]));
  const tip = h("div", { class: "lines-tip", hidden: true });
  const box = h("div", {});
  div.replaceChildren(box, tip);
  const u = new uPlot({
    width: Math.max(200, div.clientWidth), height: div.clientHeight || 300,
    legend: { show: false },
    scales: { x: { time: false } },
    axes: [{ label: "trial", labelSize: 18, size: 36, values: (u, t) => t.map(num) },
      { label: `value (${s.direction})`, labelSize: 18, size: 64, values: (u, t) => t.map(num) }],
    series: [{}, { label: "trial", stroke: "#2f6fde", paths: () => null, points: { show: true, size: 7, fill: "#2f6fde" } },
      { label: "best so far", stroke: "#e4572e", width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } }],
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    hooks: {
      draw: [() => { if (!div.dataset.painted) div.dataset.painted = performance.now().toFixed(1); }],
      setCursor: [(u) => {
        const i = u.cursor.idx;
        if (i === null || i === undefined || u.cursor.left < 0) { tip.hidden = true; return; }
        tip.textContent = `${names.get(hist.numbers[i]) || `trial ${hist.numbers[i]}`}\nvalue ${num(hist.values[i])}\nbest so far ${num(hist.best_so_far[i])}`;
        tip.hidden = false;
        tip.style.left = `${Math.min(u.cursor.left + u.bbox.left / uPlot.pxRatio + 12, u.width - 170)}px`;
        tip.style.top = `${u.cursor.top + u.bbox.top / uPlot.pxRatio + 8}px`;
      }],
    },
  }, [hist.numbers, hist.values, hist.best_so_far], box);
  div.mgChart = { uplot: u, best: hist.best_so_far };
  fitWidth(div, u);
  div.after(h("div", { class: "legend" }, h("span", { class: "key" }, h("i", { style: "background:#2f6fde" }), "trial"),
    h("span", { class: "key" }, h("i", { style: "background:#e4572e" }), "best so far")));
}

// Importances as bars in HTML, largest first.
function importanceBars(node, importance) {
  const names = Object.keys(importance);
  const top = Math.max(1e-12, ...names.map((n) => importance[n] || 0));
  node.replaceChildren(h("div", { class: "imp" }, names.map((n) => h("div", { class: "imp-row", "data-param": n },
    h("span", { class: "imp-name", title: n }, n),
    h("span", { class: "imp-bar" }, h("i", { style: `width:${(100 * (importance[n] || 0)) / top}%` })),
    h("span", { class: "imp-value" }, num(importance[n])))),
  h("p", { class: "note" }, "fANOVA importance of each parameter for the objective (sums to 1)")));
}

async function figures(s, imp, contour, stale) {
  let f;
  try {
    f = await api(`studies/${encodeURIComponent(s.study)}/figures`, {}, { background: true });
  } catch (err) {
    imp.replaceChildren(h("p", { class: "note bad" }, `Importances could not be computed: ${err.message}`));
    contour.replaceChildren();
    return;
  }
  if (stale()) return;
  const names = Object.keys(f.importance);
  if (!names.length) imp.replaceChildren(h("p", { class: "note" }, "Importances need at least two completed trials."));
  else importanceBars(imp, f.importance);
  const c = f.contour;
  if (!c) { contour.replaceChildren(h("p", { class: "note" }, "A contour needs two numeric parameters.")); return; }
  plot(contour, [
    { type: "contour", x: c.grid_x, y: c.grid_y, z: c.grid_z, connectgaps: true, colorscale: "Viridis",
      reversescale: s.direction === "minimize", colorbar: { title: { text: "objective", side: "right" }, thickness: 12 } },
    { type: "scatter", mode: "markers", x: c.points_x, y: c.points_y, marker: { color: "#fff", size: 6, line: { color: "#1d2430", width: 1 } },
      name: "trials", hovertemplate: `${esc(c.x.name)} %{x:.3g}<br>${esc(c.y.name)} %{y:.3g}<extra></extra>` },
  ], { margin: { l: 60, r: 10, t: 10, b: 44 }, showlegend: false,
    xaxis: { title: { text: esc(c.x.name) + (c.x.log ? " (log)" : "") }, type: c.x.log ? "log" : "linear", exponentformat: "e" },
    yaxis: { title: { text: esc(c.y.name) + (c.y.log ? " (log)" : "") }, type: c.y.log ? "log" : "linear", exponentformat: "e" } });
}

function trialTable(s) {
  const cols = ["trial", "state", "value", ...s.params];
  const cell = (t, c) => (c === "trial" ? t.name : c === "state" ? t.state : c === "value" ? t.value : t.params[c]);
  // A column of numbers gets a right-aligned header, like its cells.
  const numeric = (c) => c !== "trial" && c !== "state" && (c === "value" || s.trials.some((t) => typeof cell(t, c) === "number"));
  const log = (c) => s.distributions && s.distributions[c] && s.distributions[c].log;
  return h("table", {}, h("thead", {}, h("tr", {}, cols.map((c) => h("th", { class: numeric(c) ? "num" : "", title: log(c) ? "sampled on a log scale" : "" }, c)))),
    h("tbody", {}, s.trials.map((t) => {
      const best = t.number === s.best_trial;
      return h("tr", { class: best ? "best" : "", "data-trial": t.number }, cols.map((c) => {
        const v = cell(t, c);
        const cls = `${typeof v === "number" ? "num" : ""}${best && c === "value" ? " best" : ""}`;
        return h("td", { class: cls }, fmt(v), best && c === "trial" ? h("span", { class: "best-tag" }, "best") : null);
      }));
    })));
}
