// Calls to the JSON API. A token given as ?token=... on the page URL is sent with every call.

const pageToken = new URLSearchParams(window.location.search).get("token");
if (pageToken) {
  sessionStorage.setItem("modelglass-token", pageToken);
  // Keep the token out of the address bar, history and screenshots.
  history.replaceState(null, "", window.location.pathname + window.location.hash);
}

// Requests in flight: the page counts as painted only once none is left (see main.js).
// A background request (what fills in after the view is drawn) is not counted.
export const inflight = { count: 0 };

export async function api(path, params = {}, { background = false } = {}) {
  if (background) return request(path, params);
  inflight.count += 1;
  try {
    return await request(path, params);
  } finally {
    inflight.count -= 1;
  }
}

async function request(path, params) {
  const url = new URL(`/api/${path}`, window.location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, Array.isArray(v) ? v.join(",") : v);
  }
  const headers = {};
  const token = sessionStorage.getItem("modelglass-token");
  if (token) headers["X-Modelglass-Token"] = token;
  const response = await fetch(url, { headers });
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
    throw new Error(`${response.status}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
  }
  return response.json();
}
