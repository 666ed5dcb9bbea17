// Command-centre page: incidents by priority, units by status moving live (SSE),
// call intake, recommendations, one-click dispatch and the incident life cycle.
// Every user-visible word comes from #cc-text (translated server-side) through
// command-core.js, so this file holds no English of its own.
import { $, ARROW, CORRIDOR, OPEN, PRIO, T, UNIT, act, agencyLabel, api, can, clock, esc, kindLabel, mins, root, showError, statusLabel, urdu } from "./command-core.js";
import { setupCameras } from "./command-cameras.js";

// -- map -------------------------------------------------------------------------------
const bbox = root.dataset.bbox.split(",").map(Number);
const map = L.map("map", { zoomControl: true, attributionControl: true });
map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]]);
map.attributionControl.setPrefix(false).addAttribution('© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors (ODbL)');
map.createPane("roads").style.zIndex = 300;
const roadRenderer = L.canvas({ pane: "roads", padding: 0.3 });
const unitRenderer = L.canvas({ padding: 0.3 });
const WEIGHT = { motorway: 4, trunk: 4, primary: 3.2, secondary: 2.6, tertiary: 2, residential: 0.9, unclassified: 0.9 };
const ROAD = { motorway: "#e07a5f", trunk: "#e07a5f", primary: "#f2cc8f", secondary: "#f6dcae", tertiary: "#ffffff" };
fetch("/api/roads/basemap.geojson", { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null)).then((geo) => {
  if (!geo) return;
  L.geoJSON(geo, {
    renderer: roadRenderer, interactive: false,
    style: (f) => { const k = (f.properties.highway || "").replace("_link", ""); return { color: ROAD[k] || "#c9d1dc", weight: WEIGHT[k] || 0.8, opacity: 0.95 }; },
  }).addTo(map);
  root.dataset.basemap = String(geo.features.length);
}).catch(() => {});
const legend = L.control({ position: "bottomleft" });
legend.onAdd = () => {
  const div = L.DomUtil.create("div", "legend");
  div.innerHTML = `<b>${esc(T.priority)}</b> ${Object.entries(PRIO).map(([p, c]) => `<i class="inc-pin" style="background:${c}"></i>${p}`).join(" ")}<br>
    <b>${esc(T.unit_status)}</b> ${Object.entries(UNIT).slice(0, 5).map(([s, c]) => `<i class="dot" style="background:${c}"></i>${esc(statusLabel(s))}`).join(" ")}<br>
    <i class="corridor-key" style="border-color:${CORRIDOR}"></i>${esc(T.corridor)}`;
  return div;
};
legend.addTo(map);
const cams = setupCameras(map, unitRenderer); // cameras by health and open ANPR hits (command-cameras.js)

// -- emergency corridors: the junctions traffic police hold open for a unit on its way -----
// Open requests come from /api/corridors (dispatchers and traffic officers; others see none);
// a request closes when its unit arrives or is released, which the stream tells as a unit status.
const corridors = new Map(); // id -> layer group
let corridorsAllowed = true;
function corridorTip(c, j) {
  const who = units.get(c.unit_id)?.data.call_sign || `#${c.unit_id}`;
  const streets = j.streets && j.streets.length ? ` · ${j.streets.map(esc).join(" / ")}` : "";
  return `${esc(T.corridor)}: ${esc(who)}${streets} · ${esc(T.eta)} ${mins(j.eta_s)}`;
}
function drawCorridor(c) {
  if (corridors.has(c.id) || !c.junctions?.length) return;
  const group = L.featureGroup();
  const points = c.junctions.map((j) => [j.lat, j.lon]);
  if (points.length > 1) L.polyline(points, { renderer: unitRenderer, color: CORRIDOR, weight: 3, opacity: 0.8, dashArray: "6 4", interactive: false }).addTo(group);
  for (const j of c.junctions) {
    L.circleMarker([j.lat, j.lon], { renderer: unitRenderer, radius: 4, color: "#fff", weight: 1.5, fillColor: CORRIDOR, fillOpacity: 1 })
      .bindTooltip(corridorTip(c, j)).addTo(group);
  }
  corridors.set(c.id, group.addTo(map));
  group.eachLayer((l) => l.bringToBack()); // one canvas with the units (so both keep tooltips), drawn beneath them
}
function showCorridors(open) {
  const ids = new Set(open.map((c) => c.id));
  for (const [id, group] of corridors) if (!ids.has(id)) { map.removeLayer(group); corridors.delete(id); }
  open.forEach(drawCorridor);
  root.dataset.corridors = String(corridors.size);
}
async function loadCorridors() {
  if (!corridorsAllowed) return;
  try { showCorridors(await api.corridors()); } catch (err) { if (err.status === 403) corridorsAllowed = false; }
}
let corridorTimer = null;
const loadCorridorsSoon = () => { clearTimeout(corridorTimer); corridorTimer = setTimeout(loadCorridors, 300); };

