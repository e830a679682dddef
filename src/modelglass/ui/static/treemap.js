// A treemap of parameters by module in plain HTML boxes (no plotly.js): each module's box is
// split among its children in proportion to their parameters, across and then down by depth.
import { h } from "./dom.js";
import { PALETTE } from "./state.js";

const MIN_PX = 3;

export function treemap(div, tree) {
  const kids = new Map();
  tree.ids.forEach((id, i) => {
    const p = tree.parents[i];
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(i);
  });
  const root = tree.ids.indexOf("(model)");
  const box = h("div", { class: "treemap" });
  div.replaceChildren(box);
  const width = div.clientWidth || 600, height = div.clientHeight || 420;
  (kids.get("(model)") || []).length ? split(box, kids.get("(model)"), 0, width, height, 0, null) : null;
  div.mgTreemap = { boxes: box.querySelectorAll(".tm-box").length, total: tree.values[root] };
  div.dataset.painted = performance.now().toFixed(1);

  function split(parent, items, depth, w, hgt, level, color) {
    const sum = items.reduce((a, i) => a + tree.values[i], 0) || 1;
    const across = level % 2 === 0;
    const room = across ? w : hgt;
    let at = 0;
    items.forEach((i, k) => {
      const size = (tree.values[i] / sum) * room;
      if (size < MIN_PX) { at += size; return; }
      const c = color || PALETTE[k % PALETTE.length];
      const bw = across ? size : w, bh = across ? hgt : size;
      const node = h("div", { class: "tm-box", title: `${tree.ids[i]}: ${tree.values[i].toLocaleString("en-US")} parameters`,
        style: `left:${across ? at : 0}px;top:${across ? 0 : at}px;width:${bw}px;height:${bh}px;background:${c};filter:brightness(${depth ? 1.12 : 1})` });
      if (bw > 44 && bh > 16) node.append(h("span", { class: "tm-label" }, `${tree.labels[i]} · ${tree.values[i].toLocaleString("en-US")}`));
      parent.append(node);
      const sub = kids.get(tree.ids[i]);
      if (sub && sub.length && bw > 12 && bh > 24) {
        const inner = h("div", { class: "tm-inner" });
        node.append(inner);
        split(inner, sub, depth + 1, bw - 6, bh - 20, level + 1, c);
      }
      at += size;
    });
  }
}
