// The dashboard page: filters -> aggregate endpoints -> map, places, timeline, incidents, ledger; alerts from the
// view and live.
// Everything is read from the query API (same origin); the page never asks for every article.
import { askToken, download, errorNodes, getJson, streamEvents, takeTokenFromFragment } from "./api.js";
import { createFeed } from "./alerts.js";
import { articleItem, setupDialogs } from "./articles.js";
import { clear, content, h } from "./dom.js";
import { country, date, getLang, incidentTypes, isolate, kindLabel, num, plural, setLang, setTopicNames, sourceKinds, t, topicColor,
  topicLabel, typeColor, typeLabel } from "./i18n.js";
import { createIncidents, incidentParams } from "./incidents.js";
import { createMap } from "./map.js";
import { renderLedger } from "./ledger.js";
import { renderTimeline } from "./timeline.js";

const FILTERS = ["topic", "org", "country", "kind", "since", "until", "q", "duplicate"];
const DEFAULTS = { duplicate: "original" }; // original stories unless copies are asked for (duplicate=all)
const ALERT_FILTERS = ["topic", "org", "country", "since", "until"];
const COUNTS_PAGE = 10000; // the API's most: one request for the timeline of 10,000 articles over 100 days
const COUNTS_PAGES = 5;
const ALERTS_SHOWN = 100;

const $ = (id) => document.getElementById(id);
const form = $("filters");
const state = { config: null, filters: {}, per: "day", options: null, places: [], counts: [], summary: null,
  spikes: [], place: null, cursor: null, placeItems: [], what: "articles", incidentCounts: [], windowDays: "30",
  loadedAt: null };
let map;
let feed;
let incidents;

function readForm() {
  const data = new FormData(form);
  return Object.fromEntries(FILTERS.map((k) => [k, (data.get(k) || "").trim() || DEFAULTS[k] || ""]).filter(([, v]) => v));
}

function writeForm(filters) {
  for (const k of FILTERS) form.elements[k].value = filters[k] || DEFAULTS[k] || "";
}

// The filters as the API takes them: "all" copies means no duplicate filter.
function apiFilters(filters) {
  const f = { ...filters };
  if (f.duplicate === "all") delete f.duplicate;
  return f;
}

// Without the dates: the timeline shows its window out of the whole span, so it can offer the rest.
function undated(filters) {
  const { since, until, ...rest } = apiFilters(filters);
  return rest;
}

function showError(err) {
  const el = $("filter-error");
  if (!err) { el.hidden = true; clear(el); markStale(false); return; }
  el.hidden = false;
  clear(el).append(...errorNodes(err));
  markStale(true);
}

// After a failed request the panels keep what they last showed: marked stale, with when it was loaded.
function markStale(stale) {
  const banner = $("stale");
  const shown = stale && state.loadedAt;
  document.body.toggleAttribute("data-stale", Boolean(shown));
  banner.hidden = !shown;
  if (shown) {
    banner.textContent = t("stale", { time: isolate(date(state.loadedAt.toISOString(), true)) });
  }
}

async function countsAll(params) {
  const items = [];
  for (let page = 0; page < COUNTS_PAGES; page += 1) {
    const res = await getJson("/counts", { ...params, limit: COUNTS_PAGE, offset: page * COUNTS_PAGE });
    items.push(...res.items);
    if (res.items.length < COUNTS_PAGE) break;
  }
  return items;
}

async function loadOptions() {
  const [topics, orgs, countries, kinds] = await Promise.all([
    getJson("/counts", { by: "topic", limit: 1000 }), getJson("/counts", { by: "org", limit: 1000 }),
    getJson("/counts", { by: "country", limit: 1000 }), getJson("/counts", { by: "kind", limit: 100 })]);
  // "unknown": articles processed before their kind was carried; not a kind one can ask for
  state.options = { topics: topics.items, orgs: orgs.items, countries: countries.items,
    kinds: kinds.items.filter((r) => sourceKinds().includes(r.key)) };
  renderOptions();
}

