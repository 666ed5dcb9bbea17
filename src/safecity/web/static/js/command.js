// Command-centre map: incidents by priority, units by status, live over SSE.
// The API calls live in `api` so the page has one place that knows the URLs.
"use strict";
(() => {
  const root = document.querySelector(".cc");
  const L10N = document.getElementById("t-labels").dataset;
  const canDispatch = root.dataset.canDispatch === "yes";
  const canIntake = root.dataset.canIntake === "yes";

  const api = {
    async json(url, opts = {}) {
      const res = await fetch(url, { credentials: "same-origin", headers: { "Content-Type": "application/json", Accept: "application/json" }, ...opts });
      const body = res.status === 204 ? null : await res.json().catch(() => null);
      if (!res.ok) { const err = new Error((body && body.detail) || res.statusText); err.body = body; err.status = res.status; throw err; }
      return body;
    },
    incidents: () => api.json("/api/incidents?open=true"),
    incident: (id) => api.json(`/api/incidents/${id}`),
    units: () => api.json("/api/units"),
    types: () => api.json("/api/incident-types"),
    stats: () => api.json("/api/incidents/stats"),
    createCall: (body) => api.json("/api/calls", { method: "POST", body: JSON.stringify(body) }),
    linkCall: (callId, incidentId) => api.json(`/api/calls/${callId}/link`, { method: "POST", body: JSON.stringify({ incident_id: incidentId }) }),
    recommend: (id) => api.json(`/api/incidents/${id}/recommendations`),
    dispatch: (id, unitIds) => api.json(`/api/incidents/${id}/assignments`, { method: "POST", body: JSON.stringify({ unit_ids: unitIds }) }),
    transition: (id, status) => api.json(`/api/incidents/${id}/transitions`, { method: "POST", body: JSON.stringify({ status }) }),
  };

  const STATUS_COLOURS = { available: "#2a9d8f", dispatched: "#f4a261", en_route: "#e76f51", on_scene: "#c1121f", returning: "#457b9d", off_duty: "#adb5bd", out_of_service: "#6c757d" };
  const PRIO_COLOURS = { P1: "#c1121f", P2: "#e76f51", P3: "#e9c46a", P4: "#8d99ae" };
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  const bbox = root.dataset.bbox.split(",").map(Number);
  const map = L.map("map", { preferCanvas: true, zoomControl: true, attributionControl: true });
  map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]]);
  map.attributionControl.setPrefix(false).addAttribution('© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> (ODbL)');
  const renderer = L.canvas({ padding: 0.3 });
  const WEIGHT = { motorway: 4, trunk: 4, primary: 3.2, secondary: 2.6, tertiary: 2, residential: 0.9, unclassified: 0.9 };
  const ROAD_COLOUR = { motorway: "#e07a5f", trunk: "#e07a5f", primary: "#f2cc8f", secondary: "#f2cc8f", tertiary: "#ffffff" };

  fetch("/api/roads/basemap.geojson", { credentials: "same-origin" }).then((r) => r.ok ? r.json() : null).then((geo) => {
    if (!geo) return;
    L.geoJSON(geo, {
      renderer, interactive: false,
      style: (f) => { const k = (f.properties.highway || "").replace("_link", ""); return { color: ROAD_COLOUR[k] || "#c9d1dc", weight: WEIGHT[k] || 0.8, opacity: 0.95 }; },
    }).addTo(map).bringToBack();
  });

  const incidentLayer = L.layerGroup().addTo(map);
  const unitLayer = L.layerGroup().addTo(map);
  const incidents = new Map();
  const units = new Map();
  let selected = null;

  function unitMarker(u) {
    const colour = STATUS_COLOURS[u.status] || "#333";
    const m = L.circleMarker([u.lat, u.lon], { renderer, radius: 5, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 1 });
    m.bindTooltip(`${esc(u.call_sign)} · ${esc(u.kind)} · ${esc(u.status)}`);
    return m;
  }
  function upsertUnit(u) {
    if (u.lon == null || u.lat == null) return;
    const prev = units.get(u.id);
    if (prev) { Object.assign(prev.data, u); prev.marker.setLatLng([prev.data.lat, prev.data.lon]); prev.marker.setStyle({ fillColor: STATUS_COLOURS[prev.data.status] || "#333" }); prev.marker.setTooltipContent(`${esc(prev.data.call_sign)} · ${esc(prev.data.kind)} · ${esc(prev.data.status)}`); return; }
    const marker = unitMarker(u).addTo(unitLayer);
    units.set(u.id, { data: { ...u }, marker });
  }
  function upsertIncident(i) {
    const closed = ["closed", "cancelled"].includes(i.status);
    const prev = incidents.get(i.id);
    if (closed) { if (prev) { incidentLayer.removeLayer(prev.marker); incidents.delete(i.id); } renderList(); return; }
    if (prev) { Object.assign(prev.data, i); prev.marker.setLatLng([prev.data.lat, prev.data.lon]); renderList(); return; }
    const marker = L.circleMarker([i.lat, i.lon], { radius: 9, color: "#000", weight: 1, fillColor: PRIO_COLOURS[i.priority] || "#555", fillOpacity: 0.9 })
      .on("click", () => select(i.id)).addTo(incidentLayer);
    marker.bindTooltip(`${esc(i.reference)} ${esc(i.type_name || i.type)}`);
    incidents.set(i.id, { data: { ...i }, marker });
    renderList();
  }
  function renderList() {
    const list = document.getElementById("incident-list");
    const rows = [...incidents.values()].map((x) => x.data).sort((a, b) => a.priority.localeCompare(b.priority) || String(a.created_at).localeCompare(String(b.created_at)));
    list.innerHTML = rows.map((i) => `<li data-id="${i.id}" class="${i.id === selected ? "sel" : ""}"><span class="prio ${esc(i.priority)}">${esc(i.priority)}</span> <b>${esc(i.reference)}</b> ${esc(i.type_name || i.type)} <span class="status">${esc(i.status)}</span>${i.synthetic ? ` <span class="syn">${esc(L10N.synthetic)}</span>` : ""}<br><small>${esc(i.description || "")}</small></li>`).join("");
    list.querySelectorAll("li").forEach((li) => li.addEventListener("click", () => select(Number(li.dataset.id) || li.dataset.id)));
    document.getElementById("kpi-open").textContent = rows.length;
    document.getElementById("kpi-p1").textContent = rows.filter((r) => r.priority === "P1").length;
    document.getElementById("kpi-available").textContent = [...units.values()].filter((u) => u.data.status === "available").length;
  }

  async function select(id) {
    selected = id; renderList();
    const box = document.getElementById("incident-detail");
    const inc = await api.incident(id);
    const entry = incidents.get(id); if (entry) map.panTo(entry.marker.getLatLng());
    const assigned = (inc.assignments || []).map((a) => `<li>${esc(a.call_sign)} (${esc(a.agency)}) — ${esc(a.status)}</li>`).join("");
    box.hidden = false;
    box.innerHTML = `<h2><span class="prio ${esc(inc.priority)}">${esc(inc.priority)}</span> ${esc(inc.reference)} · ${esc(inc.type_name || inc.type)}</h2>
      <p>${esc(inc.description || "")}</p><p><span class="status" id="detail-status">${esc(inc.status)}</span> ${inc.synthetic ? `<span class="syn">${esc(L10N.synthetic)}</span>` : ""}</p>
      ${assigned ? `<ul id="assigned">${assigned}</ul>` : ""}
      <div class="actions">${canDispatch ? `<button id="btn-recommend">${esc(L10N.recommend)}</button>` : ""}
      ${canDispatch ? ["en_route", "on_scene", "cleared"].map((s) => `<button class="secondary" data-status="${s}">${s.replace("_", " ")}</button>`).join("") + `<button class="secondary" data-status="closed">${esc(L10N.close)}</button>` : ""}</div>
      <p class="error" id="detail-error" hidden></p><div id="recs"></div>`;
    box.querySelector("#btn-recommend")?.addEventListener("click", () => recommend(id));
    box.querySelectorAll("button[data-status]").forEach((b) => b.addEventListener("click", () => transition(id, b.dataset.status)));
  }
  function showError(el, err) { el.hidden = false; el.textContent = `${err.body?.error || "Error"}: ${err.message}`; }

  async function recommend(id) {
    const box = document.getElementById("recs");
    const res = await api.recommend(id);
    const recs = res.recommendations || [];
    if (!recs.length) { box.innerHTML = `<p>${esc(L10N.none)}</p>`; return; }
    box.innerHTML = `<p class="hint">${esc(res.eta_method === "road" ? L10N.road : L10N.straight)}</p><table class="recs"><thead><tr><th></th><th>unit</th><th>${esc(L10N.eta)}</th><th>${esc(L10N.km)}</th><th>why</th></tr></thead><tbody>${recs.map((r) => `<tr><td><input type="checkbox" name="unit" value="${esc(r.unit_id)}" checked></td><td>${esc(r.call_sign)}<br><small>${esc(r.agency)}</small></td><td>${(r.eta_s / 60).toFixed(1)} ${esc(L10N.min)}</td><td>${(r.distance_m / 1000).toFixed(1)}</td><td><small>${esc(r.reason || (r.skills || []).join(", "))}</small></td></tr>`).join("")}</tbody></table><div class="actions"><button id="btn-dispatch">${esc(L10N.dispatch)}</button></div>`;
    box.querySelector("#btn-dispatch").addEventListener("click", async () => {
      const ids = [...box.querySelectorAll("input[name=unit]:checked")].map((c) => Number(c.value) || c.value);
      try { await api.dispatch(id, ids); box.innerHTML = ""; await refreshIncident(id); select(id); } catch (err) { showError(document.getElementById("detail-error"), err); }
    });
  }
  async function transition(id, status) {
    try { await api.transition(id, status); await refreshIncident(id); if (incidents.has(id)) select(id); else document.getElementById("incident-detail").hidden = true; }
    catch (err) { showError(document.getElementById("detail-error"), err); }
  }
  async function refreshIncident(id) { upsertIncident(await api.incident(id)); (await api.units()).forEach(upsertUnit); }

  async function loadTypes() {
    const sel = document.getElementById("call-type"); if (!sel) return;
    const types = await api.types();
    sel.innerHTML = types.map((t) => `<option value="${esc(t.code)}">${esc(root.dataset.lang === "ur" && t.name_ur ? t.name_ur : t.name)} (${esc(t.default_priority || t.priority)})</option>`).join("");
  }
  let pin = null;
  function setupIntake() {
    const form = document.getElementById("call-form"); if (!form) return;
    map.on("click", (e) => {
      form.lon.value = e.latlng.lng.toFixed(6); form.lat.value = e.latlng.lat.toFixed(6);
      document.getElementById("call-location").textContent = `${e.latlng.lat.toFixed(5)}, ${e.latlng.lng.toFixed(5)}`;
      if (pin) pin.setLatLng(e.latlng); else pin = L.marker(e.latlng).addTo(map);
    });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const err = document.getElementById("call-error"); err.hidden = true;
      const body = { type: form.type.value, caller_number: form.caller_number.value || null, language: form.language.value, description: form.description.value,
        lon: form.lon.value ? Number(form.lon.value) : null, lat: form.lat.value ? Number(form.lat.value) : null };
      try {
        const res = await api.createCall(body);
        const dups = res.possible_duplicates || [];
        const dupBox = document.getElementById("call-duplicates");
        if (dups.length && !res.incident) {
          dupBox.hidden = false;
          dupBox.innerHTML = dups.map((d) => `<p>${esc(L10N.dup)} <b>${esc(d.reference)}</b> (${Math.round(d.distance_m)} m) <button type="button" data-link="${d.id}">${esc(L10N.link)}</button></p>`).join("");
          dupBox.querySelectorAll("button[data-link]").forEach((b) => b.addEventListener("click", async () => { await api.linkCall(res.call.id, Number(b.dataset.link)); dupBox.hidden = true; form.reset(); }));
          return;
        }
        form.reset(); if (pin) { map.removeLayer(pin); pin = null; }
        if (res.incident) { upsertIncident(res.incident); select(res.incident.id); }
      } catch (e) { showError(err, e); }
    });
  }

  async function loadStats() {
    try {
      const s = await api.stats();
      const parts = (s.agencies || []).map((a) => `${a.agency}: ${a.median_call_to_scene_s == null ? "–" : (a.median_call_to_scene_s / 60).toFixed(1) + " min"}`);
      document.getElementById("kpi-agencies").textContent = parts.join(" · ") || "–";
    } catch (_) { /* stats are optional on the page */ }
  }

  function connectLive() {
    const state = document.getElementById("live-state");
    const es = new EventSource("/api/live/stream");
    es.onopen = () => { state.textContent = "●"; state.style.color = "#2a9d8f"; };
    es.onerror = () => { state.textContent = "○"; state.style.color = "#c1121f"; };
    es.addEventListener("unit.position", (e) => { const p = JSON.parse(e.data); upsertUnit({ id: p.unit_id, lon: p.lon, lat: p.lat, speed_kph: p.speed_kph }); });
    es.addEventListener("unit.status_changed", (e) => { const p = JSON.parse(e.data); const u = units.get(p.unit_id); if (u) upsertUnit({ id: p.unit_id, status: p.status }); renderList(); });
    const refresh = (e) => { const p = JSON.parse(e.data); if (p.incident_id != null) api.incident(p.incident_id).then(upsertIncident).catch(() => {}); loadStats(); };
    ["incident.created", "incident.status_changed", "unit.dispatched"].forEach((t) => es.addEventListener(t, refresh));
    window.__safecityLive = es;
  }

  (async () => {
    const [incs, us] = await Promise.all([api.incidents(), api.units()]);
    us.forEach(upsertUnit); incs.forEach(upsertIncident);
    if (canIntake) { await loadTypes(); setupIntake(); }
    loadStats(); connectLive();
    root.dataset.ready = "yes";
  })();
})();
