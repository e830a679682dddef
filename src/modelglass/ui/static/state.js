// The page state: current view and the selected runs, kept in the URL hash (#/view?runs=a,b).

export const state = { view: "runs", selected: [], params: {}, runs: [], timers: [] };

export function parseHash() {
  const raw = window.location.hash.replace(/^#\/?/, "");
  const [view, query = ""] = raw.split("?");
  const params = Object.fromEntries(new URLSearchParams(query));
  state.view = view || "runs";
  state.params = params;
  state.selected = (params.runs || "").split(",").filter(Boolean);
}

export function go(view, extra = {}) {
  const params = new URLSearchParams();
  if (state.selected.length) params.set("runs", state.selected.join(","));
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null && v !== "") params.set(k, v);
  const query = params.toString();
  window.location.hash = `#/${view}${query ? "?" + query : ""}`;
}

export function setSelected(ids) {
  state.selected = [...new Set(ids)];
  const params = new URLSearchParams(window.location.hash.split("?")[1] || "");
  if (state.selected.length) params.set("runs", state.selected.join(","));
  else params.delete("runs");
  const query = params.toString();
  history.replaceState(null, "", `#/${state.view}${query ? "?" + query : ""}`);
}

// Timers belong to the view that started them; changing views stops them.
export function every(ms, fn) {
  const id = setInterval(fn, ms);
  state.timers.push(id);
  return id;
}

export function stopTimers() {
  for (const id of state.timers) clearInterval(id);
  state.timers = [];
}

export const PALETTE = ["#2f6fde", "#e4572e", "#17a589", "#8e44ad", "#f1a208", "#c0392b", "#2c3e50",
  "#16a085", "#d35400", "#7f8c8d", "#27ae60", "#e84393", "#0984e3", "#6c5ce7", "#b8860b"];

export function colorOf(runId) {
  const i = state.selected.indexOf(runId);
  return PALETTE[(i >= 0 ? i : 0) % PALETTE.length];
}

export function runName(runId) {
  const r = state.runs.find((x) => x.id === runId);
  return r ? r.name : runId;
}

export function setLive(on) {
  document.getElementById("live").hidden = !on;
}
