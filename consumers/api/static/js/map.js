// The map: bundled country outlines (Natural Earth through world-atlas, offline) and the borders between
// first-level regions (governorates, provinces: Natural Earth 1:10m, see consumers/api/admin1_lines.py), an
// optional tile layer, and one marker per place (sized by articles, coloured by its main topic), clustered
// when dense.
/* global L, topojson */
import { getJson } from "./api.js";
import { h } from "./dom.js";
import { country, num, topicColor, topicLabel } from "./i18n.js";

const CENTRE = [34.5, 40.0]; // Syria and Iraq
const REGION = [[12, 25], [42, 63]]; // the Levant, Iraq, Turkey's south, the Gulf: what the map frames first
const OUTLINES = "/static/vendor/world-atlas/countries-50m.json";
const REGIONS = "/static/vendor/natural-earth/admin1-lines.json"; // inner borders only, around the Middle East

function fetchJson(url) {
  return fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${url}: HTTP ${r.status}`))));
}

export function createMap(el, { onPlace }) {
  // No zoom animations: a re-render (a filter applied) during one breaks markercluster's pending callbacks.
  const map = L.map(el, {
    center: CENTRE, zoom: 5, minZoom: 2, maxZoom: 14, worldCopyJump: true, keyboard: true,
    zoomAnimation: false, markerZoomAnimation: false, fadeAnimation: false,
  });
  map.attributionControl.setPrefix(false);
  // The base map is fetched and drawn by `drawBase`, which the page calls once its data is shown: parsing
  // and drawing thousands of outline paths takes longer than everything else on the page.
  // `tilesUrl` (the settings' optional tile layer) goes under the outlines, which are then not filled.
  let based = null;
  const drawBase = (tilesUrl) => (based ??= loadBase(tilesUrl));

  async function loadBase(tilesUrl) {
    // Without the region borders the map still works: a missing file is only noted.
    const [countries, regions] = await Promise.all([fetchJson(OUTLINES),
      fetchJson(REGIONS).catch((e) => { console.warn(`region borders not drawn: ${e.message}`); })]);
    const t0 = performance.now();
    if (tilesUrl) {
      L.tileLayer(tilesUrl, { maxZoom: 18, attribution: new URL(tilesUrl.replace(/\{s\}/g, "a")).host })
        .addTo(map).bringToBack();
    }
    L.geoJSON(topojson.feature(countries, countries.objects.countries), {
      interactive: false,
      style: { color: "#7d8797", weight: 0.8, fillColor: "#fbfaf6", fillOpacity: tilesUrl ? 0 : 1 },
    }).addTo(map).bringToBack();
    map.attributionControl.addAttribution("Natural Earth");
    // Thin, lighter lines; they never run along a country outline, so they can lie over the countries' fill.
    if (regions) {
      L.geoJSON(topojson.feature(regions, regions.objects.admin1), {
        interactive: false, className: "admin1", style: { color: "#b3b9c3", weight: 0.6 },
      }).addTo(map);
    }
    performance.measure("marsad-base-map", { start: t0 });
  }

  // Names sit under the markers and above the outlines; they never take a click.
  map.createPane("labels").style.zIndex = 450;
  map.getPane("labels").style.pointerEvents = "none";
  const labelPlaces = () => getJson("/dashboard/place-labels").then((res) => addPlaceLabels(map, res.items));

  let max = 1;
  const clusters = L.markerClusterGroup({
    maxClusterRadius: 36, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
    animate: false, // re-rendering (a filter, the language switch) during a split/merge animation breaks markercluster
    removeOutsideVisibleBounds: false, // every place stays on the map (and reachable), panned into view or not
    iconCreateFunction(cluster) {
      const children = cluster.getAllChildMarkers();
      const articles = children.reduce((s, m) => s + m.options.place.articles, 0);
      const size = Math.round(30 + 22 * Math.sqrt(articles / Math.max(max, 1)));
      const html = h("span", { dataset: { places: children.length, articles } }, num(articles));
      return L.divIcon({ html, className: "place-cluster", iconSize: [size, size] });
    },
  });
  map.addLayer(clusters);
  const markers = new Map();

  function render(places) {
    map.stop(); // end any pan or zoom still under way before the markers it concerns go
    clusters.clearLayers();
    markers.clear();
    max = Math.max(1, ...places.map((p) => p.articles));
    const layers = places.map((p) => {
      const size = Math.round(16 + 26 * Math.sqrt(p.articles / max));
      const icon = L.divIcon({
        className: "place-marker", iconSize: [size, size],
        html: h("span", { class: "dot", style: `background:${topicColor(p.topic)}` }),
      });
      const label = `${p.name} (${country(p.country)}): ${num(p.articles)} — ${topicLabel(p.topic) || ""}`;
      const marker = L.marker([p.lat, p.lon], { icon, title: label, keyboard: true, riseOnHover: true, place: p });
      marker.on("add", () => {
        const elm = marker.getElement();
        Object.assign(elm.dataset, { place: p.key, articles: p.articles, topic: p.topic || "" });
        elm.setAttribute("role", "button");
        elm.setAttribute("aria-label", label);
      });
      marker.on("click", () => onPlace(p));
      markers.set(p.key, marker);
      return marker;
    });
    clusters.addLayers(layers);
    // frame the places of the region (one far-away mention, say Washington, should not zoom the map out)
    const region = L.latLngBounds(REGION);
    const near = layers.filter((m) => region.contains(m.getLatLng()));
    const framed = near.length ? near : layers;
    if (framed.length) {
      map.fitBounds(L.latLngBounds(framed.map((m) => m.getLatLng())).pad(0.2), { maxZoom: 8, animate: false });
    }
  }

  function show(key) {
    const marker = markers.get(key);
    if (marker) clusters.zoomToShowLayer(marker, () => marker.getElement()?.classList.add("selected"));
  }

  return { map, render, show, drawBase, labelPlaces };
}

// Place names from the gazetteer (GET /dashboard/place-labels, ranked by consumers/api/place_labels.py):
// capitals and governorate seats first, then cities, towns and villages as one zooms in. Names are written
// most important first; one that would cover a name already written is left out. They are not interactive.
const RANK_AT_ZOOM = [[5, 1], [6, 2], [8, 3]]; // below zoom 5: capitals and seats; from 6 cities; from 8 towns
const maxRank = (zoom) => RANK_AT_ZOOM.reduce((r, [z, rank]) => (zoom >= z ? rank : r), 1) + (zoom >= 10 ? 1 : 0);

export function addPlaceLabels(map, rows) {
  const layer = L.layerGroup().addTo(map);
  const shown = new Map(); // index -> marker
  const measure = document.createElement("canvas").getContext("2d");
  measure.font = "11px 'Noto Sans Arabic', 'DejaVu Sans', sans-serif";
  const widths = rows.map((r) => measure.measureText(r[0]).width + 8);
  function relabel() {
    const zoom = map.getZoom();
    const limit = maxRank(zoom);
    const size = map.getSize();
    const boxes = [];
    const keep = new Set();
    rows.forEach((r, i) => {
      if (r[3] > limit) return;
      const p = map.latLngToContainerPoint([r[1], r[2]]);
      if (p.x < -50 || p.y < -20 || p.x > size.x + 50 || p.y > size.y + 20) return;
      const box = [p.x - widths[i] / 2, p.y - 16, p.x + widths[i] / 2, p.y];
      if (boxes.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) return;
      boxes.push(box);
      keep.add(i);
    });
    for (const [i, m] of shown) if (!keep.has(i)) { layer.removeLayer(m); shown.delete(i); }
    for (const i of keep) {
      if (shown.has(i)) continue;
      const r = rows[i];
      const icon = L.divIcon({ className: `place-label rank-${r[3]}`, iconSize: null,
        html: h("bdi", { dir: "auto" }, r[0]) });
      const m = L.marker([r[1], r[2]], { icon, interactive: false, keyboard: false, pane: "labels" });
      shown.set(i, m.addTo(layer));
    }
  }
  map.on("zoomend moveend", relabel);
  // tests and scripts: `marsad-zoom` (detail: a zoom level) zooms on Daraa-Damascus, where names are dense
  map.getContainer().addEventListener("marsad-zoom", (e) => map.setView([33.0, 36.2], e.detail, { animate: false }));
  relabel();
  return layer;
}
