// A run picker for the views that show one run (histograms, model, diagnosis, data).
import { api } from "./api.js";
import { empty, h } from "./dom.js";
import { go, state } from "./state.js";

export function currentRun() {
  if (state.params.run) return state.params.run;
  if (state.selected.length) return state.selected[0];
  const latest = [...state.runs].sort((a, b) => b.started - a.started)[0];
  return latest ? latest.id : null;
}

export function runPicker(runId, extra = {}) {
  const ids = state.selected.length ? state.selected : state.runs.map((r) => r.id);
  const select = h("select", { "aria-label": "run", onchange: (e) => go(state.view, { ...extra, run: e.target.value }) });
  for (const id of ids) {
    const r = state.runs.find((x) => x.id === id);
    select.append(h("option", { value: id, selected: id === runId }, r ? `${r.name} (${r.project})` : id));
  }
  return h("label", {}, "run ", select);
}

// The start of a one-run view: its heading, then `runs/<id>/<what>` of the current run.
// Null when there is no run yet (the view says so) or the view went stale meanwhile.
export async function loadRun(root, stale, title, what, params = {}) {
  const runId = currentRun();
  root.append(h("h2", {}, title));
  if (!runId) { root.append(empty("No runs in this store yet.")); return null; }
  const data = await api(`runs/${encodeURIComponent(runId)}/${what}`, params);
  return stale() ? null : { runId, data };
}
