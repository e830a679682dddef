// Parallel coordinates in SVG: one vertical axis per config value or metric, one line per run,
// coloured by a metric with a labelled colour bar. Log axes for values sampled on a log scale,
// category axes for text values. Text is set with textContent, never parsed.
import { num } from "./lines.js";
import { viridis, VIRIDIS } from "./colors.js";

const NS = "http://www.w3.org/2000/svg";
const M = { l: 70, r: 110, t: 48, b: 28 };

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// About five round ticks across [lo, hi].
function niceTicks(lo, hi) {
  const span = hi - lo;
  const step0 = 10 ** Math.floor(Math.log10(span / 5));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= 6);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

// Where a value sits on an axis (0 = bottom, 1 = top), and the axis' ticks.
function scale(d) {
  if (d.ticktext) {
    const n = Math.max(1, d.ticktext.length - 1);
    return { pos: (v) => (d.ticktext.length === 1 ? 0.5 : v / n), ticks: d.ticktext.map((t, i) => [i, t]) };
  }
  const tr = d.log ? Math.log10 : (v) => v;
  let lo = Math.min(...d.values.map(tr)), hi = Math.max(...d.values.map(tr));
  if (lo === hi) { lo -= 1; hi += 1; }
  const ticks = [];
  if (d.log) {
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      for (const m of hi - lo > 3 ? [1] : [1, 2, 5]) {
        const t = e + Math.log10(m);
        if (t >= lo - 1e-9 && t <= hi + 1e-9) ticks.push([t, num(m * 10 ** e)]);
      }
    }
  } else for (const t of niceTicks(lo, hi)) ticks.push([t, num(t)]);
  return { pos: (v) => (tr(v) - lo) / (hi - lo), ticks, tr };
}

/**
 * dims: [{ label, kind, values, log, ticktext }]; runs: [{ id, name }]; color: the dim to colour by.
 */
export function parcoords(div, dims, runs, color) {
  const width = Math.max(400, div.clientWidth), height = div.clientHeight || 420;
  const w = width - M.l - M.r, hgt = height - M.t - M.b;
  const svg = el("svg", { width, height, class: "parcoords", role: "img",
    "aria-label": `parallel coordinates: ${runs.length} runs over ${dims.map((d) => d.label).join(", ")}` });
  const x = (i) => M.l + (dims.length === 1 ? w / 2 : (i * w) / (dims.length - 1));
  const y = (p) => M.t + (1 - p) * hgt;
  const scales = dims.map(scale);
  const cs = color ? scale({ ...color, log: false, ticktext: null }) : null;
  const lines = el("g", { class: "pc-lines" });
  runs.forEach((r, j) => {
    const pts = dims.map((d, i) => `${x(i).toFixed(1)},${y(scales[i].pos(d.values[j])).toFixed(1)}`).join(" ");
    const stroke = cs ? viridis(cs.pos(color.values[j])) : "#2f6fde";
    const line = el("polyline", { points: pts, fill: "none", stroke, "stroke-width": 1.6, "data-run": r.id });
    line.append(el("title", {}, `${r.name}\n${dims.map((d) => `${d.label}: ${d.ticktext ? d.ticktext[d.values[j]] : num(d.values[j])}`).join("\n")}`));
    lines.append(line);
  });
  svg.append(lines);
  dims.forEach((d, i) => {
    const g = el("g", { class: "pc-axis" });
    g.append(el("line", { x1: x(i), x2: x(i), y1: y(0), y2: y(1), stroke: "#5b6473" }));
    g.append(el("text", { x: x(i), y: M.t - 18, "text-anchor": "middle", class: "pc-label" }, d.label + (d.log ? " (log)" : "")));
    for (const [t, text] of scales[i].ticks) {
      const ty = y(scales[i].pos(d.ticktext ? t : d.log ? 10 ** t : t));
      g.append(el("line", { x1: x(i) - 4, x2: x(i), y1: ty, y2: ty, stroke: "#5b6473" }));
      g.append(el("text", { x: x(i) - 7, y: ty + 4, "text-anchor": "end", class: "pc-tick" }, text));
    }
    svg.append(g);
  });
  if (cs) svg.append(colorBar(cs, color.label, width - M.r + 40, M.t, hgt));
  div.replaceChildren(svg);
  div.mgParcoords = { dims: dims.map((d, i) => ({ label: d.label, log: !!d.log, ticks: scales[i].ticks.map((t) => t[1]) })),
    color: color ? color.label : null };
  div.dataset.painted = performance.now().toFixed(1);
}

function colorBar(cs, label, x0, top, hgt) {
  const g = el("g", { class: "pc-colorbar" });
  const id = `pc-grad-${Math.random().toString(36).slice(2)}`;
  const grad = el("linearGradient", { id, x1: 0, y1: 1, x2: 0, y2: 0 });
  VIRIDIS.forEach((_, k) => grad.append(el("stop", { offset: k / (VIRIDIS.length - 1), "stop-color": viridis(k / (VIRIDIS.length - 1)) })));
  const defs = el("defs");
  defs.append(grad);
  g.append(defs, el("rect", { x: x0, y: top, width: 14, height: hgt, fill: `url(#${id})` }));
  for (const [t, text] of cs.ticks) {
    const ty = top + (1 - cs.pos(t)) * hgt;
    g.append(el("text", { x: x0 + 18, y: ty + 4, class: "pc-tick" }, text));
  }
  const lx = x0 + 62, ly = top + hgt / 2;
  g.append(el("text", { x: lx, y: ly, "text-anchor": "middle", transform: `rotate(90 ${lx} ${ly})`,
    class: "pc-label pc-color-label" }, `colour: ${label}`));
  return g;
}
