// The alert feed: the alert view's list (GET /alerts, with the page's topic, organisation, country and dates)
// merged with live events (AlertRaised / AlertUpdated from GET /live/alerts, kept when they match the same
// filters), newest first, coloured by severity. A card leads with what happened (the story's headline; for an
// incident alert its type, place and toll; for a spike what rose), then where, when it happened, when the alert
// was raised and how many outlets, each labelled; the rule's title comes last. A click shows the evidence, the
// reasons in the page's language and the articles.
import { openArticle } from "./articles.js";
import { clear, content, detail, h, outLink } from "./dom.js";
import { country, date, itemLabel, listSep, num, plural, t, tn, topicColor, topicLabel, typeLabel, unitLabel } from "./i18n.js";
import { reasonItem } from "./reasons.js";

const SEVERITIES = new Set(["critical", "warning", "info"]);
const EMPTY_EVIDENCE = { titles: [], urls: [], topics: [], places: [], countries: [], orgs: [], quantities: [], matched: [] };
const INCIDENT_FIELDS = ["incident_id", "incident_type", "killed", "injured", "arrested", "outlets"];

// Does an alert belong under the page's filters (topic, org, country, since, until)? As the API decides for
// GET /alerts; a live incident alert's parties are not in its event, so an organisation filter keeps it out
// until the list is asked for again.
export function matchesFilters(a, f) {
  const ev = a.evidence || EMPTY_EVIDENCE;
  if (f.topic && !ev.topics.some((tp) => tp.id === f.topic)) return false;
  if (f.org && !ev.orgs.some((o) => o.id === f.org)) return false;
  if (f.country && !ev.countries.includes(f.country) && !ev.places.some((p) => p.country === f.country)) return false;
  const at = (a.window_start || a.at || "").slice(0, 10);
  if (f.since && at && at < f.since) return false;
  if (f.until && at && at > f.until) return false;
  return true;
}

export function createFeed(listEl, emptyEl, onChange) {
  const alerts = new Map();
  const fresh = new Set();
  let filters = {};

  // The view's alerts are the API's answer to the filters (an organisation may be a party of the incident,
  // which the page cannot see); live ones are checked here.
  function put(alert, isNew, live = true) {
    if (live && !matchesFilters(alert, filters)) return;
    alerts.set(alert.alert_id, alert);
    if (isNew) fresh.add(alert.alert_id);
  }

  // A new list for new filters: the view's answer replaces what was shown.
  function reset(next) {
    filters = next || {};
    alerts.clear();
    fresh.clear();
  }

  // An alert as the alert view stores it (consumers.alerts.rows.alert_dict).
  function fromView(v) {
    put({ ...v, at: v.raised_at || v.at, evidence: { ...EMPTY_EVIDENCE, ...(v.evidence || {}) } }, false, false);
  }

  // An event of the alert topics (schemas.events.AlertRaised / AlertUpdated).
  function fromEvent(e) {
    const known = alerts.get(e.alert_id);
    if (e.type === "AlertRaised") {
      const evidence = {};
      for (const k of Object.keys(EMPTY_EVIDENCE)) evidence[k] = e[k] || [];
      const raised = { alert_id: e.alert_id, rule_id: e.rule_id, title: e.title, severity: e.severity,
        kind: e.kind || "story", story_id: e.story_id, at: e.occurred_at, article_ids: e.article_ids || [],
        sources: e.sources || [], scope: e.scope, window_start: e.window_start, window_end: e.window_end,
        observed: e.observed, expected: e.expected, revision: 0, evidence };
      for (const k of INCIDENT_FIELDS) raised[k] = e[k] ?? null;
      if (known && known.revision > 0) Object.assign(raised, { revision: known.revision, article_ids: known.article_ids, sources: known.sources });
      put(raised, !known, !known);
    } else if (e.type === "AlertUpdated") {
      if (!known || (known.revision || 0) >= e.revision) return; // an update of an alert not shown stays out
      const figures = Object.fromEntries(INCIDENT_FIELDS.slice(2).filter((k) => e[k] !== undefined && e[k] !== null)
        .map((k) => [k, e[k]]));
      put({ ...known, ...figures, revision: e.revision, article_ids: e.article_ids || [], sources: e.sources || [],
        observed: e.observed ?? known.observed }, false, false); // shown already: it stays
    } else {
      return;
    }
    render();
  }

  function list() {
    return [...alerts.values()].sort((a, b) => (b.at || "").localeCompare(a.at || "") || a.alert_id.localeCompare(b.alert_id));
  }

  function render() {
    clear(listEl);
    const items = list();
    emptyEl.hidden = items.length > 0;
    emptyEl.textContent = Object.keys(filters).length ? t("no_alerts_filter") : t("no_alerts");
    for (const a of items) listEl.append(card(a, fresh.has(a.alert_id)));
    fresh.clear();
    onChange(items);
  }

  return { fromView, fromEvent, render, list, reset };
}

function outletCount(a) {
  if (a.kind === "incident" && a.outlets !== null && a.outlets !== undefined) return a.outlets;
  return a.distinct_sources ?? new Set(a.sources || []).size;
}

// What the card leads with: the headline, or the incident, or what rose.
function headline(a) {
  const ev = a.evidence || EMPTY_EVIDENCE;
  if (a.kind === "incident" && a.incident_type) {
    const place = ev.places[0];
    return place ? tn("incident_at", { type: typeLabel(a.incident_type), place: content(place.name) })
      : [typeLabel(a.incident_type)];
  }
  if (a.kind === "spike") {
    const what = [ev.topics[0] ? topicLabel(ev.topics[0].id) : null, ev.places[0] ? content(ev.places[0].name)
      : ev.countries[0] ? country(ev.countries[0]) : null].filter(Boolean);
    return what.length ? tn("spike_headline", { what: what.flatMap((x, i) => [i ? " — " : "", x]) })
      : [content(a.title || a.rule_id)];
  }
  return [content(ev.titles[0] || a.title || a.rule_id)];
}