// -- state: incidents, units, types ------------------------------------------------------
const incidents = new Map();
const units = new Map();
const types = new Map();
const notMine = new Set();
const links = L.layerGroup().addTo(map);
let selected = null;
let detail = null; // { inc, assignments, recs }
let historyOpen = false; // survives the re-renders that live updates cause
const typeName = (code) => { const t = types.get(code); return t ? (urdu && t.name_ur) || t.name : code; };

function unitTip(u) { return `${esc(u.call_sign)} · ${esc(agencyLabel(u.agency))} · ${esc(statusLabel(u.status))}`; }
function upsertUnit(u) {
  const prev = units.get(u.id);
  if (prev) {
    Object.assign(prev.data, Object.fromEntries(Object.entries(u).filter(([, v]) => v != null)));
    const d = prev.data;
    if (d.lon != null && d.lat != null) {
      if (prev.marker) prev.marker.setLatLng([d.lat, d.lon]);
      else prev.marker = unitMarker(d);
      prev.marker.setStyle({ fillColor: UNIT[d.status] || "#333" }).setTooltipContent(unitTip(d));
    }
    return;
  }
  units.set(u.id, { data: { ...u }, marker: u.lon != null && u.lat != null ? unitMarker(u) : null });
}
function unitMarker(u) {
  return L.circleMarker([u.lat, u.lon], { renderer: unitRenderer, radius: 6, color: "#fff", weight: 2, fillColor: UNIT[u.status] || "#333", fillOpacity: 1 })
    .bindTooltip(unitTip(u)).addTo(map);
}
async function unitFromLive(p) {
  if (units.has(p.unit_id)) { upsertUnit({ id: p.unit_id, lon: p.lon, lat: p.lat, status: p.status, speed_kph: p.speed_kph }); return true; }
  if (notMine.has(p.unit_id)) return false;
  try { upsertUnit(await api.unit(p.unit_id)); return true; } catch (_) { notMine.add(p.unit_id); return false; }
}

function incidentIcon(i) {
  return L.divIcon({ className: "", html: `<span class="inc-pin ${esc(i.priority)}${i.id === selected ? " sel" : ""}" data-id="${i.id}"></span>`, iconSize: [20, 20], iconAnchor: [10, 10] });
}
function upsertIncident(i) {
  const prev = incidents.get(i.id);
  if (!OPEN.includes(i.status)) {
    if (prev) { map.removeLayer(prev.marker); incidents.delete(i.id); }
  } else if (prev) {
    prev.data = i;
    prev.marker.setLatLng([i.lat, i.lon]).setIcon(incidentIcon(i)).setTooltipContent(incidentTip(i));
  } else {
    const marker = L.marker([i.lat, i.lon], { icon: incidentIcon(i), keyboard: true, title: i.reference, bubblingMouseEvents: false })
      .bindTooltip(incidentTip(i)).on("click", () => select(i.id)).addTo(map);
    incidents.set(i.id, { data: i, marker });
  }
  renderList();
}
const incidentTip = (i) => `${esc(i.priority)} ${esc(i.reference)} · ${esc(typeName(i.type))} · ${esc(statusLabel(i.status))}`;

