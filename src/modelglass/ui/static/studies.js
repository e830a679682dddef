// Studies: Optuna searches as modelglass.tune reads them; each trial links to its run.
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
  for (const s of studies) root.append(studyCard(s));
}

function studyCard(s) {
  const div = h("div", { class: "chart" });
  const runIds = s.trials.map((t) => t.run_id).filter((id) => id);
  const better = s.direction === "maximize" ? "highest" : "lowest";
  const counts = Object.entries(s.statuses).map(([k, v]) => `${v} ${k}`).join(", ");
  const card = h("div", { class: "card", "data-study": s.study },
    h("h3", {}, s.study),
    h("p", { class: "note" }, `${s.n_trials} trials · ${counts} · ${s.direction}` +
      (s.best_value !== null ? ` · best (${better}) value ${fmt(s.best_value)} in trial ${s.best_trial}` : "")),
    runIds.length ? h("button", { class: "secondary", onclick: () => { setSelected(runIds); go("compare"); } }, "Compare trials") : null,
    div, h("div", { class: "scroll" }, trialTable(s)));
  const hist = s.history;
  if (hist.numbers.length) {
    const names = new Map(s.trials.map((t) => [t.number, t.name]));
    plot(div, [
      { type: "scatter", mode: "markers", x: hist.numbers, y: hist.values, name: "trial", text: hist.numbers.map((n) => esc(names.get(n))) },
      { type: "scatter", mode: "lines", x: hist.numbers, y: hist.best_so_far, name: "best so far", line: { shape: "hv" } },
    ], { margin: { l: 56, r: 10, t: 10, b: 40 }, xaxis: { title: { text: "trial" } }, yaxis: { title: { text: `value (${s.direction})` } } },
    { responsive: true, displaylogo: false });
  } else div.replaceWith(h("p", { class: "note" }, "No trial has completed yet."));
  return card;
}

function trialTable(s) {
  const cols = ["trial", "state", "value", ...s.params];
  const cell = (t, c) => (c === "trial" ? t.name : c === "state" ? t.state : c === "value" ? t.value : t.params[c]);
  // A column of numbers gets a right-aligned header, like its cells.
  const numeric = (c) => c !== "trial" && c !== "state" && (c === "value" || s.trials.some((t) => typeof cell(t, c) === "number"));
  return h("table", {}, h("thead", {}, h("tr", {}, cols.map((c) => h("th", { class: numeric(c) ? "num" : "" }, c)))),
    h("tbody", {}, s.trials.map((t) => h("tr", { class: t.number === s.best_trial ? "best" : "" }, cols.map((c) => {
      const v = cell(t, c);
      return h("td", { class: typeof v === "number" ? "num" : "" }, fmt(v));
    })))));
}
