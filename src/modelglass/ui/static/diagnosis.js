// The diagnosis: the most likely cause first (its chain of evidence and what to change), then
// the symptoms, worst first. Clicking a finding draws its own series with its step marked.
import { api } from "./api.js";
import { clear, empty, evidenceBlock, fmt, h, when } from "./dom.js";
import { drawLines } from "./lines.js";
import { loadRun, runPicker } from "./pick.js";

export async function renderDiagnosis(root, stale) {
  const loaded = await loadRun(root, stale, "Diagnosis", "diagnosis");
  if (!loaded) return;
  const { runId, data: d } = loaded;
  const detailCall = api(`runs/${encodeURIComponent(runId)}`);  // the event log, fetched meanwhile
  const verdict = d.verdict;
  const causes = Array.isArray(d.causes) ? d.causes : [];
  root.append(h("div", { class: "toolbar" }, runPicker(runId),
    h("span", { class: `verdict verdict-${verdict}`, id: "verdict" }, `verdict: ${verdict}`),
    d.available ? null : h("span", { class: "note" }, d.reason)));
  const list = h("div", { id: "findings" });
  const chartBox = h("div", { class: "card" });
  root.append(h("div", { class: "split" }, list, chartBox));
  const byCode = new Map(d.findings.map((f) => [f.code, f]));
  const explained = new Set(causes.flatMap((c) => c.findings));
  const aside = (f) => (f.source === "data" || f.source === "inspect") && !explained.has(f.code);
  if (causes.length) list.append(causeCard(causes[0], true, byCode, (f) => show(f)));
  if (causes.length > 1) {
    list.append(h("details", { class: "causes-more" }, h("summary", {}, `${causes.length - 1} other possible cause(s)`),
      causes.slice(1).map((c) => causeCard(c, false, byCode, (f) => show(f)))));
  }
  if (causes.length && d.findings.some((f) => !aside(f))) list.append(h("h3", {}, "Symptoms"));
  if (!d.findings.length) {
    list.append(empty(d.available ? "No problems found in this run." : "No stored findings for this run."));
  }
  // Problems first; notes (severity info) fold away under one line, and so do the data check's
  // and the model inspection's findings that no cause explains (the Data and Model views list them).
  const notes = h("details", { class: "notes" });
  const others = h("details", { class: "notes", id: "other-checks" });
  const items = new Map();
  for (const f of d.findings) {
    const meta = [f.code, f.step !== null ? `step ${fmt(f.step)}` : null, f.source || null].filter(Boolean).join(" · ");
    const item = h("div", { class: `finding ${f.severity}`, "data-code": f.code, tabindex: 0 },
      h("div", {}, h("span", { class: `sev sev-${f.severity}` }, f.severity), h("span", { class: "title" }, f.title)),
      h("div", { class: "meta" }, meta),
      f.suggestion ? h("div", { class: "suggestion" }, f.suggestion) : null,
      evidenceBlock(f.evidence));
    item.addEventListener("click", () => show(f));
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") show(f); });
    (aside(f) ? others : f.severity === "info" ? notes : list).append(item);
    items.set(f, item);
  }
  const nNotes = d.findings.filter((f) => f.severity === "info" && !aside(f)).length;
  if (nNotes) {
    notes.prepend(h("summary", {}, `${nNotes} note(s)`));
    list.append(notes);
  }
  const nOthers = d.findings.filter(aside).length;
  if (nOthers) {
    others.prepend(h("summary", {}, `${nOthers} finding(s) of the data check or the model inspection, not linked to this run's training`));
    list.append(others);
  }

  async function show(f) {
    items.forEach((x) => x.classList.remove("active"));
    items.get(f)?.classList.add("active");
    const tag = f.series || d.default_tag;
    clear(chartBox);
    if (!tag) { chartBox.append(empty("This run has no series to show.")); return; }
    const div = h("div", { class: "chart-wide", "data-tag": tag, "data-finding": f.code });
    chartBox.append(h("div", { class: "chart-title" }, `${tag}${f.step !== null ? ` — ${f.code} at step ${fmt(f.step)}` : ""}`), div);
    const data = await api("scalars", { runs: runId, tag });
    const s = data.series[0];
    if (!s) { div.replaceWith(empty(`No series ${tag}.`)); return; }
    div.dataset.series = "1";
    drawLines(div, [{ run: runId, name: tag, color: "#2f6fde", x: s.steps, y: s.values, kind: "raw" }],
      { xTitle: "step", marks: f.step !== null ? [{ x: f.step, color: "#c62828", label: f.code }] : [] });
  }
  // The first picture: the top cause's first symptom, else the worst finding.
  const lead = causes.length ? causes[0].findings.map((c) => byCode.get(c)).find(Boolean) : null;
  const first = lead || d.findings.find((f) => !aside(f));
  if (first) await show(first);
  else if (d.default_tag) await show({ code: "", step: null, series: d.default_tag });
  const detail = await detailCall;
  if (stale() || !detail.events.length) return;
  root.append(h("h3", {}, "Event log"), h("div", { class: "scroll" }, h("table", { id: "events" },
    h("thead", {}, h("tr", {}, ["time", "step", "level", "message"].map((c) => h("th", {}, c)))),
    h("tbody", {}, detail.events.map((e) => h("tr", {}, h("td", {}, when(e.time)), h("td", { class: "num" }, fmt(e.step)),
      h("td", {}, h("span", { class: `sev sev-${e.level === "error" ? "error" : e.level === "warning" ? "warning" : "info"}` }, e.level)),
      h("td", {}, e.message)))))));
}

// A cause: the bug in the user's words, how sure, the chain of evidence in causal order, and
// what to change. Its symptoms link to their findings.
function causeCard(c, top, byCode, onFinding) {
  const pct = c.confidence === null || c.confidence === undefined ? "" : `${Math.round(100 * c.confidence)}% confidence`;
  const change = c.change && Object.keys(c.change).length
    ? h("div", { class: "change" }, "change: ", h("code", {}, Object.entries(c.change).map(([k, v]) => `${k} = ${fmt(v)}`).join(", ")))
    : null;
  return h("div", { class: `cause ${c.severity}${top ? " top" : ""}`, "data-cause": c.code },
    h("div", { class: "cause-head" }, h("span", { class: `sev sev-${c.severity}` }, top ? "most likely cause" : c.severity),
      h("span", { class: "code" }, c.code), pct ? h("span", { class: "confidence" }, pct) : null),
    h("div", { class: "cause-title" }, c.title),
    c.because.length ? h("ol", { class: "because" }, c.because.map((b) => h("li", {}, b))) : null,
    c.prescription ? h("div", { class: "prescription" }, h("b", {}, "What to do: "), c.prescription) : null,
    change,
    c.findings.length ? h("div", { class: "meta" }, "explains: ", c.findings.map((code) => {
      const f = byCode.get(code);
      return f ? h("a", { href: "#", class: "symptom", onclick: (e) => { e.preventDefault(); onFinding(f); } }, code) : h("span", {}, code);
    }).flatMap((x, i) => (i ? [", ", x] : [x]))) : null);
}