function renderList() {
  const rows = [...incidents.values()].map((x) => x.data)
    .sort((a, b) => a.priority.localeCompare(b.priority) || String(a.call_received_at).localeCompare(String(b.call_received_at)));
  const list = $("#incident-list");
  list.innerHTML = rows.map((i) => `<li data-id="${i.id}" class="${i.id === selected ? "sel" : ""}" tabindex="0">
    <span class="prio ${esc(i.priority)}">${esc(i.priority)}</span> <b>${esc(i.reference)}</b> ${esc(typeName(i.type))}
    <span class="status s-${esc(i.status)}">${esc(statusLabel(i.status))}</span> <small class="muted">${clock(i.call_received_at)}</small>
    ${i.description ? `<br><small dir="auto">${esc(i.description.slice(0, 90))}</small>` : ""}</li>`).join("");
  list.querySelectorAll("li").forEach((li) => {
    const go = () => select(Number(li.dataset.id));
    li.addEventListener("click", go);
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") go(); });
  });
  $("#incident-none").hidden = rows.length > 0;
  $("#kpi-open").textContent = rows.length;
  $("#kpi-p1").textContent = rows.filter((r) => r.priority === "P1").length;
  $("#kpi-available").textContent = [...units.values()].filter((u) => u.data.status === "available").length;
}

// -- the selected incident -----------------------------------------------------------------
async function select(id) {
  const changed = selected !== id;
  const old = selected;
  selected = id;
  if (changed) detail = null;
  [old, id].forEach((x) => { const e = incidents.get(x); if (e) e.marker.setIcon(incidentIcon(e.data)); });
  await loadDetail();
  if (changed && detail) focus(detail.assignments.filter((a) => a.released_at == null).map((a) => a.unit_id));
}
// Zoom to the selected incident and the units that matter to it (assigned or proposed).
function focus(unitIds) {
  const points = [[detail.inc.lat, detail.inc.lon]];
  for (const id of unitIds) { const u = units.get(id)?.data; if (u && u.lat != null) points.push([u.lat, u.lon]); }
  map.fitBounds(L.latLngBounds(points).pad(0.35), { maxZoom: 16 });
}
async function loadDetail() {
  if (selected == null) return;
  const id = selected;
  const [inc, assignments] = await Promise.all([api.incident(id), api.assignments(id)]);
  if (selected !== id) return;
  detail = { recs: detail?.recs ?? null, inc, assignments };
  if (!OPEN.includes(inc.status)) detail.recs = null;
  upsertIncident(inc);
  renderDetail();
}
let reloadTimer = null;
const reloadDetailSoon = () => { clearTimeout(reloadTimer); reloadTimer = setTimeout(() => loadDetail().catch(() => {}), 150); };

