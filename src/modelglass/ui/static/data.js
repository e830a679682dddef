// The data report stored with a run: findings, per-column summaries and distributions (uPlot bars).
import { bars } from "./bars.js";
import { empty, evidenceBlock, fmt, h } from "./dom.js";
import { loadRun, runPicker } from "./pick.js";

export async function renderData(root, stale) {
  const loaded = await loadRun(root, stale, "Data", "data");
  if (!loaded) return;
  const { runId, data: d } = loaded;
  root.append(h("div", { class: "toolbar" }, runPicker(runId),
    d.available && d.n_rows ? h("span", {}, `rows: ${fmt(d.n_rows)}`) : null,
    d.available && d.target ? h("span", {}, `target: ${d.target}`) : null));
  if (!d.available) { root.append(empty(d.reason)); return; }
  root.append(h("h3", {}, "Findings"));
  if (!d.findings.length) root.append(empty("The data check found nothing to report."));
  for (const f of d.findings) {
    root.append(h("div", { class: `finding ${f.severity}` }, h("span", { class: `sev sev-${f.severity}` }, f.severity),
      h("span", { class: "title" }, f.title), h("span", { class: "code" }, f.code),
      f.suggestion ? h("div", { class: "suggestion" }, f.suggestion) : null, evidenceBlock(f.evidence)));
  }
  root.append(h("h3", {}, "Columns"));
  if (!d.columns.length) { root.append(empty("The report has no column summaries.")); return; }
  const grid = h("div", { class: "grid" });
  root.append(grid);
  const drift = new Map(d.drift.map((x) => [x.column, x]));
  for (const c of d.columns) grid.append(columnCard(c, drift.get(c.name)));
  const li = d.label_issues;
  if (li && Array.isArray(li.suspects) && li.suspects.length) {
    root.append(h("h3", {}, `Examples whose label looks wrong (${fmt(li.n_issues ?? li.suspects.length)})`));
    const rows = li.suspects.slice(0, 50);
    const keys = Object.keys(rows[0] || {});
    root.append(h("div", { class: "scroll" }, h("table", { id: "label-issues" },
      h("thead", {}, h("tr", {}, keys.map((k) => h("th", {}, k)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, keys.map((k) => h("td", { class: typeof r[k] === "number" ? "num" : "" }, fmt(r[k])))))))));
  }
}

const SKIP = new Set(["name", "histogram", "hist", "train", "test", "value_counts", "top", "top_categories"]);

function columnCard(c, drift) {
  const stats = Object.entries(c).filter(([k, v]) => !SKIP.has(k) && (typeof v !== "object" || v === null));
  const card = h("div", { class: "card", "data-column": c.name }, h("h3", {}, String(c.name)),
    h("div", { class: "kv" }, stats.map(([k, v]) => `${k}: ${fmt(v)}`).join("   ")),
    drift ? h("div", { class: drift.drifted ? "note bad" : "note" },
      `train vs test drift score ${fmt(drift.score)}${drift.drifted ? " — drifted" : ""}`) : null);
  const traces = distributionTraces(c);
  if (traces.length) {
    const div = h("div", { class: "chart" });
    card.append(div);
    requestAnimationFrame(() => bars(div, traces, { percent: traces.every((t) => t.share) }));
  }
  return card;
}

// Accepts {histogram: {edges, counts}} or {histogram: {train: {...}, test: {...}}},
// {train: {histogram}, test: {histogram}}, or value counts as a dict or a list of pairs.
function distributionTraces(c) {
  const out = [];
  const add = (label, hist) => {
    if (!hist || typeof hist !== "object") return;
    const counts = hist.counts;
    const edges = hist.edges || hist.bins;
    // Shares, not counts: a test split is smaller than the training split.
    const total = Array.isArray(counts) ? counts.reduce((a, b) => a + (Number(b) || 0), 0) || 1 : 1;
    const share = Array.isArray(counts) ? counts.map((v) => v / total) : null;
    if (share && Array.isArray(edges) && edges.length === counts.length + 1) {
      const x = counts.map((_, i) => (edges[i] + edges[i + 1]) / 2);
      out.push({ x, y: share, counts, name: label, share: true });
    } else if (share && Array.isArray(hist.labels || hist.categories)) {
      out.push({ x: (hist.labels || hist.categories).map(String), y: share, counts, name: label, share: true });
    }
  };
  const hist = c.histogram || c.hist || c.top;
  const labels = hist && (hist.labels || hist.categories || hist.values);
  if (hist && Array.isArray(hist.edges) && (Array.isArray(hist.train) || Array.isArray(hist.test))) {
    add("train", { edges: hist.edges, counts: hist.train });  // one grid, counts per split
    add("test", { edges: hist.edges, counts: hist.test });
  } else if (hist && Array.isArray(labels) && (Array.isArray(hist.train) || Array.isArray(hist.test))) {
    add("train", { labels, counts: hist.train });
    add("test", { labels, counts: hist.test });
  } else if (hist && (hist.train || hist.test)) { add("train", hist.train); add("test", hist.test); }
  else if (hist) add("train", hist);
  if (!out.length && c.train && typeof c.train === "object") { add("train", c.train.histogram || c.train); add("test", c.test && (c.test.histogram || c.test)); }
  const vc = c.value_counts || c.top || c.top_categories;
  if (!out.length && vc) {
    const pairs = Array.isArray(vc) ? vc.filter((p) => Array.isArray(p) && p.length >= 2) : Object.entries(vc);
    if (pairs.length) out.push({ x: pairs.map((p) => String(p[0])), y: pairs.map((p) => p[1]), name: "count", share: false });
  }
  return out;
}
