// Studies: hyperparameter searches, each trial a run (RunInfo.study).
import { plot } from "./plot.js";
import { api } from "./api.js";
import { empty, esc, fmt, h } from "./dom.js";
import { go, setSelected } from "./state.js";

export async function renderStudies(root, stale) {
  root.append(h("h2", {}, "Studies"));
  const { studies } = await api("studies");
  if (stale()) return;
  if (!studies.length) {
    root.append(empty("No hyperparameter studies in this store. mg.tune(...) logs every trial as a run of its study."));
    return;
  }
  for (const s of studies) {
    const div = h("div", { class: "chart" });
    const trials = s.trials;
    root.append(h("div", { class: "card", "data-study": s.study },
      h("h3", {}, s.study), h("p", { class: "note" }, `${s.n_trials} trials · ${Object.entries(s.statuses).map(([k, v]) => `${v} ${k}`).join(", ")}` +
        (s.best_value !== null ? ` · lowest value ${fmt(s.best_value)}` : "")),
      h("button", { class: "secondary", onclick: () => { setSelected(trials.map((t) => t.id)); go("compare"); } }, "Compare trials"),
      div, h("div", { class: "scroll" }, trialTable(s))));
    const values = trials.map((t) => t.value);
    if (values.some((v) => v !== null)) {
      let best = Infinity;
      const running = values.map((v) => (v !== null && v < best ? (best = v) : best));
      plot(div, [
        { type: "scatter", mode: "markers", x: trials.map((_, i) => i), y: values, name: "trial", text: trials.map((t) => esc(t.name)) },
        { type: "scatter", mode: "lines", x: trials.map((_, i) => i), y: running.map((v) => (Number.isFinite(v) ? v : null)), name: "best so far", line: { shape: "hv" } },
      ], { margin: { l: 56, r: 10, t: 10, b: 40 }, xaxis: { title: { text: "trial" }, tick0: 0, dtick: Math.max(1, Math.ceil(trials.length / 10)) }, yaxis: { title: { text: "value" } } },
      { responsive: true, displaylogo: false });
    } else div.replaceWith(h("p", { class: "note" }, "No trial has a value yet (summary key 'value')."));
  }
}

function trialTable(s) {
  const cols = ["name", "status", "value", ...s.params];
  // A column of numbers gets a right-aligned header, like its cells.
  const numeric = (c) => c === "value" || s.trials.some((t) => typeof t.config[c] === "number");
  return h("table", {}, h("thead", {}, h("tr", {}, cols.map((c) => h("th", { class: c !== "name" && c !== "status" && numeric(c) ? "num" : "" }, c)))),
    h("tbody", {}, s.trials.map((t) => h("tr", {}, cols.map((c) => {
      const v = c === "name" ? t.name : c === "status" ? t.status : c === "value" ? t.value : t.config[c];
      return h("td", { class: typeof v === "number" ? "num" : "" }, fmt(v));
    })))));
}
