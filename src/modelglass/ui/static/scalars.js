// Scalar charts: one per tag, selected runs overlaid, grouped by prefix; live while runs train.
import { drawLines } from "./lines.js";
import { api } from "./api.js";
import { clear, empty, fmt, h } from "./dom.js";
import { colorOf, every, go, setLive, state } from "./state.js";

const opts = { smoothing: 0, x: "step", logy: false, filter: "" };
const AXIS_TITLE = { step: "step", time: "wall time", relative: "seconds since start" };

export async function renderScalars(root, stale) {
  queue.waiting.length = 0;  // the charts of a view left behind ask for nothing more
  root.append(h("h2", {}, "Scalars"));
  // A shared link can carry the view's settings: &filter=loss&smoothing=0.6&logy=1&x=relative
  if (state.params.filter !== undefined) opts.filter = state.params.filter.toLowerCase();
  if (state.params.smoothing !== undefined) opts.smoothing = Math.min(0.99, Math.max(0, Number(state.params.smoothing) || 0));
  if (state.params.logy !== undefined) opts.logy = state.params.logy === "1";
  if (AXIS_TITLE[state.params.x]) opts.x = state.params.x;
  if (!state.selected.length) {
    root.append(empty("Select one or more runs in the Runs view to see their charts."),
      h("button", { onclick: () => go("runs") }, "Choose runs"));
    return;
  }
  const charts = new Map(); // tag -> chart controller
  const sections = h("div", {});
  root.append(toolbar(() => charts.forEach((c) => c.redraw()), () => charts.forEach((c) => c.reload())), sections);
  const { groups, tags: listed } = await api("tags", { runs: state.selected });
  if (stale()) return;
  if (!groups.length) {
    sections.append(empty("The selected runs have no scalar series yet. Log some with run.log({\"loss\": ...})."));
    return;
  }
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) charts.get(e.target.dataset.tag)?.visible();
  }, { rootMargin: "300px" });
  for (const { group, tags } of arrange(groups, listed.map((t) => t.tag))) {
    const grid = h("div", { class: "grid" });
    const probe = PROBES.includes(group);
    sections.append(h("details", { class: "group", open: !probe || groups.length < 3, "data-group": group },
      h("summary", {}, group ? `${group}/  (${tags.length})` : `metrics (${tags.length})`), grid));
    for (const tag of tags) {
      const c = chart(tag);
      charts.set(tag, c);
      grid.append(c.card);
      observer.observe(c.div);
    }
  }
  filterCharts();
  every(2000, () => {
    const live = [...charts.values()].some((c) => c.running());
    setLive(live);
    if (live) charts.forEach((c) => c.poll());
  });
}

const PROBES = ["grad_norm", "weight_norm", "update_ratio", "act"];

// Prefixes with one or two tags (train/loss, val/loss) share one section, side by side. The
// server lists the loss first; sections keep the order of their first tag, so it leads.
function arrange(groups, order) {
  const main = { group: "", tags: [] };
  const out = [];
  for (const g of groups) {
    if (g.group === "" || (g.tags.length < 3 && !PROBES.includes(g.group))) {
      if (!main.tags.length) out.push(main);
      main.tags.push(...g.tags);
    } else out.push(g);
  }
  main.tags.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return out;
}

function toolbar(redraw, reload) {
  const smooth = h("input", { type: "range", min: 0, max: 0.99, step: 0.01, value: opts.smoothing, "aria-label": "smoothing" });
  const smoothValue = h("span", {}, opts.smoothing.toFixed(2));
  smooth.addEventListener("input", () => { opts.smoothing = Number(smooth.value); smoothValue.textContent = opts.smoothing.toFixed(2); redraw(); });
  const xSelect = h("select", { "aria-label": "x axis", onchange: (e) => { opts.x = e.target.value; reload(); } },
    Object.entries(AXIS_TITLE).map(([k, label]) => h("option", { value: k, selected: k === opts.x }, label)));
  const logy = h("input", { type: "checkbox", checked: opts.logy, "aria-label": "log scale",
    onchange: (e) => { opts.logy = e.target.checked; redraw(); } });
  const filter = h("input", { type: "search", placeholder: "filter tags", value: opts.filter, "aria-label": "filter tags",
    oninput: (e) => { opts.filter = e.target.value.toLowerCase(); filterCharts(); } });
  return h("div", { class: "toolbar" }, h("label", {}, "smoothing ", smooth, smoothValue),
    h("label", {}, "x axis ", xSelect), h("label", {}, logy, " log y"), filter,
    h("span", { class: "note" }, "Long series are reduced to each bucket's min and max, so spikes stay; zoom in for full detail."));
}

function filterCharts() {
  for (const card of document.querySelectorAll(".card[data-card-tag]")) {
    card.hidden = opts.filter !== "" && !card.dataset.cardTag.toLowerCase().includes(opts.filter);
  }
  for (const group of document.querySelectorAll("details.group")) {
    group.hidden = !group.querySelector(".card[data-card-tag]:not([hidden])");
  }
}

