// plotly.js (4.8 MB) is loaded only by the views that draw with it (histograms, model, data,
// compare, studies), the first time one of them asks; the scalar charts use uPlot (lines.js).

let ready = null;

function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!ready) {
    ready = new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = "/vendor/plotly.min.js";
      tag.id = "plotly-js";
      tag.addEventListener("load", () => resolve(window.Plotly));
      tag.addEventListener("error", () => { ready = null; reject(new Error("plotly.js could not be loaded from /vendor/plotly.min.js")); });
      document.head.append(tag);
    });
  }
  return ready;
}

const CONFIG = { responsive: true, displaylogo: false };

export const pending = { count: 0 };

export async function plot(div, traces, layout, config = {}) {
  pending.count += 1;
  try {
    const Plotly = await loadPlotly();
    return await Plotly.react(div, traces, layout, { ...CONFIG, ...config });
  } finally {
    pending.count -= 1;
  }
}
