// Line charts on uPlot (vendor/uplot, 51 KB, drawn on a canvas): the scalar charts, the hot path.
// Each run keeps its own steps (uPlot's mode 2), so 100 runs of 2,000 points are never joined
// into one table. What the page relies on: hover names the closest run, a drag zooms (the
// caller fetches full detail), a double click zooms out, a log y axis, wall-time x.
import { h } from "./dom.js";

const HOVER_PX = 24;

// A number as an axis or hover label: 4 significant digits.
export function num(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(3).replace(/\.?0+e/, "e").replace("e+", "e");
  return String(Number(v.toPrecision(4)));
}

// JSON numbers (null for NaN/Inf) and float64 arrays alike; a log axis has no place for <= 0.
function clean(values, logy) {
  const out = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null || !Number.isFinite(v) || (logy && v <= 0) ? null : v;
  }
  return out;
}

// The index of the x value closest to `x` in an ascending array.
function closest(xs, x) {
  let lo = 0, hi = xs.length - 1;
  if (hi < 0) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid; else hi = mid;
  }
  return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
}

/**
 * Draw `lines` into `div`, replacing what was there.
 * lines: [{ run, name, color, x, y, kind: "raw"|"smoothed", faint, hover }]
 * opts: { xTitle, time, logy, marks: [{ x, color, label }], onZoom(lo, hi) (null: zoom out),
 *         xRange: [lo, hi] to show }
 */
export function drawLines(div, lines, opts) {
  const old = div.mgChart;
  if (old) old.destroy();
  const box = h("div", { class: "lines" });
  const tip = h("div", { class: "lines-tip", hidden: true });
  div.replaceChildren(box, tip);
  const data = [null];
  const series = [{}];
  const kept = [];
  for (const l of lines) {
    const y = clean(l.y, opts.logy);
    data.push([Array.from(l.x), y]);
    kept.push({ run: l.run, name: l.name, kind: l.kind, x: data.at(-1)[0], y, hover: l.hover !== false,
      color: l.color,
      step: l.steps && l.steps !== l.x ? Array.from(l.steps) : null });
    series.push({ label: l.name, stroke: l.faint ? `${l.color}44` : l.color, width: l.faint ? 1 : 1.5,
      points: { show: false }, paths: uPlot.paths.linear(),
      facets: [{ scale: "x", auto: true }, { scale: "y", auto: true }] });
  }
  const height = div.clientHeight || 300;
  const u = new uPlot({
    mode: 2, width: Math.max(200, div.clientWidth), height, legend: { show: false },
    scales: { x: { time: !!opts.time,
      range: opts.xRange ? () => opts.xRange : (u, lo, hi) => (lo === hi ? [lo - 1, hi + 1] : [lo, hi]) },  // one step (or second) each side
      y: opts.logy ? { distr: 3, log: 10 } : { range: (u, lo, hi) => pad(lo, hi) } },
    axes: [{ label: opts.xTitle, labelSize: 18, size: 36, values: opts.time ? undefined : (u, ticks) => ticks.map(num),
      incrs: opts.xTitle === "step" ? STEP_INCRS : undefined },
      { size: labelWidth, values: (u, ticks) => ticks.map(num) }],
    series,
    cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false },
      dataIdx: () => null },
    hooks: {
      draw: [(u) => {
        drawMarks(u, opts.marks || []);
        drawDots(u, kept);
        if (!div.dataset.painted) div.dataset.painted = performance.now().toFixed(1);
      }],
      setSelect: [(u) => {
        const { left, width } = u.select;
        if (width < 3) return;
        const lo = u.posToVal(left, "x"), hi = u.posToVal(left + width, "x");
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        if (opts.onZoom) opts.onZoom(lo, hi); else u.setScale("x", { min: lo, max: hi });
      }],
      setCursor: [(u) => hover(u, kept, tip, opts)],
    },
  }, data, box);
  u.over.addEventListener("dblclick", () => { if (opts.onZoom) opts.onZoom(null, null); });
  const resize = new ResizeObserver(() => {
    const w = Math.max(200, div.clientWidth);
    if (w !== u.width) u.setSize({ width: w, height });
  });
  resize.observe(div);
  div.mgChart = {
    uplot: u, lines: kept, logy: !!opts.logy,
    zoom: (lo, hi) => (opts.onZoom ? opts.onZoom(lo, hi) : u.setScale("x", { min: lo, max: hi })),
    destroy: () => { resize.disconnect(); u.destroy(); },
  };
  return div.mgChart;
}

