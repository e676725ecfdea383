// Incidents on the dashboard (GET /incidents, /incidents/{id}): a map layer (one point per incident, coloured
// by type, sized by killed or by outlets), a list led by type, date, place and toll, and the incident view with
// its reports, each with its evidence. The page's organisation, country and date filters apply (an incident's
// actor or target, its place's country, its event day); topic, text and copies are about articles and do not.
/* global L */
import { getJson, openRecord } from "./api.js";
import { openArticle } from "./articles.js";
import { clear, content, detail, h } from "./dom.js";
import { country, date, itemLabel, num, plural, t, typeColor, typeLabel, unitLabel } from "./i18n.js";

const PAGE = 200; // the API's largest page; "more" adds the next one to the list and to the map
const FROM_PAGE = ["org", "country", "since", "until"]; // page filters that apply to incidents as they are
const ARTICLE_ONLY = ["topic", "q", "duplicate"];

// The incident filters of the page's filters and the panel's own (type).
export function incidentParams(filters, type) {
  const params = Object.fromEntries(FROM_PAGE.filter((k) => filters[k]).map((k) => [k, filters[k]]));
  if (type) params.type = type;
  return params;
}

// "4 (3–5)": the reconciled figure and, when the reports differ, the range they span.
export function toll(it, name) {
  const v = it[name];
  if (v === null || v === undefined) return "";
  const lo = it[`${name}_min`];
  const hi = it[`${name}_max`];
  return lo !== null && lo !== undefined && hi !== null && hi !== undefined && lo !== hi
    ? `${num(v)} (${num(lo)}–${num(hi)})` : num(v);
}

function tolls(it) {
  return ["killed", "injured", "arrested"].filter((k) => it[k] !== null && it[k] !== undefined)
    .map((k) => `${t(k)} ${toll(it, k)}`).join(" · ");
}

function placeText(it) {
  if (!it.place) return t("unknown_place");
  const region = it.admin1 && it.admin1.code !== "unknown" ? it.admin1.name : "";
  return [it.place.name, region && region !== it.place.name ? region : "", country(it.place.country)]
    .filter(Boolean).join("، ");
}

const dayText = (it) => (it.date ? date(it.date) : `${date(it.day)} (${t("first_seen")})`);

export function createIncidents({ leaflet, listEl, moreEl, summaryEl, legendEl, typeEl }) {
  const layer = L.layerGroup().addTo(leaflet);
  const state = { items: [], cursor: null, params: {}, size: "killed", shown: true, filters: {}, loading: 0 };

  async function load(filters) {
    state.filters = filters;
    state.params = incidentParams(filters, typeEl.value);
    const ticket = ++state.loading;
    const res = await getJson("/incidents", { ...state.params, limit: PAGE });
    if (ticket !== state.loading) return; // a newer filter was applied meanwhile
    state.items = res.items;
    state.cursor = res.next_cursor;
    render();
  }

  async function more() {
    if (!state.cursor) return;
    const ticket = state.loading;
    const res = await getJson("/incidents", { ...state.params, limit: PAGE, cursor: state.cursor });
    if (ticket !== state.loading) return;
    state.items.push(...res.items);
    state.cursor = res.next_cursor;
    render();
  }

  function render() {
    renderList();
    renderLayer();
  }

  function renderList() {
    clear(listEl);
    moreEl.hidden = !state.cursor;
    const ignored = ARTICLE_ONLY.filter((k) => state.filters[k] && !(k === "duplicate" && state.filters[k] === "original"));
    summaryEl.textContent = [
      state.items.length ? t(state.cursor ? "incidents_some" : "incidents_all", { n: plural("incidents", state.items.length) })
        : t("no_incidents"),
      ignored.length ? t("incident_filters_ignored") : "",
    ].filter(Boolean).join(" ");
    for (const it of state.items) {
      listEl.append(h("li", { "data-incident": it.incident_id, "data-type": it.incident_type },
        h("button", { type: "button", onclick: () => openIncident(it.incident_id) },
          h("span", { class: "type-chip", style: `border-color:${typeColor(it.incident_type)}` },
            h("span", { class: "swatch", style: `background:${typeColor(it.incident_type)}`, "aria-hidden": "true" }),
            typeLabel(it.incident_type)),
          " ", h("span", { class: "day" }, dayText(it)),
          h("span", { class: "meta" }, content(placeText(it))),
          h("span", { class: "meta toll" }, [tolls(it), `${t("outlets")} ${num(it.outlets)}`].filter(Boolean).join(" · ")))));
    }
    const types = [...new Set(state.items.map((it) => it.incident_type))];
    clear(legendEl).append(...types.map((k) => h("li", {},
      h("span", { class: "swatch diamond", style: `background:${typeColor(k)}`, "aria-hidden": "true" }), typeLabel(k))));
  }

  function renderLayer() {
    layer.clearLayers();
    if (!state.shown) return;
    const value = (it) => (state.size === "outlets" ? it.outlets : it.killed || 0);
    const max = Math.max(1, ...state.items.map(value));
    for (const it of state.items) {
      if (!it.place) continue;
      const size = Math.round(12 + 20 * Math.sqrt(value(it) / max));
      const label = `${typeLabel(it.incident_type)} — ${dayText(it)} — ${placeText(it)}${tolls(it) ? ` — ${tolls(it)}` : ""}`;
      const marker = L.marker([it.place.lat, it.place.lon], {
        icon: L.divIcon({ className: "incident-marker", iconSize: [size, size],
          html: h("span", { class: "diamond", style: `background:${typeColor(it.incident_type)}` }) }),
        title: label, keyboard: true, riseOnHover: true, zIndexOffset: 500,
      });
      marker.on("add", () => {
        const el = marker.getElement();
        Object.assign(el.dataset, { incident: it.incident_id, type: it.incident_type, size });
        el.setAttribute("role", "button");
        el.setAttribute("aria-label", label);
      });
      marker.on("click", () => openIncident(it.incident_id));
      layer.addLayer(marker);
    }
  }

  return {
    load, more, render,
    setSize(size) { state.size = size; renderLayer(); },
    setShown(shown) { state.shown = shown; renderLayer(); },
    params: () => state.params,
  };
}

