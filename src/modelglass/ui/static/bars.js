// Bar charts on uPlot: a column's distribution (train and test overlaid as shares), or counts.
// Category labels are text on the axis, never parsed as markup.
import { h } from "./dom.js";
import { fitWidth, num } from "./lines.js";

const COLORS = ["#2f6fde", "#e4572e"];

/**
 * traces: [{ name, x: numbers or category strings, y, counts }]; opts: { percent }.
 */
export function bars(div, traces, opts = {}) {
  const categorical = traces.some((t) => typeof t.x[0] === "string");
  const labels = categorical ? [...new Set(traces.flatMap((t) => t.x))] : null;
  const xs = (t) => (categorical ? t.x.map((v) => labels.indexOf(v)) : t.x);
  const data = traces.length === 1 ? [xs(traces[0]), traces[0].y]
    : uPlot.join(traces.map((t) => [xs(t), t.y]));
  const step = data[0].length > 1 ? Math.min(...data[0].slice(1).map((v, i) => v - data[0][i])) : 1;
  const yfmt = (v) => (opts.percent ? `${Math.round(v * 1000) / 10}%` : num(v));
  const tip = h("div", { class: "lines-tip", hidden: true });
  const box = h("div", {});
  const legend = traces.length > 1 ? h("div", { class: "legend" }, traces.map((t, i) =>
    h("span", { class: "key" }, h("i", { style: `background:${COLORS[i % 2]}` }), t.name))) : null;
  div.replaceChildren(box, tip);
  if (legend) div.after(legend);
  const u = new uPlot({
    width: Math.max(200, div.clientWidth), height: div.clientHeight || 300, legend: { show: false },
    scales: { x: { time: false, range: (u, lo, hi) => [lo - step / 2, hi + step / 2] },
      y: { range: (u, lo, hi) => [0, (hi || 1) * 1.05] } },
    axes: [{ size: categorical ? 60 : 36, rotate: categorical && labels.length > 6 ? -35 : 0,
      splits: categorical ? () => labels.map((_, i) => i) : undefined,
      values: categorical ? () => labels.map((l) => (l.length > 14 ? `${l.slice(0, 13)}…` : l)) : (u, t) => t.map(num) },
    { size: 54, values: (u, t) => t.map(yfmt), label: opts.percent ? "share of rows" : "count", labelSize: 16 }],
    series: [{}, ...traces.map((t, i) => ({ label: t.name, stroke: COLORS[i % 2], fill: `${COLORS[i % 2]}99`, width: 1,
      paths: uPlot.paths.bars({ size: [0.92, Infinity] }), points: { show: false } }))],
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    hooks: {
      draw: [() => { if (!div.dataset.painted) div.dataset.painted = performance.now().toFixed(1); }],
      setCursor: [(u) => {
        const i = u.cursor.idx;
        if (i === null || i === undefined || u.cursor.left < 0) { tip.hidden = true; return; }
        const x = categorical ? labels[data[0][i]] : num(data[0][i]);
        tip.textContent = [String(x), ...traces.map((t, k) => `${t.name}: ${data[k + 1][i] === null || data[k + 1][i] === undefined ? "—" : yfmt(data[k + 1][i])}`)].join("\n");
        tip.hidden = false;
        tip.style.left = `${Math.min(u.cursor.left + u.bbox.left / uPlot.pxRatio + 12, u.width - 150)}px`;
        tip.style.top = `${u.cursor.top + u.bbox.top / uPlot.pxRatio + 8}px`;
      }],
    },
  }, data, box);
  div.mgChart = { uplot: u, traces: traces.map((t) => ({ name: t.name, x: t.x, y: t.y })) };
  fitWidth(div, u);
}
