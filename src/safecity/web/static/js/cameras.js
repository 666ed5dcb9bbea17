// Camera map: every camera coloured by health, offline alerts, and watchlist hits an
// officer confirms or marks a misread. Live over SSE; all calls go through `api`.
"use strict";
(() => {
  const root = document.querySelector(".cams");
  const L10N = document.getElementById("t-labels").dataset;
  const api = {
    async json(url, opts = {}) {
      const res = await fetch(url, { credentials: "same-origin", headers: { "Content-Type": "application/json", Accept: "application/json" }, ...opts });
      const body = res.status === 204 ? null : await res.json().catch(() => null);
      if (!res.ok) { const err = new Error((body && body.detail) || res.statusText); err.body = body; throw err; }
      return body;
    },
    cameras: () => api.json("/api/cameras"),
    alerts: () => api.json("/api/cameras/alerts?open_only=true"),
    hits: () => api.json("/api/anpr/hits?status=open&limit=100"),
    feedback: (id, verdict) => api.json(`/api/anpr/hits/${id}/feedback`, { method: "POST", body: JSON.stringify({ verdict, note: "from the cameras page" }) }),
  };
  const HEALTH = { online: "#2a9d8f", offline: "#c1121f", maintenance: "#8d99ae" };
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  // Times are shown in Pakistan time whatever the browser's zone (the house rule).
  const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { timeZone: "Asia/Karachi", dateStyle: "short", timeStyle: "medium" }) : L10N.never);

  const bbox = root.dataset.bbox.split(",").map(Number);
  const map = L.map("map", { preferCanvas: true });
  map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]]);
  map.attributionControl.setPrefix(false).addAttribution('© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> (ODbL)');
  const renderer = L.canvas({ padding: 0.3 });
  const WEIGHT = { motorway: 4, trunk: 4, primary: 3.2, secondary: 2.6, tertiary: 2 };
  const ROAD_COLOUR = { motorway: "#e07a5f", trunk: "#e07a5f", primary: "#f2cc8f", secondary: "#f2cc8f", tertiary: "#ffffff" };
  fetch("/api/roads/basemap.geojson", { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null)).then((geo) => {
    if (!geo) return;
    L.geoJSON(geo, {
      renderer, interactive: false,
      style: (f) => { const k = (f.properties.highway || "").replace("_link", ""); return { color: ROAD_COLOUR[k] || "#c9d1dc", weight: WEIGHT[k] || 0.8, opacity: 0.95 }; },
    }).addTo(map).bringToBack();
  });

  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => { const d = L.DomUtil.create("div", "legend"); d.innerHTML = Object.entries(HEALTH).map(([k, c]) => `<span class="unit-dot" style="display:inline-block;width:10px;height:10px;background:${c}"></span> ${esc(L10N[k])}`).join("<br>"); return d; };
  legend.addTo(map);

  const cameraLayer = L.layerGroup().addTo(map);
  const hitLayer = L.layerGroup().addTo(map);
  const cameras = new Map();

  function tooltip(c) {
    return `<b>${esc(c.code)}</b> · ${esc(c.name)}<br>${esc(c.kind)} · ${esc(L10N[c.status] || c.status)}${c.open_alerts ? ` · ${c.open_alerts} ${esc(L10N.alerts)}` : ""}<br><small>${esc(L10N.last)}: ${esc(when(c.last_heartbeat_at))}</small>`;
  }
  function drawCamera(c) {
    const colour = HEALTH[c.status] || "#333";
    const marker = L.circleMarker([c.lat, c.lon], { renderer, radius: 7, color: c.open_alerts ? "#6a040f" : "#fff", weight: c.open_alerts ? 3 : 1.5, fillColor: colour, fillOpacity: 1 });
    marker.bindTooltip(tooltip(c));
    marker.feature = { properties: { code: c.code, status: c.status } };
    const parts = [marker];
    if (c.heading != null) {  // which way the camera looks: a short sight line
      const rad = (c.heading * Math.PI) / 180, d = 0.0025;
      parts.push(L.polyline([[c.lat, c.lon], [c.lat + d * Math.cos(rad), c.lon + (d * Math.sin(rad)) / Math.cos((c.lat * Math.PI) / 180)]], { renderer, color: colour, weight: 2, interactive: false }));
    }
    return L.layerGroup(parts);
  }
  function upsertCamera(c) {
    const prev = cameras.get(c.id);
    if (prev) cameraLayer.removeLayer(prev.layer);
    cameras.set(c.id, { data: c, layer: drawCamera(c).addTo(cameraLayer) });
    counts();
  }
  function counts() {
    const all = [...cameras.values()].map((x) => x.data);
    document.getElementById("kpi-total").textContent = all.length;
    for (const s of ["online", "offline", "maintenance"]) document.getElementById(`kpi-${s}`).textContent = all.filter((c) => c.status === s).length;
  }

  function renderAlerts(alerts) {
    const list = document.getElementById("alert-list");
    document.getElementById("alerts-none").hidden = alerts.length > 0;
    list.innerHTML = alerts.map((a) => {
      const c = cameras.get(a.camera_id)?.data;
      const silent = a.details && a.details.silent_s != null ? ` · ${esc(L10N.silent)} ${Math.round(a.details.silent_s / 60)} ${esc(L10N.min)}` : "";
      return `<li data-camera="${a.camera_id}"><span class="health offline"></span><b>${esc(c ? c.code : a.camera_id)}</b> ${esc(c ? c.name : "")}<br><small>${esc(when(a.raised_at))}${silent}</small></li>`;
    }).join("");
    list.querySelectorAll("li").forEach((li) => li.addEventListener("click", () => { const c = cameras.get(Number(li.dataset.camera)); if (c) map.setView([c.data.lat, c.data.lon], 15); }));
  }
  function renderHits(hits) {
    const list = document.getElementById("hit-list");
    document.getElementById("hits-none").hidden = hits.length > 0;
    document.getElementById("kpi-hits").textContent = hits.length;
    hitLayer.clearLayers();
    hits.forEach((h) => L.circleMarker([h.lat, h.lon], { renderer, radius: 12, color: "#7b2cbf", weight: 3, fill: false }).bindTooltip(`${esc(h.listed_plate)} · ${esc(h.list_name)}`).addTo(hitLayer));
    list.innerHTML = hits.map((h) => {
      const c = cameras.get(h.camera_id)?.data;
      return `<li class="hit ${esc(h.status)}" data-id="${h.id}"><span class="plate">${esc(h.listed_plate)}</span> · ${esc(h.list_name)} <span class="status">${esc(h.match_kind)} ${h.score.toFixed(2)}</span><br><small>${esc(c ? c.code : h.camera_id)} · ${esc(when(h.at))} · read “${esc(h.read_text)}”</small>
        <div class="actions"><button data-verdict="confirmed">${esc(L10N.confirm)}</button><button class="secondary" data-verdict="misread">${esc(L10N.misread)}</button></div></li>`;
    }).join("");
    list.querySelectorAll("li").forEach((li) => li.querySelectorAll("button").forEach((b) => b.addEventListener("click", async () => {
      const err = document.getElementById("hit-error"); err.hidden = true;
      try { await api.feedback(li.dataset.id, b.dataset.verdict); await refreshHits(); }
      catch (e) { err.hidden = false; err.textContent = `${e.body?.error || "Error"}: ${e.message}`; }
    })));
  }
  const refreshCameras = async () => { (await api.cameras()).forEach(upsertCamera); renderAlerts(await api.alerts()); };
  const refreshHits = async () => renderHits(await api.hits());

  function connectLive() {
    const state = document.getElementById("live-state");
    const es = new EventSource("/api/live/stream");
    es.onopen = () => { state.textContent = "●"; state.style.color = "#2a9d8f"; };
    es.onerror = () => { state.textContent = "○"; state.style.color = "#c1121f"; };
    ["camera.offline", "camera.online"].forEach((t) => es.addEventListener(t, () => refreshCameras().catch(() => {})));
    ["anpr.hit", "anpr.alert", "anpr.hit_feedback"].forEach((t) => es.addEventListener(t, () => refreshHits().catch(() => {})));
  }

  (async () => {
    await refreshCameras();
    const points = [...cameras.values()].map((c) => [c.data.lat, c.data.lon]);
    if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 15 });
    await refreshHits().catch(() => renderHits([]));
    connectLive();
    root.dataset.ready = "yes";
  })();
})();
