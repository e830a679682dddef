// Scalar charts: one per tag, selected runs overlaid, grouped by prefix; live while runs train.
import { plot } from "./plot.js";
import { api } from "./api.js";
import { clear, empty, esc, fmt, h } from "./dom.js";
import { colorOf, every, go, setLive, state } from "./state.js";

const opts = { smoothing: 0, x: "step", logy: false, filter: "" };
const AXIS_TITLE = { step: "step", time: "wall time", relative: "seconds since start" };

export async function renderScalars(root, stale) {
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
  const { groups } = await api("tags", { runs: state.selected });
  if (stale()) return;
  if (!groups.length) {
    sections.append(empty("The selected runs have no scalar series yet. Log some with run.log({\"loss\": ...})."));
    return;
  }
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) charts.get(e.target.dataset.tag)?.visible();
  }, { rootMargin: "300px" });
  for (const { group, tags } of arrange(groups)) {
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

// Prefixes with one or two tags (train/loss, val/loss) share the first section, side by side.
function arrange(groups) {
  const main = { group: "", tags: [] };
  const rest = [];
  for (const g of groups) {
    if (g.group === "" || (g.tags.length < 3 && !PROBES.includes(g.group))) main.tags.push(...g.tags);
    else rest.push(g);
  }
  return main.tags.length ? [main, ...rest] : rest;
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
  const card = h("div", { class: "card", "data-card-tag": tag }, h("div", { class: "note" }, tag), div, note);
  card.hidden = opts.filter !== "" && !tag.toLowerCase().includes(opts.filter);
  let data = null;
  let range = null; // [start, end] steps while zoomed
  let shown = false;
  let busy = false;

  async function load() {
    if (busy) return;
    busy = true;
    try {
      const params = { runs: state.selected, tag, x: opts.x, encoding: "b64" };
      if (range) { params.start = Math.floor(range[0]); params.end = Math.ceil(range[1]); }
      data = unpack(await api("scalars", params));
      await draw();
    } catch (err) {
      note.textContent = `Could not load ${tag}: ${err.message}`;
    } finally {
      busy = false;
    }
  }

  async function draw() {
    if (!data) return;
    const traces = [];
    for (const s of data.series) traces.push(...tracesFor(s));
    const layout = {
      margin: { l: 56, r: 12, t: data.series.length > 1 ? 30 : 8, b: 40 }, showlegend: data.series.length > 1,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" }, hovermode: "closest", uirevision: tag,
      xaxis: { title: { text: AXIS_TITLE[opts.x] }, type: opts.x === "time" ? "date" : "linear" },
      yaxis: { type: opts.logy ? "log" : "linear", exponentformat: "power" },
      shapes: nanMarks(data.series),
    };
    await plot(div, traces, layout);
    if (!div.dataset.painted) div.dataset.painted = performance.now().toFixed(1);
    div.dataset.series = String(data.series.length);
    if (!div.dataset.bound) bindZoom();
    note.textContent = describe(data.series);
  }

  function bindZoom() {
    div.dataset.bound = "1";
    div.on("plotly_relayout", (ev) => {
      if (opts.x !== "step") return;
      if (ev["xaxis.autorange"]) { range = null; load(); return; }
      // A drag-zoom reports range[0]/range[1]; Plotly.relayout calls may pass the array.
      const [lo, hi] = ev["xaxis.range"] || [ev["xaxis.range[0]"], ev["xaxis.range[1]"]];
      if (lo !== undefined && hi !== undefined) { range = [lo, hi]; load(); }
    });
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

function xValues(s) {
  if (opts.x === "step") return s.steps;
  if (opts.x === "time") return Array.from(s.times, (t) => new Date(t * 1000).toISOString());
  return s.times;
}

function tracesFor(s) {
  const color = colorOf(s.run_id);
  const name = esc(s.run_name);
  const x = xValues(s);
  const hover = `${name}<br>step %{customdata}<br>value %{y:.6g}<extra></extra>`;
  const raw = { type: "scatter", mode: "lines", x, y: s.values, customdata: s.steps, name,
    line: { color, width: 1.5 }, hovertemplate: hover, connectgaps: false, meta: { run: s.run_id, kind: "raw" } };
  if (opts.smoothing <= 0) return [raw];
  raw.opacity = 0.25; raw.showlegend = false; raw.hoverinfo = "skip"; delete raw.hovertemplate;
  const smooth = { ...raw, y: ema(s.values, opts.smoothing), opacity: 1, showlegend: true, hoverinfo: undefined,
    hovertemplate: hover, meta: { run: s.run_id, kind: "smoothed" } };
  return [raw, smooth];
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
  return series.filter((s) => s.first_nonfinite_step !== null).map((s) => ({
    type: "line", xref: "x", yref: "paper", x0: s.first_nonfinite_step, x1: s.first_nonfinite_step, y0: 0, y1: 1,
    line: { color: "#c62828", width: 1, dash: "dot" },
  }));
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
