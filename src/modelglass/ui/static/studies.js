// Studies: Optuna searches as modelglass.tune reads them; each trial links to its run.
// The history and the trials come at once; importances (fANOVA, seconds) and the contour of
// the two most important parameters follow.
import { plot } from "./plot.js";
import { api } from "./api.js";
import { empty, esc, fmt, h } from "./dom.js";
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
  if (hist.numbers.length) {
    const names = new Map(s.trials.map((t) => [t.number, t.name]));
    plot(div, [
      { type: "scatter", mode: "markers", x: hist.numbers, y: hist.values, name: "trial", text: hist.numbers.map((n) => esc(names.get(n))) },
      { type: "scatter", mode: "lines", x: hist.numbers, y: hist.best_so_far, name: "best so far", line: { shape: "hv" } },
    ], { margin: { l: 56, r: 10, t: 10, b: 40 }, legend: { orientation: "h", y: 1.1 },
      xaxis: { title: { text: "trial" } }, yaxis: { title: { text: `value (${s.direction})` } } });
  } else div.replaceWith(h("p", { class: "note" }, "No trial has completed yet."));
  figures(s, imp, contour, stale);
  return card;
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
  else {
    imp.replaceChildren();
    const rev = [...names].reverse();
    plot(imp, [{ type: "bar", orientation: "h", x: rev.map((n) => f.importance[n]), y: rev.map(esc),
      hovertemplate: "%{y}: %{x:.3f}<extra></extra>", marker: { color: "#2f6fde" } }],
    { margin: { l: 90, r: 10, t: 10, b: 40 }, xaxis: { title: { text: "importance (fANOVA, sums to 1)" } } });
  }
  const c = f.contour;
  if (!c) { contour.replaceChildren(h("p", { class: "note" }, "A contour needs two numeric parameters.")); return; }
  plot(contour, [
    { type: "contour", x: c.grid_x, y: c.grid_y, z: c.grid_z, connectgaps: true, colorscale: "Viridis",
      reversescale: s.direction === "minimize", colorbar: { title: { text: "objective", side: "right" }, thickness: 12 } },
    { type: "scatter", mode: "markers", x: c.points_x, y: c.points_y, marker: { color: "#fff", size: 6, line: { color: "#1d2430", width: 1 } },
      name: "trials", hovertemplate: `${esc(c.x.name)} %{x:.3g}<br>${esc(c.y.name)} %{y:.3g}<extra></extra>` },
  ], { margin: { l: 60, r: 10, t: 10, b: 44 }, showlegend: false,
    xaxis: { title: { text: esc(c.x.name) + (c.x.log ? " (log)" : "") }, type: c.x.log ? "log" : "linear" },
    yaxis: { title: { text: esc(c.y.name) + (c.y.log ? " (log)" : "") }, type: c.y.log ? "log" : "linear" } });
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