// The ids the API's filters accept (the taxonomy in force): a topic of an older taxonomy still counted in
// the views is not offered, since filtering by it would be refused.
function accepted(items, kind) {
  const known = state.config?.known?.[kind];
  return known ? items.filter((r) => known.includes(r.key)) : items;
}

function renderOptions() {
  if (!state.options) return;
  const fill = (select, items, label) => {
    const value = select.value || state.filters[select.name] || "";
    select.replaceChildren(h("option", { value: "" }, t("all")),
      ...items.map((r) => h("option", { value: r.key }, `${label(r)} ${isolate(`(${num(r.articles)})`)}`)));
    select.value = value;
  };
  fill(form.elements.topic, accepted(state.options.topics, "topics"), (r) => topicLabel(r.key));
  fill(form.elements.org, accepted(state.options.orgs, "orgs"), (r) => r.name || r.key);
  fill(form.elements.country, state.options.countries, (r) => country(r.key));
  fill(form.elements.kind, state.options.kinds, (r) => kindLabel(r.key));
}

async function fetchView(filters) {
  const [places, counts, summary] = await Promise.all([
    getJson("/places", apiFilters(filters)), countsAll({ by: "topic", per: state.per, ...undated(filters) }),
    getJson("/seizures/summary", apiFilters(filters))]);
  return { places, counts, summary };
}

function showView({ places, counts, summary }) {
  Object.assign(state, { places: places.items, totals: places, counts, summary, loadedAt: new Date() });
  performance.mark("marsad-data");
  renderAll();
}

async function refresh() {
  const others = Promise.all([incidents.load(state.filters), loadIncidentCounts(), loadAlerts()]);
  others.catch(() => {}); // reported below
  showView(await fetchView(state.filters));
  await others;
  if (state.what === "incidents") drawTimeline();
  if (state.place) {
    const still = state.places.find((p) => p.key === state.place.key);
    if (still) await selectPlace(still, false); else closePlace();
  }
}

function renderAll() {
  const timed = (name, fn) => { const t0 = performance.now(); fn(); performance.measure(`marsad-${name}`, { start: t0 }); };
  timed("map", () => map.render(state.places));
  timed("places", () => { renderPlaces(); renderLegend(); });
  timed("timeline", drawTimeline);
  timed("ledger", () => renderLedger(state.summary));
}

// Articles per topic (per day or hour), or incidents per type per event day; the range picked on its strip
// becomes the page's date filter.
function drawTimeline() {
  const els = { el: $("timeline"), tableEl: $("timeline-table"), legendEl: $("timeline-legend"),
    overviewEl: $("timeline-overview"), summaryEl: $("timeline-summary") };
  const range = { since: state.filters.since, until: state.filters.until };
  const common = { range, windowDays: state.windowDays, onRange: setRange };
  $("timeline-window").disabled = Boolean(range.since || range.until);
  $("clear-range").hidden = !(range.since || range.until);
  if (state.what === "incidents") {
    const rows = state.incidentCounts.map((r) => ({ key: r.type, day: r.day, articles: r.incidents }));
    renderTimeline(els, rows, { ...common, per: "day", label: typeLabel, color: typeColor });
  } else {
    renderTimeline(els, state.counts, { ...common, per: state.per, spikes: state.spikes });
  }
}

function setRange(since, until) {
  form.elements.since.value = since || "";
  form.elements.until.value = until || "";
  apply();
}

async function loadIncidentCounts() {
  if (state.what !== "incidents") return;
  const { since, until, ...params } = incidentParams(state.filters, $("incident-type").value);
  const res = await getJson("/incidents/counts", { per: "day", ...params,
    limit: COUNTS_PAGE });
  state.incidentCounts = res.items;
}

function fillIncidentTypes() {
  const select = $("incident-type");
  const value = select.value;
  select.replaceChildren(h("option", { value: "" }, t("all_types")),
    ...incidentTypes().map((k) => h("option", { value: k }, typeLabel(k))));
  select.value = value;
}

