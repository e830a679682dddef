// plotly.js (4.8 MB) loads asynchronously so the page fetches its data meanwhile;
// every chart waits for it here.

const ready = new Promise((resolve, reject) => {
  if (window.Plotly) { resolve(window.Plotly); return; }
  const tag = document.getElementById("plotly-js");
  tag.addEventListener("load", () => resolve(window.Plotly));
  tag.addEventListener("error", () => reject(new Error("plotly.js could not be loaded from /vendor/plotly.min.js")));
});

const CONFIG = { responsive: true, displaylogo: false };

export const pending = { count: 0 };

export async function plot(div, traces, layout, config = {}) {
  pending.count += 1;
  try {
    const Plotly = await ready;
    return await Plotly.react(div, traces, layout, { ...CONFIG, ...config });
  } finally {
    pending.count -= 1;
  }
}
