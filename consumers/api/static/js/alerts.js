// The alert feed: the alert view's list (GET /alerts) merged with live events (AlertRaised / AlertUpdated
// from GET /live/alerts), newest first, coloured by severity; a click shows the evidence and the articles.
import { openArticle } from "./articles.js";
import { clear, content, h, outLink } from "./dom.js";
import { country, date, itemLabel, num, t, topicColor, topicLabel, unitLabel } from "./i18n.js";

const SEVERITIES = new Set(["critical", "warning", "info"]);
const EMPTY_EVIDENCE = { titles: [], urls: [], topics: [], places: [], countries: [], orgs: [], quantities: [], matched: [] };

export function createFeed(listEl, emptyEl, onChange) {
  const alerts = new Map();
  const fresh = new Set();

  function put(alert, isNew) {
    alerts.set(alert.alert_id, alert);
    if (isNew) fresh.add(alert.alert_id);
  }

  // An alert as the alert view stores it (consumers.alerts.rows.alert_dict).
  function fromView(v) {
    put({ ...v, at: v.raised_at || v.at, evidence: { ...EMPTY_EVIDENCE, ...(v.evidence || {}) } }, false);
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
      if (known && known.revision > 0) Object.assign(raised, { revision: known.revision, article_ids: known.article_ids, sources: known.sources });
      put(raised, !known);
    } else if (e.type === "AlertUpdated") {
      if (known && (known.revision || 0) >= e.revision) return;
      const base = known || { alert_id: e.alert_id, rule_id: e.rule_id, title: "", severity: e.severity, kind: "story",
        at: e.occurred_at, evidence: { ...EMPTY_EVIDENCE } };
      put({ ...base, revision: e.revision, article_ids: e.article_ids || [], sources: e.sources || [],
        observed: e.observed ?? base.observed }, !known);
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
    for (const a of items) {
      const sev = SEVERITIES.has(a.severity) ? a.severity : "info";
      const li = h("li", { "data-alert": a.alert_id, "data-severity": sev, class: fresh.has(a.alert_id) ? "fresh" : null },
        h("button", { type: "button", onclick: () => openAlert(a) },
          h("span", { class: `sev sev-${sev}` }, t(sev)), " ",
          h("strong", {}, content(a.title || a.rule_id)),
          h("span", { class: "meta" }, a.rule_id, " · ", date(a.at, true), " · ",
            `${num((a.article_ids || []).length)} ${t("articles")}`,
            a.kind === "spike" ? ` · ${t("spike")}` : "")));
      listEl.append(li);
    }
    fresh.clear();
    onChange(items);
  }

  return { fromView, fromEvent, render, list };
}

function row(label, value) {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)
    ? [] : [h("dt", {}, label), h("dd", {}, value)];
}

export function openAlert(a) {
  const dialog = document.getElementById("alert-dialog");
  const body = clear(document.getElementById("alert-body"));
  document.getElementById("alert-title").textContent = a.title || a.rule_id;
  const ev = a.evidence || EMPTY_EVIDENCE;
  const spike = a.kind === "spike";
  body.append(h("dl", { class: "facts" },
    row(t("severity"), t(a.severity)),
    row(t("rule"), h("code", {}, a.rule_id)),
    row(t("kind"), spike ? t("spike") : t("story")),
    row(t("raised"), date(a.at, true)),
    row(t("scope"), a.scope ? content(a.scope) : null),
    row(t("window"), spike && a.window_start ? `${date(a.window_start, true)} — ${date(a.window_end, true)}` : null),
    row(t("observed"), a.observed !== null && a.observed !== undefined ? num(a.observed) : null),
    row(t("expected"), a.expected !== null && a.expected !== undefined ? num(a.expected, 1) : null),
    row(t("revision"), a.revision ? num(a.revision) : null),
    row(t("sources"), [...new Set(a.sources || [])].map((s, i) => [i ? "، " : "", content(s)])),
    row(t("matched"), ev.matched.length ? h("ul", {}, ev.matched.map((m) => h("li", {}, content(m)))) : null),
    row(t("topics"), ev.topics.length ? h("span", { class: "chips" }, ev.topics.map((tp) =>
      h("span", { class: "chip", style: `border-color:${topicColor(tp.id)}` }, topicLabel(tp.id)))) : null),
    row(t("evidence"), ev.topics.length ? h("span", { class: "chips" }, [...new Set(ev.topics.flatMap((tp) =>
      (tp.evidence || []).map((e) => e.text || e.term)))].map((e) => h("span", { class: "chip evidence" }, content(e)))) : null),
    row(t("places_f"), ev.places.map((p, i) => [i ? "، " : "", content(p.name), ` (${country(p.country)})`])),
    row(t("orgs"), ev.orgs.map((o, i) => [i ? "، " : "", content(o.name)])),
    row(t("quantities"), ev.quantities.length ? h("ul", {}, ev.quantities.map((q) =>
      h("li", {}, `${num(q.value)} ${unitLabel(q.unit)}${q.item ? ` ${itemLabel(q.item)}` : ""} — `, content(q.text))))
      : null)));
  const ids = a.article_ids || [];
  if (ids.length) {
    body.append(h("h3", {}, t("articles")), h("ol", { class: "articles" }, ids.map((id, i) => {
      const url = ev.urls[i];
      return h("li", {}, h("button", { type: "button", onclick: () => openArticle(id) },
        h("strong", {}, content(ev.titles[i] || id)), h("span", { class: "meta" }, content((a.sources || [])[i] || ""))),
      url ? outLink(url, { class: "meta" }) : null);
    })));
  }
  if (!dialog.open) dialog.showModal();
}