function renderPlaces() {
  const list = clear($("places"));
  $("map-summary").textContent = state.places.length
    ? t("summary", { articles: plural("articles", state.totals.articles), located: isolate(num(state.totals.located)),
      places: plural("places", state.places.length) })
    : t("no_places");
  for (const p of state.places) {
    list.append(h("li", {}, h("button", {
      type: "button", "aria-pressed": state.place && state.place.key === p.key ? "true" : "false",
      "data-place": p.key, "data-articles": p.articles, onclick: () => selectPlace(p, true),
    }, h("span", {}, h("span", { class: "swatch", style: `background:${topicColor(p.topic)}`, "aria-hidden": "true" }),
      content(p.name), " ", h("small", { class: "muted" }, country(p.country))),
    h("span", { class: "count" }, num(p.articles)))));
  }
}

function renderLegend() {
  const topics = [...new Set(state.places.map((p) => p.topic).filter(Boolean))];
  clear($("legend")).append(...topics.map((k) =>
    h("li", {}, h("span", { class: "swatch", style: `background:${topicColor(k)}`, "aria-hidden": "true" }), topicLabel(k))));
}

async function selectPlace(p, fromUser) {
  state.place = p;
  state.cursor = null;
  state.placeItems = [];
  for (const b of document.querySelectorAll("#places button")) b.setAttribute("aria-pressed", String(b.dataset.place === p.key));
  if (fromUser) map.show(p.key);
  $("place-articles").hidden = false;
  $("place-title").textContent = t("place_articles", { place: p.name });
  clear($("place-list"));
  await morePlaceArticles();
  if (fromUser) $("place-list").querySelector("button")?.focus();
}

async function morePlaceArticles() {
  const p = state.place;
  const res = await getJson(`/places/${encodeURIComponent(p.key)}/articles`, { ...apiFilters(state.filters), cursor: state.cursor });
  if (state.place !== p) return;
  state.cursor = res.next_cursor;
  state.placeItems.push(...res.items);
  $("place-list").append(...res.items.map(articleItem));
  $("place-more").hidden = !res.next_cursor;
}

function closePlace() {
  state.place = null;
  $("place-articles").hidden = true;
}

// The alert list of the page's topic, organisation, country and dates (the others are about articles).
async function loadAlerts() {
  if (!state.config || !feed) return;
  const filters = Object.fromEntries(ALERT_FILTERS.filter((k) => state.filters[k]).map((k) => [k, state.filters[k]]));
  const res = state.config.alerts_view ? await getJson("/alerts", { ...filters, limit: ALERTS_SHOWN }) : { items: [] };
  feed.reset(filters);
  for (const a of res.items) feed.fromView(a);
  feed.render();
}

function startLive() {
  const badge = $("live-state");
  const show = (s) => { badge.dataset.state = s; badge.textContent = t(s === "live" ? "live" : s === "off" ? "live_off" : s); };
  if (!state.config.live) { show("off"); return; }
  show("starting");
  streamEvents("/live/alerts", (name, data) => {
    if (name === "status") show(data.state);
    else if (name === "alert") feed.fromEvent(data);
  }, (err) => show(err ? "off" : "offline"));
}

async function apply(event) {
  event?.preventDefault();
  state.filters = readForm();
  const url = new URL(location.href);
  url.search = new URLSearchParams(Object.entries(state.filters).filter(([k, v]) => DEFAULTS[k] !== v)).toString();
  history.replaceState(null, "", url);
  document.body.dataset.state = "loading";
  try {
    showError(null);
    await refresh();
  } catch (err) {
    showError(err);
  } finally {
    document.body.dataset.state = "ready";
  }
}