function renderDetail() {
  const box = $("#incident-detail");
  const { inc, assignments, recs } = detail;
  const open = OPEN.includes(inc.status);
  const active = assignments.filter((a) => a.released_at == null);
  const rows = assignments.map((a) => {
    const u = units.get(a.unit_id)?.data || { call_sign: `#${a.unit_id}`, status: "" };
    const next = a.released_at == null && can.report ? { dispatched: ["en_route", "on_scene"], en_route: ["on_scene"] }[u.status] || [] : [];
    return `<tr data-unit="${a.unit_id}"><td><b>${esc(u.call_sign)}</b><br><small>${esc(agencyLabel(a.agency))}</small></td>
      <td><span class="status s-${esc(u.status)}">${esc(statusLabel(u.status))}</span></td>
      <td><small>${esc(T.eta)} ${mins(a.eta_s)}</small></td>
      <td>${next.map((s) => `<button type="button" class="small" data-unit="${a.unit_id}" data-to="${s}">${ARROW} ${esc(T["to_" + s])}</button>`).join(" ")}</td></tr>`;
  }).join("");
  const buttons = [];
  if (can.dispatch && open) buttons.push(`<button type="button" id="btn-recommend">${esc(T.recommend)}</button>`);
  if (can.dispatch && ["dispatched", "en_route", "on_scene"].includes(inc.status)) buttons.push(`<button type="button" class="secondary" data-incident-to="cleared">${esc(T.clear)}</button>`);
  if (can.dispatch && ["on_scene", "cleared"].includes(inc.status)) buttons.push(`<button type="button" class="secondary" data-incident-to="closed">${esc(T.close)}</button>`);
  if (can.dispatch && ["new", "dispatched", "en_route"].includes(inc.status)) buttons.push(`<button type="button" class="ghost" data-incident-to="cancelled">${esc(T.cancel)}</button>`);
  const rt = inc.response_times;
  const late = rt.call_to_scene_s != null && rt.call_to_scene_s > 420;
  box.hidden = false;
  box.innerHTML = `<h2><span class="prio ${esc(inc.priority)}">${esc(inc.priority)}</span> ${esc(inc.reference)} · ${esc(typeName(inc.type))}</h2>
    <p class="meta"><span class="status s-${esc(inc.status)}" id="detail-status" data-status="${esc(inc.status)}">${esc(statusLabel(inc.status))}</span>
      ${esc(T.received)} ${clock(inc.call_received_at)} · <span dir="ltr">${inc.lat.toFixed(5)}, ${inc.lon.toFixed(5)}</span></p>
    ${inc.description ? `<p dir="auto">${esc(inc.description)}</p>` : ""}
    ${inc.calls.length ? `<p class="calls" id="detail-calls"><small class="muted">${esc(T.calls)} (${inc.calls.length}): ${inc.calls.map(esc).join(", ")}</small></p>` : ""}
    <p class="times">${esc(T.call)} ${ARROW} ${esc(T.dispatched_at)}: <b>${mins(rt.call_to_dispatch_s)}</b> · ${esc(T.call)} ${ARROW} ${esc(T.on_scene_at)}:
      <b class="${late ? "over" : ""}">${mins(rt.call_to_scene_s)}</b> <small class="muted">(${esc(T.target)} 7 ${esc(T.min)})</small></p>
    <h3>${esc(T.assigned)}</h3>
    ${rows ? `<table class="assigned" id="assigned"><tbody>${rows}</tbody></table>` : `<p class="hint">${esc(T.no_units)}</p>`}
    ${open || inc.status === "cleared" ? "" : `<p class="hint">${esc(T.closed_note)}</p>`}
    <div class="actions">${buttons.join("")}</div>
    <div id="recs">${recs ? recsHtml(recs) : ""}</div>
    <details class="history"${historyOpen ? " open" : ""}><summary>${esc(T.history)} (${inc.history.length})</summary><ol id="history">${inc.history.map((h) =>
      `<li><span class="muted">${clock(h.at)}</span> ${esc(statusLabel(h.to_status))} <small class="muted">${esc(h.actor)}</small></li>`).join("")}</ol></details>`;
  $("#btn-recommend", box)?.addEventListener("click", (e) => act(e.currentTarget, () => recommend(inc.id)));
  box.querySelectorAll("button[data-to]").forEach((b) => b.addEventListener("click", () => act(b, async () => {
    const u = await api.unitStatus(Number(b.dataset.unit), b.dataset.to);
    upsertUnit(u);
    await loadDetail();
  })));
  box.querySelectorAll("button[data-incident-to]").forEach((b) => b.addEventListener("click", () => act(b, async () => {
    const to = b.dataset.incidentTo;
    await api.incidentStatus(inc.id, to, to === "cleared" ? { release_units: true } : {});
    await Promise.all([loadDetail(), reloadUnits()]);
    loadKpis();
  })));
  $("details.history", box).addEventListener("toggle", (e) => { historyOpen = e.currentTarget.open; });
  if (recs) wireRecs(inc.id);
  drawLinks(inc, active);
}
// Dashed lines from the incident to its units (coloured by status) and to proposed ones (grey).
function drawLinks(inc, active) {
  links.clearLayers();
  const line = (u, colour, weight) => L.polyline([[u.lat, u.lon], [inc.lat, inc.lon]], { color: colour, weight, dashArray: "4 5", interactive: false }).addTo(links);
  for (const a of active) {
    const u = units.get(a.unit_id)?.data;
    if (u && u.lat != null) line(u, UNIT[u.status] || "#333", 2.5);
  }
  for (const id of detail?.recs?.unit_ids || []) { const u = units.get(id)?.data; if (u && u.lat != null) line(u, "#44546a", 1.5); }
}

