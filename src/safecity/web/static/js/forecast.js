// Forecast page: next week's top cells on the map, the model's measured hit rate
// printed beside them, and a patrol plan for the Dolphin beats.
"use strict";
(() => {
  const root = document.querySelector(".fc");
  const T = JSON.parse(document.getElementById("fc-text").textContent);
  const $ = (sel) => document.querySelector(sel);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const pct = (v) => (v == null ? T.not_measured : `${(100 * v).toFixed(1)}%`);
  const [lon0, lat0, lon1, lat1] = root.dataset.bbox.split(",").map(Number);
  const map = L.map("map", { preferCanvas: true });
  map.fitBounds([[lat0, lon0], [lat1, lon1]]);
  fetch("/api/roads/basemap.geojson", { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null)).then((geo) => {
    if (geo) L.geoJSON(geo, { style: { color: "#9aa5b1", weight: 1 }, interactive: false }).addTo(map);
  });
  const layer = L.geoJSON(null, {
    style: (f) => ({ color: "#9d0208", weight: 1, fillColor: f.properties.rank <= 10 ? "#d00000" : "#f77f00", fillOpacity: 0.55 }),
    onEachFeature: (f, l) => l.bindTooltip(`#${f.properties.rank} · ${f.properties.expected_events.toFixed(2)} ${T.events}`),
  }).addTo(map);

  async function call(url, opts) {
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, ...opts });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error((body && (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail))) || res.statusText);
    return body;
  }

  function showHonesty(meta) {
    const b = meta.backtest;
    $("#fc-hit").textContent = `${pct(b.hit_rate)} (${T.baseline} ${pct(b.baseline_hit_rate)})`;
    $("#fc-note").textContent = `${b.note} ${T.week} ${meta.week_start} – ${meta.week_end}: ${meta.cells} ${T.cells} ${T.of} ${meta.study_cells}.`;
    $("#fc-reference").textContent = meta.reference;
    const select = $("#fc-category");
    const current = select.value;
    select.length = 1;
    for (const c of meta.categories) select.add(new Option(c, c, false, c === current));
  }

  function showPlan(plan) {
    $("#fc-plan").hidden = false;
    $("#fc-plan-method").textContent = plan.beats.length ? (plan.method === "road" ? T.road : T.straight) : T.no_beats;
    $("#fc-plan-rows").innerHTML = plan.beats.filter((b) => b.cells.length).map((b) =>
      `<tr><td>${esc(b.beat)}</td><td>${esc(b.station)}</td><td>${b.cells.map((c) => `#${c.rank} (${c.travel_minutes})`).join(", ")}</td></tr>`).join("");
    $("#fc-uncovered").textContent = plan.uncovered.length ? `${T.uncovered}: ${plan.uncovered.map((c) => `#${c.rank}`).join(", ")}` : "";
  }

  async function run(ev) {
    if (ev) ev.preventDefault();
    $("#fc-error").hidden = true;
    const q = new URLSearchParams({ category: $("#fc-category").value, model: $("#fc-model").value, coverage: $("#fc-coverage").value });
    try {
      let doc;
      if ($("#fc-source").value === "upload") {
        const form = new FormData();
        form.append("file", $("#fc-file").files[0]);
        for (const [k, v] of q) form.append(k, v);
        doc = await call("/api/forecast/layer", { method: "POST", body: form });
        $("#fc-plan").hidden = true;
      } else {
        q.set("budget_minutes", $("#fc-budget").value);
        const plan = await call(`/api/forecast/patrol-plan?${q}`);
        doc = plan.layer;
        showPlan(plan);
      }
      layer.clearLayers();
      layer.addData(doc);
      if (doc.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 14, padding: [20, 20] });
      showHonesty(doc.forecast);
    } catch (err) {
      $("#fc-error").textContent = err.message;
      $("#fc-error").hidden = false;
    }
  }
  $("#fc-source").addEventListener("change", () => { $("#fc-file-label").hidden = $("#fc-source").value !== "upload"; });
  $("#fc-form").addEventListener("submit", run);
  run();
})();
