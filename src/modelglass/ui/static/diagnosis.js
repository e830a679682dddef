// The diagnosis: findings worst first; clicking one draws its series with the step marked.
import { plot } from "./plot.js";
import { api } from "./api.js";
import { clear, empty, esc, evidenceBlock, fmt, h, when } from "./dom.js";
import { loadRun, runPicker } from "./pick.js";

export async function renderDiagnosis(root, stale) {
  const loaded = await loadRun(root, stale, "Diagnosis", "diagnosis");
  if (!loaded) return;
  const { runId, data: d } = loaded;
  const verdict = d.verdict;
  root.append(h("div", { class: "toolbar" }, runPicker(runId),
    h("span", { class: `verdict verdict-${verdict}`, id: "verdict" }, `verdict: ${verdict}`),
    d.available ? null : h("span", { class: "note" }, d.reason)));
  const list = h("div", { id: "findings" });
  const chartBox = h("div", { class: "card" });
  root.append(h("div", { class: "split" }, list, chartBox));
  if (!d.findings.length) {
    list.append(empty(d.available ? "No problems found in this run." : "No stored findings for this run."));
  }
  // Problems first; notes (severity info) fold away under one line.
  const notes = h("details", { class: "notes" });
  const items = d.findings.map((f) => {
    const meta = [f.code, f.step !== null ? `step ${fmt(f.step)}` : null, f.source || null].filter(Boolean).join(" · ");
    const item = h("div", { class: `finding ${f.severity}`, "data-code": f.code, tabindex: 0 },
      h("div", {}, h("span", { class: `sev sev-${f.severity}` }, f.severity), h("span", { class: "title" }, f.title)),
      h("div", { class: "meta" }, meta),
      f.suggestion ? h("div", { class: "suggestion" }, f.suggestion) : null,
      evidenceBlock(f.evidence));
    item.addEventListener("click", () => show(f, item));
    (f.severity === "info" ? notes : list).append(item);
    return item;
  });
  const nNotes = d.findings.filter((f) => f.severity === "info").length;
  if (nNotes) {
    notes.prepend(h("summary", {}, `${nNotes} note(s)`));
    list.append(notes);
  }

  async function show(f, item) {
    items.forEach((x) => x.classList.remove("active"));
    item.classList.add("active");
    const ev = f.evidence || {};
    const listed = Array.isArray(ev.series) ? ev.series : [];
    const tag = [ev.tag, ev.series, ev.first_series, ev.metric, ...listed]
      .find((t) => typeof t === "string" && d.tags.includes(t)) || d.default_tag;
    clear(chartBox);
    if (!tag) { chartBox.append(empty("This run has no series to show.")); return; }
    const div = h("div", { class: "chart-wide", "data-tag": tag });
    chartBox.append(h("div", { class: "note" }, `${tag}${f.step !== null ? ` — ${f.code} at step ${fmt(f.step)}` : ""}`), div);
    const data = await api("scalars", { runs: runId, tag });
    const s = data.series[0];
    if (!s) { div.replaceWith(empty(`No series ${tag}.`)); return; }
    const shapes = f.step !== null ? [{ type: "line", xref: "x", yref: "paper", x0: f.step, x1: f.step, y0: 0, y1: 1, line: { color: "#c62828", width: 2, dash: "dash" } }] : [];
    const annotations = f.step !== null ? [{ x: f.step, y: 1, xref: "x", yref: "paper", text: esc(f.code), showarrow: false, yanchor: "bottom", font: { color: "#c62828" } }] : [];
    plot(div, [{ type: "scatter", mode: "lines", x: s.steps, y: s.values, name: esc(tag), line: { color: "#2f6fde" } }],
      { margin: { l: 56, r: 12, t: 24, b: 40 }, xaxis: { title: { text: "step" } }, shapes, annotations },
      { responsive: true, displaylogo: false });
  }
  if (items.length) show(d.findings[0], items[0]);
  const detail = await api(`runs/${encodeURIComponent(runId)}`);
  if (stale() || !detail.events.length) return;
  root.append(h("h3", {}, "Event log"), h("div", { class: "scroll" }, h("table", { id: "events" },
    h("thead", {}, h("tr", {}, ["time", "step", "level", "message"].map((c) => h("th", {}, c)))),
    h("tbody", {}, detail.events.map((e) => h("tr", {}, h("td", {}, when(e.time)), h("td", { class: "num" }, fmt(e.step)),
      h("td", {}, h("span", { class: `sev sev-${e.level === "error" ? "error" : e.level === "warning" ? "warning" : "info"}` }, e.level)),
      h("td", {}, e.message)))))));
}