// -- recommendations and dispatch -----------------------------------------------------------
async function recommend(id) {
  const recs = await api.recommend(id);
  if (selected !== id || !detail) return;
  detail.recs = recs;
  renderDetail();
  focus(recs.unit_ids.concat(detail.assignments.filter((a) => a.released_at == null).map((a) => a.unit_id)));
  $("#recs").scrollIntoView({ block: "nearest" });
}
function recsHtml(res) {
  const groups = res.items.map((f) => {
    const head = `<tr class="group"><th colspan="5">${esc(agencyLabel(f.item.agency))} — ${f.item.unit_kinds.map((k) => esc(kindLabel(k))).join(" / ")} × ${f.item.count}
      ${f.item.skills.length ? `<small>(${esc(T.skills)}: ${f.item.skills.map(esc).join(", ")})</small>` : ""}
      ${f.already_assigned.length ? `<small class="muted">${esc(T.already)}: ${f.already_assigned.length}</small>` : ""}
      ${f.shortfall > 0 ? `<span class="short">${esc(T.short)}: ${f.shortfall}</span>` : ""}</th></tr>`;
    const rows = f.units.map((r) => `<tr class="rec" data-unit="${r.unit_id}" title="${esc(r.reason)}">
      <td><input type="checkbox" name="unit" value="${r.unit_id}" checked aria-label="${esc(r.call_sign)}"></td>
      <td><b>${esc(r.call_sign)}</b><br><small>${esc(kindLabel(r.kind))}</small></td>
      <td class="eta">${(r.eta_s / 60).toFixed(1)} ${esc(T.min)}</td><td class="dist">${(r.distance_m / 1000).toFixed(1)} ${esc(T.km)}</td>
      <td><small>${r.skills.length ? r.skills.map(esc).join(", ") : esc(T.none_skills)}</small></td></tr>
      <tr class="why"><td></td><td colspan="4"><small>${esc(r.reason)}</small></td></tr>`).join("");
    return head + rows;
  }).join("");
  const any = res.items.some((f) => f.units.length);
  return `<p class="hint eta-method" data-method="${esc(res.eta_method)}">${esc(res.eta_method === "road" ? T.road : T.straight)}</p>
    <table class="recs"><thead><tr><th></th><th>${esc(T.unit)}</th><th>${esc(T.eta)}</th><th>${esc(T.km)}</th><th>${esc(T.skills)}</th></tr></thead><tbody>${groups}</tbody></table>
    ${any ? `<div class="actions"><button type="button" id="btn-dispatch">${esc(T.dispatch)} (<span id="n-selected">${res.unit_ids.length}</span>)</button></div>` : `<p class="hint">${esc(T.none)}</p>`}`;
}
function wireRecs(id) {
  const box = $("#recs");
  const picked = () => [...box.querySelectorAll("input[name=unit]:checked")].map((c) => Number(c.value));
  box.querySelectorAll("input[name=unit]").forEach((c) => c.addEventListener("change", () => {
    $("#n-selected").textContent = picked().length;
    $("#btn-dispatch").disabled = picked().length === 0;
  }));
  $("#btn-dispatch", box)?.addEventListener("click", (e) => act(e.currentTarget, async () => {
    await api.dispatch(id, picked());
    detail.recs = null;
    await Promise.all([loadDetail(), reloadUnits()]);
    loadKpis();
  }));
}