export async function openIncident(id) {
  const opened = await openRecord("incident", `/incidents/${encodeURIComponent(id)}`, id);
  if (!opened) return;
  const { title, body, data: it } = opened;
  title.textContent = `${typeLabel(it.incident_type)} — ${dayText(it)}`;
  const region = it.admin1 && it.admin1.code !== "unknown" ? it.admin1.name : null;
  body.dataset.incident = it.incident_id;
  body.append(h("dl", { class: "facts" },
    detail(t("incident_type"), typeLabel(it.incident_type)),
    detail(t("date"), dayText(it)),
    detail(t("place"), it.place ? [content(it.place.name), ` (${country(it.place.country)})`] : t("unknown_place")),
    detail(t("governorate"), region ? content(region) : null),
    detail(t("killed"), toll(it, "killed")), detail(t("injured"), toll(it, "injured")),
    detail(t("arrested"), toll(it, "arrested")),
    detail(t("actors"), it.actors.join("، ")), detail(t("targets"), it.targets.join("، ")),
    detail(t("outlets"), num(it.outlets)),
    detail(t("quantities"), it.quantities.length ? h("ul", {}, it.quantities.map((q) =>
      h("li", {}, `${num(q.value)} ${unitLabel(q.unit)}${q.item ? ` ${itemLabel(q.item)}` : ""}`))) : null),
    detail(t("evidence"), it.evidence ? h("q", { dir: "auto", class: "evidence-text" }, it.evidence) : null),
    detail(t("revision"), num(it.revision))));
  body.append(h("h3", {}, t("reports")), h("ol", { class: "articles reports" }, it.reports.map((r) =>
    h("li", { "data-article": r.article_id },
      h("button", { type: "button", onclick: () => openArticle(r.article_id) },
        h("strong", {}, content(r.title || r.article_id)),
        h("span", { class: "meta" }, content(r.source), r.published ? ` · ${date(r.published)}` : "",
          r.duplicate_of ? ` · ${t("duplicate_of")} ${r.duplicate_of}` : "",
          r.killed !== null && r.killed !== undefined ? ` · ${t("killed")} ${num(r.killed)}` : ""),
        r.evidence ? h("q", { class: "evidence-text", dir: "auto" }, r.evidence) : null),
      r.url ? h("a", { href: r.url, target: "_blank", rel: "noopener noreferrer", class: "meta", dir: "ltr" }, r.url)
        : null))));
}
