// Why an alert was raised, in the page's language. The alert agent writes its reasons (`matched`) as English
// machine text (streams/alerts/match.py, spike.py, incidents.py): each known form is read back into its parts
// here and said again from the interface's strings, with names, places and outlets isolated as content.
// A reason of no known form is shown as it is, marked as untranslated machine text.
import { content, h } from "./dom.js";
import { country, date, itemLabel, listSep, num, plural, t, tn, topicLabel, typeLabel, unitLabel } from "./i18n.js";

const number = (text) => Number(String(text).replace(/,/g, ""));
const figureName = { killed: "killed", injured: "injured", arrested: "arrested", outlets: "outlets" };
const list = (text) => text.split(/,\s*/).filter(Boolean);
const joined = (items) => items.map((x, i) => [i ? listSep() : "", content(x)]);

// [pattern, (match) -> nodes]; the first pattern that matches the whole reason wins.
const FORMS = [
  [/^topic (\S+) \(([\d.]+)(?:: (.*))?\)$/, (m) => [
    ...tn("r_topic", { topic: topicLabel(m[1]), score: num(Number(m[2]), 2) }),
    ...(m[3] ? tn("r_terms", { terms: joined(list(m[3])) }) : [])]],
  [/^organisation (\S+) \((.*)\)$/, (m) => tn("r_org", { org: content(m[2] || m[1]) })],
  [/^country ([A-Z]{2})$/, (m) => tn("r_country", { country: country(m[1]) })],
  [/^place (.+?) \((-?[\d.]+), (-?[\d.]+)\)(?: (.+))?$/, (m) => (m[4]
    ? tn("r_place_in", { place: content(m[1]), area: content(m[4]) }) : tn("r_place", { place: content(m[1]) }))],
  [/^quantity ([\d,.]+) (\S+)(?: (\S+))? >= ([\d,.]+) (\S+)(?: \((.*)\))?$/, (m) => [
    ...tn("r_quantity", { amount: h("bdi", {}, `${num(number(m[1]))} ${unitLabel(m[2])}${m[3] ? ` ${itemLabel(m[3])}` : ""}`),
      min: h("bdi", {}, `${num(number(m[4]))} ${unitLabel(m[5])}`) }),
    ...(m[6] ? tn("r_as_written", { text: content(m[6]) }) : [])]],
  [/^text '(.*)' \((.*)\)$/, (m) => tn("r_text", { word: h("q", {}, content(m[2] || m[1])) })],
  [/^corroborated by (\d+) sources \(at least (\d+) within ([\d.]+) h\): (.*)$/, (m) => tn("r_corroborated", {
    sources: plural("outlets", Number(m[1])), min: num(Number(m[2])), hours: num(Number(m[3]), 1), names: joined(list(m[4])) })],
  [/^(\d+) reports in ([\d.]+) h from (\d{4}-\d\d-\d\d \d\d:\d\d) UTC, expected ([\d.]+) \(mean of (\d+) windows, variance [\d.]+\); Poisson P\(X >= \d+\) = (\S+)$/,
    (m) => tn("r_spike", { observed: plural("reports", Number(m[1])), hours: num(Number(m[2]), 1),
      from: h("bdi", {}, date(`${m[3].replace(" ", "T")}:00Z`, true)), expected: num(Number(m[4]), 2),
      windows: num(Number(m[5])), p: h("bdi", { dir: "ltr" }, m[6]) })],
  [/^latest report: (.*?)(?: \((https?:\/\/\S+)\))?$/, (m) => tn("r_latest", { title: content(m[1]) })],
  [/^incident (\S+)(?: on (\d{4}-\d\d-\d\d))?(?: at (.+))?$/, (m) => [
    ...tn("r_incident", { type: typeLabel(m[1]) }), ...(m[2] ? tn("r_on", { date: h("bdi", {}, date(m[2])) }) : []),
    ...(m[3] ? tn("r_at", { place: content(m[3]) }) : [])]],
  [/^(actor|target) (.+)$/, (m) => tn(m[1] === "actor" ? "r_actor" : "r_target", { orgs: joined(list(m[2])) })],
  [/^(killed|injured|arrested|outlets) (\d+) (>=|<=|>|<|==) (\d+)(?: \((.*)\))?$/, (m) => {
    const range = m[5] && /^reports give (\d+)-(\d+)$/.exec(m[5]);
    return [...tn("r_figure", { figure: t(figureName[m[1]]), value: num(Number(m[2])), op: h("bdi", { dir: "ltr" }, m[3]),
      limit: num(Number(m[4])) }),
    ...(range ? tn("r_range", { low: num(Number(range[1])), high: num(Number(range[2])) })
      : m[5] && m[1] === "outlets" ? [": ", ...joined(list(m[5]))] : [])];
  }],
];

// One reason as nodes in the page's language; `data-form` says which form it was read as ("raw": none).
export function reasonItem(reason) {
  for (const [re, say] of FORMS) {
    const m = re.exec(reason);
    if (m) return h("li", { "data-form": re.source.slice(1, 12) }, say(m));
  }
  return h("li", { "data-form": "raw", class: "raw" }, h("span", { class: "muted" }, t("r_untranslated"), " "),
    h("bdi", { dir: "auto", lang: /[\u0600-\u06ff]/.test(reason) ? null : "en" }, reason));
}