// -- call intake ----------------------------------------------------------------------------
let pin = null;
const locationHint = $("#call-location")?.textContent;
function setPin(lat, lon) {
  const icon = L.divIcon({ className: "", html: '<span class="call-pin"></span>', iconSize: [24, 24], iconAnchor: [12, 12] });
  if (pin) pin.setLatLng([lat, lon]); else pin = L.marker([lat, lon], { icon, interactive: false }).addTo(map);
  $("#call-location").textContent = `${T.location_set}: ${lat.toFixed(5)}, ${lon.toFixed(5)}`;
}
function resetIntake(form) {
  form.reset();
  $("#call-location").textContent = locationHint;
  if (pin) { map.removeLayer(pin); pin = null; }
  const dups = $("#call-duplicates"); dups.hidden = true; dups.innerHTML = "";
  $("#intake").open = false; // the dispatcher's attention moves to the incident; one click reopens it
}
function setupIntake() {
  const form = $("#call-form");
  const intake = $("#intake");
  map.on("click", (e) => { if (!intake.open) return; form.lat.value = e.latlng.lat.toFixed(6); form.lon.value = e.latlng.lng.toFixed(6); setPin(e.latlng.lat, e.latlng.lng); });
  const typed = () => { const lat = parseFloat(form.lat.value), lon = parseFloat(form.lon.value); if (Number.isFinite(lat) && Number.isFinite(lon)) setPin(lat, lon); };
  form.lat.addEventListener("change", typed); form.lon.addEventListener("change", typed);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    act($("#call-submit"), async () => {
      const lat = parseFloat(form.lat.value), lon = parseFloat(form.lon.value);
      const body = { type: form.type.value, caller_number: form.caller_number.value.trim() || "withheld", language: form.language.value,
        description: form.description.value, suspicious: form.suspicious.checked };
      if (Number.isFinite(lat) && Number.isFinite(lon)) body.location = { lon, lat };
      if (form.landmark.value.trim()) body.landmark = form.landmark.value.trim();
      const res = await api.takeCall(body);
      if (res.incident) { resetIntake(form); upsertIncident(res.incident); await select(res.incident.id); return; }
      offerDuplicates(form, res);
    });
  });
}
function offerDuplicates(form, res) {
  const box = $("#call-duplicates");
  box.hidden = false;
  box.innerHTML = `<p><b>${esc(T.dups_title)}</b> <small class="muted">${esc(res.call.reference)}</small></p>${res.possible_duplicates.map((d) => `<div class="dup">
    ${esc(T.dup)} <span class="prio ${esc(d.incident.priority)}">${esc(d.incident.priority)}</span> <b>${esc(d.incident.reference)}</b>
    ${esc(statusLabel(d.incident.status))}, ${Math.round(d.distance_m)} m
    <button type="button" class="small" data-link="${d.incident.id}">${esc(T.link)}</button></div>`).join("")}
    <button type="button" class="ghost small" id="btn-open-new">${esc(T.open_new)}</button>`;
  box.querySelectorAll("button[data-link]").forEach((b) => b.addEventListener("click", () => act(b, async () => {
    const target = Number(b.dataset.link);
    await api.linkCall(res.call.id, target);
    resetIntake(form);
    await select(target);
  })));
  $("#btn-open-new").addEventListener("click", (e) => act(e.currentTarget, async () => {
    const inc = await api.openForCall(res.call.id);
    resetIntake(form); upsertIncident(inc); await select(inc.id);
  }));
}

