// Building DOM nodes safely: text is always set as text (textContent), never parsed as HTML.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// Plotly draws some HTML-like markup in names and titles; entities keep user text literal.
export function esc(text) {
  return String(text ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function empty(message) {
  return h("p", { class: "empty" }, message);
}

export function fmt(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isInteger(value) && Math.abs(value) < 1e9) return value.toLocaleString("en-US");
    const a = Math.abs(value);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? value.toExponential(3) : String(Number(value.toPrecision(4)));
  }
  if (typeof value === "object") return JSON.stringify(value, round4);
  return String(value);
}

// Numbers inside shown objects to 4 significant digits too (the JSON API keeps them all).
function round4(key, value) {
  return typeof value === "number" && !Number.isInteger(value) && Number.isFinite(value)
    ? Number(value.toPrecision(4)) : value;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function when(epoch) {
  if (!epoch) return "";
  const d = new Date(epoch * 1000);
  return d.toISOString().replace("T", " ").slice(0, 19);
}

export function severityBadges(counts) {
  const out = [];
  for (const sev of ["error", "warning", "info"]) {
    if (counts && counts[sev]) out.push(h("span", { class: `sev sev-${sev}`, title: sev }, `${counts[sev]} ${sev}`));
  }
  return out;
}

export function evidenceText(evidence) {
  return Object.entries(evidence || {}).map(([k, v]) => `${k}: ${short(fmt(v))}`).join("\n");
}

function short(text, limit = 140) {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

// The evidence of a finding: one short line per number, and the whole of it on demand.
export function evidenceBlock(evidence) {
  const text = evidenceText(evidence);
  const full = JSON.stringify(evidence || {}, round4, 1);
  const block = h("div", { class: "kv" }, text);
  if (!text.includes("…")) return block;
  const more = h("details", { class: "kv" }, h("summary", {}, "all evidence"), h("pre", {}, full));
  more.addEventListener("click", (e) => e.stopPropagation());
  return h("div", {}, block, more);
}
