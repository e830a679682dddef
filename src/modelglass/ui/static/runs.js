// The runs table: filter by project and text, sort by any column, select runs to compare.
import { api } from "./api.js";
import { clear, duration, empty, fmt, h, severityBadges, when } from "./dom.js";
import { every, go, setLive, setSelected, state } from "./state.js";

const sort = { key: "started", dir: -1 };
const filters = { project: "", q: "" };

export async function renderRuns(root, stale) {
  const body = h("div", {});
  const projectSelect = h("select", { "aria-label": "project", onchange: (e) => { filters.project = e.target.value; refresh(); } });
  const search = h("input", { type: "search", placeholder: "filter by name, id, study…", value: filters.q, "aria-label": "filter",
    oninput: (e) => { filters.q = e.target.value; refresh(); } });
  const toolbar = h("div", { class: "toolbar" },
    h("label", {}, "project ", projectSelect), search,
    h("button", { onclick: () => go("scalars") }, "Show charts"),
    h("button", { class: "secondary", onclick: () => go("compare") }, "Compare"),
    h("button", { class: "secondary", onclick: () => { setSelected([]); window.dispatchEvent(new Event("modelglass:selection")); draw(); } }, "Clear selection"));
  root.append(h("h2", {}, "Runs"), toolbar, body);
  let data = null;

  async function refresh() {
    data = await api("runs", { project: filters.project, q: filters.q });
    if (stale()) return;
    state.runs = filters.project || filters.q ? state.runs : data.runs;
    fillProjects(projectSelect, data.projects);
    draw();
    badges(data, stale);
    setLive(data.runs.some((r) => r.status === "running"));
  }

  function draw() {
    clear(body);
    if (!data.runs.length) {
      body.append(empty(data.total ? "No run matches the filter." :
        "No runs in this store yet. Start one with mg.init(project=...) and run.log({...})."));
      return;
    }
    body.append(h("div", { class: "table-wrap" }, table(data, draw)));
  }

  await refresh();
  every(3000, () => { if (data && data.runs.some((r) => r.status === "running")) refresh(); });
}

// The table shows the findings stored with each run at once; the diagnosis' own findings
// (tens of ms a run, more on a busy machine) come after, in the background, ten runs a
// request in the table's order, so the rows on screen are filled first.
const BADGE_BATCH = 10;
let badgeRound = 0;

async function badges(data, stale) {
  const round = ++badgeRound;  // a refresh starts a new round; the old one stops
  const rows = [...document.querySelectorAll("#runs-table tbody tr[data-run-id]")].map((tr) => tr.dataset.runId);
  const byId = new Map(data.runs.map((r) => [r.id, r]));
  for (let i = 0; i < rows.length; i += BADGE_BATCH) {
    let counts;
    try {
      ({ counts } = await api("findings", { runs: rows.slice(i, i + BADGE_BATCH) }, { background: true }));
    } catch (_) {
      return; // the stored counts stay
    }
    if (stale() || round !== badgeRound) return;
    for (const [id, c] of Object.entries(counts)) {
      const r = byId.get(id);
      if (!r) continue;
      r.findings = c;
      const cell = document.querySelector(`tr[data-run-id="${CSS.escape(id)}"] td.findings`);
      if (cell) clear(cell).append(...severityBadges(c));
    }
  }
}

function fillProjects(select, projects) {
  if (select.options.length === projects.length + 1) return;
  clear(select).append(h("option", { value: "" }, "all projects"));
  for (const p of projects) select.append(h("option", { value: p, selected: p === filters.project }, p));
}

function columns(data) {
  const cols = [
    { key: "project", label: "project", get: (r) => r.project },
    { key: "name", label: "name", get: (r) => r.name, cls: "name" },
    { key: "status", label: "status", get: (r) => r.status, cell: (r) => h("span", { class: `status status-${r.status}` }, r.status) },
    { key: "started", label: "started", get: (r) => r.started, cell: (r) => when(r.started) },
    { key: "duration", label: "duration", get: (r) => r.duration, cell: (r) => duration(r.duration), cls: "num" },
    { key: "last_step", label: "steps", get: (r) => r.last_step, cls: "num", cell: (r) => fmt(r.last_step) },
  ];
  for (const k of data.config_keys) cols.push({ key: `config:${k}`, label: k, get: (r) => r.config[k], cell: (r) => fmt(r.config[k]), cls: "num", group: "config" });
  for (const k of data.metric_keys) cols.push({ key: `metric:${k}`, label: k, get: (r) => r.metrics[k], cell: (r) => fmt(r.metrics[k]), cls: "num", group: "last value" });
  cols.push({ key: "findings", label: "findings", get: (r) => 100 * r.findings.error + 10 * r.findings.warning + r.findings.info,
    cell: (r) => severityBadges(r.findings), cls: "findings" });
  return cols;
}

function table(data, redraw) {
  const cols = columns(data);
  const rows = [...data.runs].sort((a, b) => compare(cols.find((c) => c.key === sort.key), a, b) * sort.dir);
  const head = h("tr", {}, h("th", { title: "select" }, ""), cols.map((c) => h("th", {
    class: `${c.cls === "num" ? "num " : ""}${c.key === sort.key ? (sort.dir > 0 ? "sorted-asc" : "sorted-desc") : ""}`,
    title: c.group ? `${c.group}: ${c.label}` : "",
    onclick: () => { sort.dir = sort.key === c.key ? -sort.dir : 1; sort.key = c.key; redraw(); },
  }, c.label)));
  const body = rows.map((r) => {
    const selected = state.selected.includes(r.id);
    const box = h("input", { type: "checkbox", checked: selected, "aria-label": "select run",
      onchange: (e) => toggle(r.id, e.target.checked, redraw) });
    return h("tr", { class: selected ? "selected" : "", "data-run-id": r.id },
      h("td", {}, box), cols.map((c) => h("td", { class: c.cls || "" }, c.cell ? c.cell(r) : fmt(c.get(r)))));
  });
  return h("table", { id: "runs-table" }, h("thead", {}, groupRow(cols), head), h("tbody", {}, body));
}

// A header row above the column names: which columns are config and which are metrics.
function groupRow(cols) {
  const cells = [h("th", { class: "group" }, "")];
  let i = 0;
  while (i < cols.length) {
    let j = i;
    while (j < cols.length && cols[j].group === cols[i].group) j++;
    cells.push(h("th", { class: "group", colspan: j - i }, cols[i].group || ""));
    i = j;
  }
  return h("tr", {}, cells);
}

function compare(col, a, b) {
  const x = col ? col.get(a) : null;
  const y = col ? col.get(b) : null;
  if (x === y) return 0;
  if (x === null || x === undefined) return 1;
  if (y === null || y === undefined) return -1;
  return typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
}

function toggle(id, on, redraw) {
  setSelected(on ? [...state.selected, id] : state.selected.filter((x) => x !== id));
  window.dispatchEvent(new Event("modelglass:selection"));
  redraw();
}