function tollText(a) {
  return ["killed", "injured", "arrested"].filter((k) => a[k] !== null && a[k] !== undefined)
    .map((k) => plural(k, a[k])).join(listSep());
}

function placeOf(a) {
  const ev = a.evidence || EMPTY_EVIDENCE;
  if (ev.places.length) {
    return ev.places.slice(0, 2).map((p, i) => [i ? listSep() : "", content(p.name), " ",
      h("small", { class: "muted" }, country(p.country))]);
  }
  return ev.countries.length ? ev.countries.map(country).join(listSep()) : null;
}

// When it happened: the incident's event day, else the window's start (a story's first report).
function eventTime(a) {
  if (a.kind === "incident" && a.incident_date) return [t("event_time"), date(a.incident_date)];
  return [a.kind === "spike" ? t("window") : t("first_report"), a.window_start ? date(a.window_start, true) : null];
}

function fact(cls, label, value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return null;
  return h("div", { class: `fact ${cls}` }, h("dt", {}, label), h("dd", {}, value));
}

function card(a, isFresh) {
  const sev = SEVERITIES.has(a.severity) ? a.severity : "info";
  const [whenLabel, when] = eventTime(a);
  return h("li", { "data-alert": a.alert_id, "data-severity": sev, "data-kind": a.kind || "story",
    class: isFresh ? "fresh" : null },
  h("button", { type: "button", onclick: () => openAlert(a) },
    h("strong", { class: "headline", dir: "auto" }, headline(a)),
    a.kind === "incident" && tollText(a) ? h("span", { class: "toll" }, tollText(a)) : null,
    h("dl", { class: "card-facts" },
      fact("place", t("place"), placeOf(a)),
      fact("when", whenLabel, when),
      fact("raised", t("raised_at"), date(a.raised_at || a.at, true)),
      fact("outlets", t("alert_outlets"), plural("outlets", outletCount(a)))),
    h("span", { class: "rule-line" }, h("span", { class: `sev sev-${sev}` }, t(sev)), " · ",
      content(a.title || a.rule_id), a.kind === "spike" ? ` · ${t("spike")}` : "")));
}

export function openAlert(a) {
  const dialog = document.getElementById("alert-dialog");
  const body = clear(document.getElementById("alert-body"));
  document.getElementById("alert-title").replaceChildren(...headline(a));
  const ev = a.evidence || EMPTY_EVIDENCE;
  const spike = a.kind === "spike";
  const [whenLabel, when] = eventTime(a);
  body.append(h("dl", { class: "facts" },
    detail(t("severity"), t(a.severity)),
    detail(t("alert_rule"), [content(a.title || ""), " ", h("code", { dir: "ltr" }, a.rule_id)]),
    detail(t("kind"), spike ? t("spike") : a.kind === "incident" ? t("incidents") : t("story")),
    detail(t("incident_type"), a.kind === "incident" && a.incident_type ? typeLabel(a.incident_type) : null),
    detail(t("toll"), a.kind === "incident" ? tollText(a) : null),
    detail(whenLabel, when),
    detail(t("raised_at"), date(a.raised_at || a.at, true)),
    detail(t("window"), spike && a.window_start ? [h("bdi", {}, date(a.window_start, true)), " — ", h("bdi", {}, date(a.window_end, true))] : null),
    detail(t("observed"), a.observed !== null && a.observed !== undefined ? num(a.observed) : null),
    detail(t("expected"), a.expected !== null && a.expected !== undefined ? num(a.expected, 1) : null),
    detail(t("revision"), a.revision ? num(a.revision) : null),
    detail(t("alert_outlets"), [plural("outlets", outletCount(a)), ": ",
      [...new Set(a.sources || [])].map((s, i) => [i ? listSep() : "", content(s)])]),
    detail(t("matched"), ev.matched.length ? h("ul", { class: "reasons" }, ev.matched.map(reasonItem)) : null),
    detail(t("topics"), ev.topics.length ? h("span", { class: "chips" }, ev.topics.map((tp) =>
      h("span", { class: "chip", style: `border-color:${topicColor(tp.id)}` }, topicLabel(tp.id)))) : null),
    detail(t("evidence"), ev.topics.length ? h("span", { class: "chips" }, [...new Set(ev.topics.flatMap((tp) =>
      (tp.evidence || []).map((e) => e.text || e.term)))].map((e) => h("span", { class: "chip evidence" }, content(e)))) : null),
    detail(t("places_f"), ev.places.map((p, i) => [i ? listSep() : "", content(p.name), " (", country(p.country), ")"])),
    detail(t("orgs"), ev.orgs.map((o, i) => [i ? listSep() : "", content(o.name)])),
    detail(t("quantities"), ev.quantities.length ? h("ul", {}, ev.quantities.map((q) =>
      h("li", {}, h("bdi", {}, `${num(q.value)} ${unitLabel(q.unit)}${q.item ? ` ${itemLabel(q.item)}` : ""}`), " — ", content(q.text))))
      : null)));
  const ids = a.article_ids || [];
  if (ids.length) {
    body.append(h("h3", {}, plural("articles", ids.length)), h("ol", { class: "articles" }, ids.map((id, i) => {
      const url = ev.urls[i];
      return h("li", {}, h("button", { type: "button", onclick: () => openArticle(id) },
        h("strong", {}, content(ev.titles[i] || id)), h("span", { class: "meta" }, content((a.sources || [])[i] || ""))),
      url ? outLink(url, { class: "meta" }) : null);
    })));
  }
  if (!dialog.open) dialog.showModal();
}