function bind() {
  form.addEventListener("submit", apply);
  form.addEventListener("reset", () => setTimeout(apply, 0));
  $("per").addEventListener("change", async (e) => {
    state.per = e.target.value;
    state.counts = await countsAll({ by: "topic", per: state.per, ...undated(state.filters) });
    drawTimeline();
  });
  $("timeline-what").addEventListener("change", async (e) => {
    state.what = e.target.value;
    const per = $("per");
    per.disabled = state.what === "incidents"; // incidents are dated by day
    try {
      await loadIncidentCounts();
      drawTimeline();
    } catch (err) { showError(err); }
  });
  $("timeline-window").addEventListener("change", (e) => { state.windowDays = e.target.value; drawTimeline(); });
  $("clear-range").addEventListener("click", () => setRange("", ""));
  $("show-incidents").addEventListener("change", (e) => incidents.setShown(e.target.checked));
  $("incident-size").addEventListener("change", (e) => incidents.setSize(e.target.value));
  $("incident-type").addEventListener("change", async () => {
    try {
      await Promise.all([incidents.load(state.filters), loadIncidentCounts()]);
      if (state.what === "incidents") drawTimeline();
    } catch (err) { showError(err); }
  });
  $("incidents-more").addEventListener("click", () => incidents.more().catch(showError));
  for (const b of document.querySelectorAll("[data-incident-export]")) {
    b.addEventListener("click", () => download(`/export/${b.dataset.incidentExport}`, incidents.params()).catch(showError));
  }
  $("place-more").addEventListener("click", morePlaceArticles);
  $("lang-button").addEventListener("click", () => {
    setLang(getLang() === "ar" ? "en" : "ar");
    renderOptions();
    fillIncidentTypes();
    if (state.summary) renderAll();
    incidents.render();
    feed.render();
    if (state.place) {
      $("place-title").textContent = t("place_articles", { place: state.place.name });
      clear($("place-list")).append(...state.placeItems.map(articleItem));
    }
    startLiveLabel();
  });
  $("token-button").addEventListener("click", async () => { if (await askToken()) location.reload(); });
  for (const b of document.querySelectorAll("[data-export]")) {
    b.addEventListener("click", () => download(`/export/${b.dataset.export}`, apiFilters(state.filters)).catch(showError));
  }
}

function startLiveLabel() {
  const badge = $("live-state");
  const s = badge.dataset.state;
  if (s && s !== "undefined") badge.textContent = t(s === "live" ? "live" : s === "off" ? "live_off" : s);
}

async function main() {
  takeTokenFromFragment();
  setLang(getLang());
  setupDialogs();
  const params = new URLSearchParams(location.search);
  state.filters = { ...DEFAULTS, ...Object.fromEntries(FILTERS.filter((k) => params.get(k)).map((k) => [k, params.get(k)])) };
  writeForm(state.filters);
  bind();
  try {
    // Everything is asked for at once: the data waits neither for the settings nor for the map.
    const view = fetchView(state.filters);
    const options = loadOptions();
    const config = getJson("/dashboard/config");
    for (const p of [view, options, config]) p.catch(() => {}); // reported where awaited, below
    map = createMap($("map"), { onPlace: (p) => selectPlace(p, true) });
    feed = createFeed($("alerts"), $("alerts-empty"), (items) => {
      state.spikes = items.filter((a) => a.kind === "spike");
      if (state.summary) drawTimeline();
    });
    fillIncidentTypes();
    incidents = createIncidents({ leaflet: map.map, listEl: $("incidents"), moreEl: $("incidents-more"),
      summaryEl: $("incidents-summary"), legendEl: $("incidents-legend"), typeEl: $("incident-type") });
    const incidentList = incidents.load(state.filters);
    const alerts = config.then((c) => {
      state.config = c;
      setTopicNames(c.topics); // a taxonomy of one's own
      options.then(renderOptions).catch(() => {}); // its names, and only the ids the filters accept
      startLive();
      return loadAlerts();
    });
    await Promise.all([options, Promise.all([view, config]).then(([v]) => showView(v)), alerts, incidentList]);
    performance.mark("marsad-ready");
    await map.drawBase(state.config.tiles_url); // the base map last: it takes longer to draw than the rest
    if (!state.config.tiles_url) await map.labelPlaces().catch((e) => console.warn(`place names not written: ${e.message}`));
  } catch (err) {
    showError(err);
  } finally {
    document.body.dataset.state = "ready";
  }
}

main();
