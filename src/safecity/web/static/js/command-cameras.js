// Cameras and ANPR watchlist hits on the command map (issue #6). Every camera of the user's
// jurisdiction is a small dot coloured by health; every open hit is a plate-shaped alert at its
// camera and a row beside the incidents, which an officer confirms or marks a misread through
// the API (whose role checks and error messages stand). A role the API refuses (403) gets
// neither layer, silently. Words come from #cc-text (T), like the rest of the page.
import { $, T, act, api, esc, root } from "./command-core.js";

// Not one of the unit colours (command-core UNIT), so a camera is never taken for a unit.
export const HEALTH = { online: "#1b263b", offline: "#d00000", maintenance: "#adb5bd", never: "#ffffff" };
const LIMIT = 100; // open hits fetched; the newest first
const DIR = document.documentElement.dir || "ltr";
// A camera that says it is online but was never heard from has not proved it.
const health = (c) => (c.status === "online" && !c.last_heartbeat_at ? "never" : c.status);
const healthLabel = (h) => T.cam_status[h] || h;
// Heartbeats can be days old: the date too, unless it is today (Pakistan time, the house rule).
function when(iso) {
  if (!iso) return esc(T.never);
  const d = new Date(iso), zone = { timeZone: "Asia/Karachi" };
  const today = d.toLocaleDateString("en-GB", zone) === new Date().toLocaleDateString("en-GB", zone);
  const time = d.toLocaleTimeString("en-GB", { ...zone, hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return `<bdi dir="ltr">${today ? time : `${d.toLocaleDateString("en-GB", { ...zone, day: "2-digit", month: "2-digit" })} ${time}`}</bdi>`;
}

export function setupCameras(map, renderer) {
  const cameras = new Map(); // id -> { data, layer }
  const hits = new Map(); // id -> hit
  const cameraLayer = L.featureGroup();
  const hitLayer = L.layerGroup();
  const pins = new Map(); // camera id -> marker of its open hits
  const allowed = { cameras: true, hits: true };
  let selected = null; // the hit whose row was last picked
  let controls = false;
  cameraLayer.on("add", () => cameraLayer.bringToBack()); // switched back on: beneath the units again

  // -- the camera layer ------------------------------------------------------------------
  function cameraTip(c) {
    const h = health(c);
    const zone = c.zone ? `<br>${esc(T.zone)}: <bdi>${esc(c.zone)}</bdi>` : "";
    const alerts = c.open_alerts ? `<br>${esc(T.open_alerts)}: ${c.open_alerts}` : "";
    return `<div dir="${DIR}"><b dir="ltr">${esc(c.code)}</b> · <bdi>${esc(c.name)}</bdi>
      <br>${esc(T.cam_kind[c.kind] || c.kind)} · <span class="cam-h ${h}">${esc(healthLabel(h))}</span>${zone}${alerts}
      <br><small>${esc(T.last_heartbeat)}: ${when(c.last_heartbeat_at)}</small></div>`;
  }
  function drawCamera(c) {
    const h = health(c), off = h === "offline";
    const group = L.featureGroup();
    if (off) L.circleMarker([c.lat, c.lon], { renderer, radius: 11, color: HEALTH.offline, weight: 2, opacity: 0.55, fill: false, interactive: false }).addTo(group);
    L.circleMarker([c.lat, c.lon], {
      renderer, radius: off ? 6 : 5, color: off ? "#6a040f" : h === "online" ? "#fff" : "#1b263b", weight: off ? 2.5 : 1.5,
      dashArray: h === "never" ? "2 2" : null, fillColor: HEALTH[h] || "#333", fillOpacity: 1,
    }).bindTooltip(cameraTip(c)).addTo(group);
    return group;
  }
  function showCameras(list) {
    const ids = new Set(list.map((c) => c.id));
    for (const [id, x] of cameras) if (!ids.has(id)) { cameraLayer.removeLayer(x.layer); cameras.delete(id); }
    for (const c of list) {
      const prev = cameras.get(c.id);
      if (prev) cameraLayer.removeLayer(prev.layer);
      cameras.set(c.id, { data: c, layer: drawCamera(c).addTo(cameraLayer) });
    }
    cameraLayer.bringToBack(); // beneath the units on their shared canvas, which keeps both tooltips
    root.dataset.cameras = String(cameras.size);
    root.dataset.camerasOffline = String(list.filter((c) => c.status === "offline").length);
  }
  async function loadCameras() {
    if (!allowed.cameras) return;
    try { showCameras(await api.cameras()); } catch (err) { if (err.status === 403) allowed.cameras = false; }
  }

  // -- open hits: pins on the map and rows in the side panel ---------------------------------
  const cameraCode = (h) => cameras.get(h.camera_id)?.data.code || `#${h.camera_id}`;
  const newest = () => [...hits.values()].sort((a, b) => String(b.at).localeCompare(String(a.at)) || b.id - a.id);
  function hitLine(h) {
    return `<span class="plate" dir="ltr">${esc(h.listed_plate)}</span> · ${esc(h.list_name)} · ${esc(T.score)} <bdi>${h.score.toFixed(2)}</bdi> · ${when(h.at)}`;
  }
  function drawPins(rows) {
    hitLayer.clearLayers();
    pins.clear();
    const byCamera = new Map();
    for (const h of rows) byCamera.set(h.camera_id, [...(byCamera.get(h.camera_id) || []), h]);
    for (const [cameraId, group] of byCamera) {
      const top = group[0], sel = group.some((h) => h.id === selected);
      const html = `<span class="anpr-pin${sel ? " sel" : ""}" data-camera="${cameraId}"><b>${esc(top.listed_plate)}</b>${group.length > 1 ? `<i>+${group.length - 1}</i>` : ""}</span>`;
      const tip = `<div dir="${DIR}"><b>${esc(group.length > 1 ? T.plate_alerts : T.plate_alert)}</b> · ${esc(T.camera)} <bdi>${esc(cameraCode(top))}</bdi><br>${group.slice(0, 5).map(hitLine).join("<br>")}${group.length > 5 ? "<br>…" : ""}</div>`;
      const marker = L.marker([top.lat, top.lon], { icon: L.divIcon({ className: "anpr-icon", html, iconSize: null }), zIndexOffset: 1000, title: top.listed_plate, bubblingMouseEvents: false })
        .bindTooltip(tip, { direction: "top", offset: [0, -26] })
        .on("click", () => pick(top.id, false)).addTo(hitLayer);
      pins.set(cameraId, marker);
    }
  }
  function hitRow(h) {
    const misread = h.read_text !== h.listed_plate ? ` · ${esc(T.read_as)} <bdi class="plate" dir="ltr">${esc(h.read_text)}</bdi>` : "";
    return `<li data-id="${h.id}" class="anpr${h.id === selected ? " sel" : ""}" tabindex="0">
      <span class="plate" dir="ltr">${esc(h.listed_plate)}</span> <span class="status list">${esc(h.list_name)}</span>
      <span class="score">${esc(T.score)} <bdi>${h.score.toFixed(2)}</bdi></span> <small class="muted">${when(h.at)}</small>
      <br><small>${esc(T.camera)} <bdi>${esc(cameraCode(h))}</bdi> · ${esc(T.match[h.match_kind] || h.match_kind)}${misread}</small>
      ${h.reason ? `<br><small class="reason">${esc(T.reason)}: <bdi>${esc(h.reason)}</bdi></small>` : ""}
      <div class="actions"><button type="button" class="small" data-verdict="confirmed">${esc(T.confirm)}</button>
        <button type="button" class="small secondary" data-verdict="misread">${esc(T.misread)}</button></div></li>`;
  }
  function renderHits() {
    const rows = newest();
    const list = $("#anpr-list");
    $("#anpr-card").hidden = false;
    const count = $("#anpr-count");
    count.textContent = rows.length >= LIMIT ? `${LIMIT}+` : String(rows.length);
    count.classList.toggle("zero", rows.length === 0);
    $("#anpr-none").hidden = rows.length > 0;
    list.innerHTML = rows.map(hitRow).join("");
    list.querySelectorAll("li").forEach((li) => {
      const id = Number(li.dataset.id);
      li.addEventListener("click", (e) => { if (!e.target.closest("button")) pick(id, true); });
      li.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.target === li) pick(id, true); });
      li.querySelectorAll("button[data-verdict]").forEach((b) => b.addEventListener("click", () => act(b, async () => {
        await api.hitFeedback(id, b.dataset.verdict);
        hits.delete(id); // the verdict is kept; the alert has been dealt with
        showHits();
      })));
    });
    root.dataset.anprHits = String(rows.length);
  }
  function showHits() { const rows = newest(); drawPins(rows); renderHits(); }
  // From the list: pan to the camera and show the alert; from the map: find its row.
  function pick(id, pan) {
    const h = hits.get(id);
    if (!h) return;
    selected = id;
    showHits();
    if (pan) {
      if (!map.hasLayer(hitLayer)) hitLayer.addTo(map);
      map.setView([h.lat, h.lon], Math.max(map.getZoom(), 16));
      pins.get(h.camera_id)?.openTooltip();
    } else {
      $(`#anpr-list li[data-id="${id}"]`)?.scrollIntoView({ block: "nearest" });
    }
  }
  async function loadHits() {
    if (!allowed.hits) return;
    try {
      const open = await api.plateHits(LIMIT);
      hits.clear();
      open.forEach((h) => hits.set(h.id, h));
      showHits();
    } catch (err) { if (err.status === 403) { allowed.hits = false; $("#anpr-card").hidden = true; } }
  }

  // -- the switches and the key: only for what this user may see -----------------------------------
  function addControls() {
    if (controls) return;
    controls = true;
    const overlays = {};
    const label = (text) => `<span dir="${DIR}">${esc(text)}</span>`;
    if (allowed.cameras) overlays[label(T.cameras)] = cameraLayer.addTo(map);
    if (allowed.hits) overlays[label(T.plate_alerts)] = hitLayer.addTo(map);
    if (!Object.keys(overlays).length) return;
    L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map).getContainer().dir = DIR;
    const key = L.control({ position: "bottomleft" });
    key.onAdd = () => {
      const div = L.DomUtil.create("div", "cam-legend"); // not .legend: that is the incidents' and units' key
      div.dir = DIR;
      const cams = allowed.cameras ? `<b>${esc(T.cameras)}</b> ${Object.entries(HEALTH).map(([h, c]) =>
        `<i class="dot cam ${h}" style="background:${c}"></i>${esc(healthLabel(h))}`).join(" ")}` : "";
      const pin = allowed.hits ? `<span class="anpr-key" dir="ltr">ABC-123</span> ${esc(T.plate_alert)}` : "";
      div.innerHTML = [cams, pin].filter(Boolean).join("<br>");
      return div;
    };
    key.addTo(map);
  }

  async function load() {
    await Promise.all([loadCameras(), loadHits()]);
    if (hits.size) showHits(); // again, now that the camera codes are known
    addControls();
  }
  let cameraTimer = null, hitTimer = null;
  const loadCamerasSoon = () => { clearTimeout(cameraTimer); cameraTimer = setTimeout(loadCameras, 300); };
  const loadHitsSoon = () => { clearTimeout(hitTimer); hitTimer = setTimeout(loadHits, 300); };
  // The lists, not the events, are drawn: they hold only what this user's districts may see.
  function listen(es, seen) {
    ["camera.offline", "camera.online"].forEach((t) => es.addEventListener(t, (e) => { seen(e); loadCamerasSoon(); }));
    ["anpr.hit", "anpr.alert", "anpr.hit_feedback"].forEach((t) => es.addEventListener(t, (e) => { seen(e); loadHitsSoon(); }));
  }
  return { cameras, hits, cameraLayer, hitLayer, load, listen, pick };
}
