// plotly.js is loaded only by the views that draw with it (model graph, data, studies), the
// first time one asks; the scalar charts and the histograms use uPlot, compare and the model's
// treemap plain SVG/HTML. Charts whose trace types are all in plotly's cartesian partial bundle
// (1.5 MB, vendored) get that one; any other type gets the full bundle (4.8 MB) from the
// installed plotly package.

const CARTESIAN = new Set(["bar", "box", "contour", "heatmap", "histogram", "histogram2d",
  "histogram2dcontour", "image", "pie", "scatter", "scatterternary", "violin"]);
const BUNDLES = {
  cartesian: "/static/vendor/plotly-cartesian/plotly-cartesian.min.js",
  full: "/vendor/plotly.min.js",
};
const loading = {};

function load(which) {
  if (which === "cartesian" && loading.full) return loading.full;
  if (!loading[which]) {
    loading[which] = new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = BUNDLES[which];
      tag.dataset.plotly = which;
      tag.addEventListener("load", () => resolve(window.Plotly));
      tag.addEventListener("error", () => { delete loading[which]; reject(new Error(`plotly.js could not be loaded from ${BUNDLES[which]}`)); });
      document.head.append(tag);
    });
  }
  return loading[which];
}

// A view that will draw with plotly starts loading it at once, while its data are fetched.
export function preload(which) {
  if (which) load(which).catch(() => {});
}

// The full bundle draws everything, so once it is there (or coming) it serves every chart.
function plotlyFor(traces) {
  return load(traces.every((t) => CARTESIAN.has(t.type || "scatter")) ? "cartesian" : "full");
}

const CONFIG = { responsive: true, displaylogo: false };

export const pending = { count: 0 };

export async function plot(div, traces, layout, config = {}) {
  pending.count += 1;
  try {
    const Plotly = await plotlyFor(traces);
    return await Plotly.react(div, traces, layout, { ...CONFIG, ...config });
  } finally {
    pending.count -= 1;
  }
}