function chart(tag) {
  const div = h("div", { class: "chart", "data-tag": tag });
  const note = h("p", { class: "note" });
  const legend = h("div", { class: "legend" });
  const card = h("div", { class: "card", "data-card-tag": tag }, h("div", { class: "chart-title" }, tag), div, legend, note);
  card.hidden = opts.filter !== "" && !tag.toLowerCase().includes(opts.filter);
  let data = null;
  let range = null; // [start, end] steps while zoomed
  let shown = false;
  let busy = false;

  async function load() {
    if (busy) return;
    busy = true;
    try {
      // Two points (a bucket's min and max) per pixel of the chart's width are all a line can
      // show; more would only cost transfer and drawing. A zoom asks again for its range.
      const params = { runs: state.selected, tag, x: opts.x, encoding: "b64",
        max_points: Math.min(2000, Math.max(400, 2 * Math.round(div.clientWidth || 1000))) };
      if (range) { params.start = Math.floor(range[0]); params.end = Math.ceil(range[1]); }
      data = unpack(await queued(() => api("scalars", params)));
      draw();
    } catch (err) {
      note.textContent = `Could not load ${tag}: ${err.message}`;
    } finally {
      busy = false;
    }
  }

  function draw() {
    if (!data) return;
    const lines = [];
    for (const s of data.series) lines.push(...linesFor(s));
    div.dataset.series = String(data.series.length);
    drawLines(div, lines, { xTitle: AXIS_TITLE[opts.x], time: opts.x === "time", logy: opts.logy,
      marks: nanMarks(data.series), xRange: range, onZoom: opts.x === "step" ? zoom : null });
    drawLegend(legend, data.series);
    note.textContent = describe(data.series);
  }

  // A drag asks the server again for that range at full detail; a double click zooms out.
  function zoom(lo, hi) {
    range = lo === null ? null : [lo, hi];
    load();
  }

  return {
    card, div,
    visible() { if (!shown) { shown = true; load(); } },
    redraw() { draw(); },
    reload() { range = null; if (shown) load(); },
    poll() { if (shown && !range) load(); },
    running() { return !!data && data.series.some((s) => s.status === "running"); },
  };
}

// Charts ask the server one at a time, in page order: the first chart (the loss) comes back
// sooner than when every visible chart asks at once and they share the server's cores.
const queue = { running: 0, waiting: [] };
const PARALLEL = 1;

function queued(task) {
  return new Promise((resolve, reject) => {
    queue.waiting.push(() => task().then(resolve, reject));
    next();
  });
}

function next() {
  while (queue.running < PARALLEL && queue.waiting.length) {
    const start = queue.waiting.shift();
    queue.running += 1;
    start().finally(() => { queue.running -= 1; next(); });
  }
}

// The page asks for base64 float64 arrays: exact values, NaN kept, no JSON number parsing.
function fromB64(text) {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float64Array(bytes.buffer);
}

function unpack(data) {
  if (data.encoding !== "b64") return data;
  for (const s of data.series) {
    s.steps = fromB64(s.steps);
    s.values = fromB64(s.values);
    if (s.times) s.times = fromB64(s.times);
  }
  return data;
}

function linesFor(s) {
  const color = colorOf(s.run_id);
  const x = opts.x === "step" ? s.steps : s.times;
  const raw = { run: s.run_id, name: s.run_name, color, x, y: s.values, steps: s.steps, kind: "raw" };
  if (opts.smoothing <= 0) return [raw];
  return [{ ...raw, faint: true, hover: false },
    { ...raw, y: ema(s.values, opts.smoothing), kind: "smoothed" }];
}

// Names under the chart, in the lines' colours; many runs are named on hover only.
function drawLegend(node, series) {
  clear(node);
  if (series.length < 2) return;
  if (series.length > 20) { node.append(h("span", { class: "note" }, `${series.length} runs: hover a line for its name`)); return; }
  for (const s of series) {
    node.append(h("span", { class: "key" }, h("i", { style: `background:${colorOf(s.run_id)}` }), s.run_name));
  }
}

// Exponential moving average with the start-up bias removed (as TensorBoard does).
export function ema(values, weight) {
  const out = new Array(values.length);
  let acc = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) { out[i] = null; continue; }
    acc = acc * weight + (1 - weight) * v;
    n += 1;
    out[i] = acc / (1 - Math.pow(weight, n));
  }
  return out;
}

function nanMarks(series) {
  if (opts.x !== "step") return [];
  return series.filter((s) => s.first_nonfinite_step !== null)
    .map((s) => ({ x: s.first_nonfinite_step, color: "#c62828", label: "NaN" }));
}

function describe(series) {
  if (!series.length) return "No selected run has this series.";
  const parts = [];
  const reduced = series.filter((s) => s.shown < s.total);
  if (reduced.length) parts.push(`${reduced.length} of ${series.length} series reduced (min/max per bucket)`);
  for (const s of series) {
    if (s.nonfinite) parts.push(`${s.run_name}: ${s.nonfinite} NaN/Inf value(s), first at step ${fmt(s.first_nonfinite_step)}`);
  }
  return parts.join(" · ");
}
