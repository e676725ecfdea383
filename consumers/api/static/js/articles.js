// A place's articles (title, outlet, date, topics, evidence terms) and the article view with its facts.
import { openRecord } from "./api.js";
import { content, detail, h, outLink } from "./dom.js";
import { country, date, itemLabel, kindLabel, num, t, topicColor, topicLabel, unitLabel } from "./i18n.js";

const TEXT_CHARS = 4000;

function evidenceTerms(topics) {
  const terms = new Set();
  for (const topic of topics) for (const e of topic.evidence || []) terms.add(e.text || e.term);
  return [...terms];
}

function topicChips(topics) {
  return h("span", { class: "chips" }, topics.map((tp) =>
    h("span", { class: "chip", style: `border-color:${topicColor(tp.id)}` }, topicLabel(tp.id))));
}

// The kind of source (Telegram, sitemap...) and, for a text its source changed, an "edited" mark.
function kindBadges(a) {
  return [
    a.kind ? h("span", { class: "chip kind", "data-kind": a.kind }, kindLabel(a.kind)) : null,
    a.edited ? h("span", { class: "chip edited", title: t("edited_title", { n: a.revision }) }, t("edited")) : null,
  ];
}

export function articleItem(a) {
  const terms = evidenceTerms(a.topics || []);
  return h("li", { "data-article": a.article_id, "data-kind": a.kind || null },
    h("button", { type: "button", onclick: () => openArticle(a.article_id) },
      h("strong", { class: "title" }, content(a.title, a.lang)),
      h("span", { class: "meta" }, content(a.source), " · ", date(a.at), " ", ...kindBadges(a)),
      topicChips(a.topics || []),
      terms.length ? h("span", { class: "chips", "aria-label": t("evidence") },
        terms.map((term) => h("span", { class: "chip evidence" }, content(term, a.lang)))) : null));
}

function facts(rows) {
  return h("dl", { class: "facts" }, rows.map(([k, v]) => detail(k, v)));
}

export async function openArticle(id) {
  const opened = await openRecord("article", `/articles/${encodeURIComponent(id)}`, id);
  if (!opened) return;
  const { title, body, data: a } = opened;
  title.textContent = a.title;
  title.lang = a.lang || "";
  const dup = a.duplicate && a.duplicate.status !== "original"
    ? h("button", { type: "button", onclick: () => openArticle(a.duplicate.first_id) }, a.duplicate.first_id) : null;
  body.append(
    facts([
      [t("outlet"), content(a.source)],
      [t("source_kind"), a.kind || a.edited ? h("span", { class: "chips" }, ...kindBadges(a)) : null],
      [t("date"), date(a.at, true)],
      [t("source_link"), a.url ? outLink(a.url) : null],
      [t("topics"), h("span", { class: "chips" }, a.topics.map((tp) => h("span", { class: "chip", style: `border-color:${topicColor(tp.id)}` },
        `${topicLabel(tp.id)} (${num(tp.score, 2)})`)))],
      [t("evidence"), h("span", { class: "chips" }, evidenceTerms(a.topics).map((e) => h("span", { class: "chip evidence" }, content(e, a.lang))))],
      [t("places_f"), a.places.length ? h("span", {}, a.places.map((p, i) => [i ? "، " : "", content(p.name), ` (${country(p.country)})`])) : null],
      [t("orgs"), a.orgs.length ? h("span", {}, a.orgs.map((o, i) => [i ? "، " : "", content(o.name)])) : null],
      [t("countries"), a.countries.map(country).join("، ")],
      [t("quantities"), a.quantities.length ? h("ul", {}, a.quantities.map((q) => h("li", {},
        `${num(q.value)} ${unitLabel(q.unit)}${q.item ? ` ${itemLabel(q.item)}` : ""} — `, content(q.text, a.lang)))) : null],
      [t("duplicate_of"), dup],
      [t("copies"), a.copies && a.copies.length ? h("span", { class: "chips" }, a.copies.map((c) =>
        h("button", { type: "button", onclick: () => openArticle(c) }, c))) : null],
    ]),
    h("h3", {}, t("text")),
    h("div", { class: "text", dir: "auto", lang: a.lang || null },
      a.clean_text.length > TEXT_CHARS ? `${a.clean_text.slice(0, TEXT_CHARS)}…` : a.clean_text));
}

export function setupDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    for (const b of dialog.querySelectorAll("[data-close]")) b.addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); }); // the backdrop
  }
}
