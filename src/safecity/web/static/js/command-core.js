// Shared by the command-centre page: its words (#cc-text, translated server-side), role
// flags, formatting, the one place that knows the API's URLs, and the error banner.
export const root = document.querySelector(".cc");
export const T = JSON.parse(document.getElementById("cc-text").textContent);
export const can = { dispatch: root.dataset.canDispatch === "yes", intake: root.dataset.canIntake === "yes", report: root.dataset.canReport === "yes" };
export const urdu = root.dataset.lang === "ur";
// "Then" points the way the text reads: right-to-left in Urdu.
export const ARROW = document.documentElement.dir === "rtl" ? "←" : "→";
export const $ = (sel, el = document) => el.querySelector(sel);
export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
// Catalogue ids double as message ids; untranslated (English) ones are made readable.
export const readable = (code, label) => (label && label !== code ? label : String(code).replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase()));
export const statusLabel = (s) => T.status[s] || s;
export const agencyLabel = (a) => readable(a, T.agency[a]);
export const kindLabel = (k) => readable(k, T.kind[k]);
export const mins = (s) => (s == null ? "–" : `<bdi>${(s / 60).toFixed(1)} ${esc(T.min)}</bdi>`);
export const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString("en-GB", { timeZone: "Asia/Karachi", hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "–");
export const OPEN = ["new", "dispatched", "en_route", "on_scene"];
export const PRIO = { P1: "#d00000", P2: "#f77f00", P3: "#fcbf49", P4: "#6c757d" };
export const CORRIDOR = "#ff7b00"; // emergency corridors: orange, unlike any unit status
export const UNIT = { available: "#2a9d8f", dispatched: "#3a86ff", en_route: "#8338ec", on_scene: "#ff006e", returning: "#00b4d8", off_duty: "#adb5bd", out_of_service: "#495057" };

export const api = {
  async json(url, opts = {}) {
    const res = await fetch(url, { credentials: "same-origin", headers: { "Content-Type": "application/json", Accept: "application/json" }, ...opts });
    const body = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) {
      const detail = body && body.detail;
      const err = new Error(typeof detail === "string" ? detail : detail ? JSON.stringify(detail) : `${res.status} ${res.statusText}`);
      Object.assign(err, { body, status: res.status });
      throw err;
    }
    return body;
  },
  post: (url, body) => api.json(url, { method: "POST", body: JSON.stringify(body) }),
  incidents: () => api.json("/api/incidents?open=true"),
  incident: (id) => api.json(`/api/incidents/${id}`),
  assignments: (id) => api.json(`/api/incidents/${id}/assignments`),
  units: () => api.json("/api/units"),
  corridors: () => api.json("/api/corridors"),
  cameras: () => api.json("/api/cameras"),
  plateHits: (limit) => api.json(`/api/anpr/hits?status=open&limit=${limit}`),
  hitFeedback: (id, verdict) => api.post(`/api/anpr/hits/${id}/feedback`, { verdict, note: "command centre" }),
  unit: (id) => api.json(`/api/units/${id}`),
  types: () => api.json("/api/incident-types"),
  responseTimes: () => api.json("/api/response-times"),
  takeCall: (body) => api.post("/api/calls", body),
  linkCall: (callId, incidentId) => api.post(`/api/calls/${callId}/link`, { incident_id: incidentId }),
  openForCall: (callId) => api.post(`/api/calls/${callId}/incident`, {}),
  recommend: (id) => api.json(`/api/incidents/${id}/recommendations`),
  dispatch: (id, unitIds) => api.post(`/api/incidents/${id}/assignments`, { unit_ids: unitIds }),
  unitStatus: (unitId, status) => api.post(`/api/units/${unitId}/status`, { status }),
  incidentStatus: (id, status, extra = {}) => api.post(`/api/incidents/${id}/status`, { status, ...extra }),
};

// -- errors: one readable banner -------------------------------------------------------
const banner = $("#cc-banner");
export function showError(err) {
  const code = err.body?.error || T.error;
  const field = err.body?.field ? ` (${err.body.field})` : "";
  $("#cc-banner-text").textContent = `${code.replace(/([a-z])([A-Z])/g, "$1 $2")}${field}: ${err.message}`;
  banner.dataset.error = code;
  banner.hidden = false;
}
export const clearError = () => { banner.hidden = true; delete banner.dataset.error; };
$("#cc-banner-close").addEventListener("click", clearError);
// Runs an action from a button: disabled while it runs, errors to the banner.
export async function act(button, fn) {
  clearError();
  if (button) button.disabled = true;
  try { await fn(); } catch (err) { showError(err); } finally { if (button && button.isConnected) button.disabled = false; }
}
