// The router: one view at a time, chosen by the URL hash.
import { api, inflight } from "./api.js";
import { pending, preload } from "./plot.js";
import { clear, empty, h } from "./dom.js";
import { parseHash, setLive, state, stopTimers } from "./state.js";
// Each view's module is fetched when the view is first shown, so opening one view does not
// wait for the code of the seven others; the last field names the plotly.js bundle it draws
// with (plot.js), fetched while the view's data are.
const VIEWS = {
  runs: ["Runs", () => import("./runs.js"), "renderRuns"],
  scalars: ["Scalars", () => import("./scalars.js"), "renderScalars"],
  histograms: ["Histograms", () => import("./histograms.js"), "renderHistograms"],
  model: ["Model", () => import("./model.js"), "renderModel", "cartesian"],
  diagnosis: ["Diagnosis", () => import("./diagnosis.js"), "renderDiagnosis"],
  data: ["Data", () => import("./data.js"), "renderData"],
  compare: ["Compare", () => import("./compare.js"), "renderCompare"],
  studies: ["Studies", () => import("./studies.js"), "renderStudies"],
};

function drawNav() {
  const nav = clear(document.getElementById("nav"));
  const query = state.selected.length ? `?runs=${encodeURIComponent(state.selected.join(","))}` : "";
  for (const [key, [label]] of Object.entries(VIEWS)) {
    nav.append(h("a", { href: `#/${key}${query}`, class: key === state.view ? "active" : "", "data-view": key }, label));
  }
  const sel = document.getElementById("selection");
  sel.textContent = state.selected.length ? `${state.selected.length} run(s) selected` : "no runs selected";
}

let generation = 0;

async function route() {
  stopTimers();
  setLive(false);
  parseHash();
  if (!VIEWS[state.view]) state.view = "runs";
  drawNav();
  const mine = ++generation;
  const view = clear(document.getElementById("view"));
  view.dataset.view = state.view;
  delete view.dataset.painted;
  try {
    // The chart views need only the selected ids; the others list runs by name.
    const [, load, name, bundle] = VIEWS[state.view];
    preload(bundle);
    const [module] = await Promise.all([load(), !state.runs.length && !["runs", "scalars", "compare", "studies"].includes(state.view)
      ? api("runs").then((r) => { state.runs = r.runs; }) : null]);
    if (mine !== generation) return;
    await module[name](view, () => mine !== generation);
    markPainted(view, mine);
  } catch (err) {
    if (mine === generation) view.append(h("p", { class: "empty note bad" }, `Could not load this view: ${err.message}`));
  }
}

// The view is painted once no request and no chart is pending for two frames in a row;
// #view[data-painted] then holds the performance.now() of the first of them (benchmarks read it).
async function markPainted(view, mine) {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  let since = null;
  for (let idle = 0; idle < 2;) {
    await frame();
    if (mine !== generation) return;
    const busy = inflight.count > 0 || pending.count > 0;
    idle = busy ? 0 : idle + 1;
    if (idle === 1) since = performance.now();
  }
  view.dataset.painted = since.toFixed(1);
}

window.addEventListener("hashchange", route);
window.addEventListener("modelglass:selection", drawNav);
route();