// Keep a uPlot chart as wide as its box when the window (or the grid around it) resizes.
export function fitWidth(div, u) {
  const height = u.height;
  const watch = new ResizeObserver(() => {
    if (!div.isConnected) { watch.disconnect(); return; }
    const w = Math.max(200, div.clientWidth);
    if (w !== u.width) u.setSize({ width: w, height });
  });
  watch.observe(div);
}

// Steps are whole numbers: tick every 1, 2, 5, 10, 20, 50... steps, never at step 0.5.
const STEP_INCRS = [];
for (let e = 1; e <= 1e15; e *= 10) STEP_INCRS.push(e, 2 * e, 5 * e);

// The y axis as wide as its longest tick label (0.001625 must not lose its first digits).
function labelWidth(u, values) {
  if (!values || !values.length) return 58;
  return Math.max(44, 16 + 7.5 * Math.max(...values.map((v) => String(v).length)));
}

function pad(lo, hi) {
  if (lo === null || hi === null) return [0, 1];
  if (lo === hi) return [lo - Math.abs(lo || 1) * 0.05, hi + Math.abs(hi || 1) * 0.05];
  const m = (hi - lo) * 0.04;
  return [lo - m, hi + m];
}

// A series of one point (a final score, `hp/...`) has no line to draw: a dot shows it.
function drawDots(u, lines) {
  const ctx = u.ctx;
  for (const l of lines) {
    const at = [];
    for (let i = 0; i < l.y.length && at.length < 2; i++) if (l.y[i] !== null) at.push(i);
    if (at.length !== 1) continue;
    const x = u.valToPos(l.x[at[0]], "x", true), y = u.valToPos(l.y[at[0]], "y", true);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    ctx.save();
    ctx.fillStyle = l.color;
    ctx.beginPath(); ctx.arc(x, y, 4 * uPlot.pxRatio, 0, 2 * Math.PI); ctx.fill();
    ctx.restore();
  }
}

// Dashed vertical lines at steps (the first NaN, a finding's step), drawn on the canvas.
function drawMarks(u, marks) {
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  for (const m of marks) {
    const x = Math.round(u.valToPos(m.x, "x", true));
    if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    ctx.save();
    ctx.strokeStyle = m.color || "#c62828";
    ctx.lineWidth = 2 * uPlot.pxRatio;
    ctx.setLineDash([6 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
    ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
    if (m.label) {
      ctx.fillStyle = m.color || "#c62828";
      ctx.font = `${12 * uPlot.pxRatio}px system-ui, sans-serif`;
      ctx.textAlign = "left";  // uPlot leaves its axis labels' alignment on the context
      ctx.textBaseline = "alphabetic";
      ctx.fillText(m.label, x + 5 * uPlot.pxRatio, top + 30 * uPlot.pxRatio);
    }
    ctx.restore();
  }
}

// The hover label: the run whose line passes closest to the pointer, its step and value.
function hover(u, lines, tip, opts) {
  const { left, top } = u.cursor;
  if (left === null || left < 0) { tip.hidden = true; return; }
  const x = u.posToVal(left, "x");
  let best = null;
  for (const l of lines) {
    if (!l.hover || !l.x.length) continue;
    const i = closest(l.x, x);
    const y = l.y[i];
    if (y === null) continue;
    const px = u.valToPos(l.x[i], "x"), py = u.valToPos(y, "y");
    const d = Math.hypot(px - left, py - top);
    if (d <= HOVER_PX && (!best || d < best.d)) best = { d, l, i, px, py };
  }
  if (!best) { tip.hidden = true; return; }
  const { l, i } = best;
  const step = l.step ? l.step[i] : l.x[i];
  const xText = opts.time ? new Date(l.x[i] * 1000).toLocaleString("sv-SE") : num(l.x[i]);  // local, like the axis
  tip.textContent = `${l.name}\n${opts.xTitle} ${xText}${step !== l.x[i] ? ` (step ${step})` : ""}\nvalue ${num(l.y[i])}`;
  tip.hidden = false;
  tip.style.left = `${Math.min(best.px + u.bbox.left / uPlot.pxRatio + 12, u.width - 180)}px`;
  tip.style.top = `${best.py + u.bbox.top / uPlot.pxRatio + 8}px`;
}