// -- KPIs -------------------------------------------------------------------------------------
async function loadKpis() {
  const rows = await api.responseTimes().catch(() => null);
  if (!rows || !rows.length) return;
  $("#kpi-agencies tbody").innerHTML = rows.map((a) => {
    const cls = a.meets_target == null ? "" : a.meets_target ? "ok" : "over";
    return `<tr data-agency="${esc(a.agency)}"><th>${esc(agencyLabel(a.agency))}</th><td>${mins(a.median_call_to_dispatch_s)}</td>
      <td class="${cls}">${mins(a.median_call_to_scene_s)}</td><td>${a.incidents}</td></tr>`;
  }).join("");
}
let kpiTimer = null;
const loadKpisSoon = () => { clearTimeout(kpiTimer); kpiTimer = setTimeout(loadKpis, 1000); };
async function reloadUnits() { (await api.units()).forEach(upsertUnit); renderList(); }

// Start on where the work is (this user's units and incidents), not the whole road graph.
function fitToWork() {
  const points = [...units.values()].filter((u) => u.marker).map((u) => u.marker.getLatLng())
    .concat([...incidents.values()].map((i) => i.marker.getLatLng()));
  if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 15 });
}

// -- live -------------------------------------------------------------------------------------
function connectLive() {
  const state = $("#live-state");
  const es = new EventSource("/api/live/stream");
  const seen = (e) => { root.dataset.liveEvents = String(Number(root.dataset.liveEvents || 0) + 1); return JSON.parse(e.data); };
  es.onopen = () => { state.textContent = "●"; state.dataset.state = "open"; state.title = T.live_on; };
  es.onerror = () => { state.textContent = "○"; state.dataset.state = "retrying"; state.title = T.live_off; };
  const touchesDetail = (unitId) => detail && detail.assignments.some((a) => a.unit_id === unitId);
  es.addEventListener("unit.position", async (e) => {
    const p = seen(e);
    if ((await unitFromLive(p)) && touchesDetail(p.unit_id)) drawLinks(detail.inc, detail.assignments.filter((a) => a.released_at == null));
  });
  es.addEventListener("unit.status_changed", async (e) => {
    const p = seen(e);
    if (await unitFromLive({ unit_id: p.unit_id, status: p.status })) { renderList(); if (touchesDetail(p.unit_id)) reloadDetailSoon(); }
  });
  const incidentChanged = (e) => {
    const p = seen(e);
    if (p.incident_id == null) return;
    if (p.incident_id === selected) reloadDetailSoon();
    else api.incident(p.incident_id).then(upsertIncident).catch(() => {});
    loadKpisSoon();
  };
  ["incident.created", "incident.status_changed", "unit.dispatched"].forEach((t) => es.addEventListener(t, incidentChanged));
  // The list, not the event, is drawn: it holds only the open requests of this user's districts.
  es.addEventListener("corridor.requested", (e) => { seen(e); loadCorridorsSoon(); });
  ["unit.status_changed", "incident.status_changed"].forEach((t) => es.addEventListener(t, loadCorridorsSoon));
  cams.listen(es, seen);
  return es;
}

(async () => {
  try {
    const [incs, us, ts] = await Promise.all([api.incidents(), api.units(), api.types()]);
    ts.forEach((t) => types.set(t.code, t));
    us.forEach(upsertUnit);
    incs.forEach(upsertIncident);
    renderList();
    fitToWork();
    const sel = $("#call-type");
    const byName = [...ts].sort((a, b) => typeName(a.code).localeCompare(typeName(b.code), root.dataset.lang));
    if (sel) sel.innerHTML = `<option value="">${esc(T.choose)}</option>` + byName.map((t) => `<option value="${esc(t.code)}">${esc(typeName(t.code))} (${esc(t.priority)})</option>`).join("");
    if (can.intake) setupIntake();
  } catch (err) { showError(err); }
  loadKpis();
  loadCorridors();
  cams.load();
  const live = connectLive();
  map.invalidateSize();
  window.safecity = { map, units, incidents, corridors, cams, live, select };
  root.dataset.ready = "yes";
})();
