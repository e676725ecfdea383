// The timeline: articles per topic per day (or hour) as lines, spike alerts as shaded windows; or incidents per
// type per event day (the rows then name their series by type: `series` gives its labels and colours).
// Time runs left to right in both languages, as on the region's printed charts; a table gives the same figures.
import { clear, h, table } from "./dom.js";
import { date, num, t, topicColor, topicLabel } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const STEP = { day: 86400000, hour: 3600000 };
const MAX_FILLED = 2000; // buckets drawn with their zeros; beyond that, only the buckets that have articles
const MAX_POINTS = 120; // buckets up to which each count is a dot with its own tooltip (the table has them all)

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

const bucketTime = (key) => Date.parse(key.length === 10 ? `${key}T00:00:00Z` : `${key}:00:00Z`);
const bucketKey = (ms, per) => new Date(ms).toISOString().slice(0, per === "day" ? 10 : 13);

export function renderTimeline(el, tableEl, rows, per, spikes, legendEl,
  { label = topicLabel, color: colorOf = topicColor } = {}) {
  clear(el);
  clear(tableEl);
  if (legendEl) clear(legendEl);
  if (!rows.length) {
    el.append(h("p", { class: "muted" }, t("no_data")));
    return;
  }
  const series = new Map(); // topic -> Map(bucket -> articles)
  const totals = new Map();
  for (const r of rows) {
    const b = r[per];
    if (!series.has(r.key)) series.set(r.key, new Map());
    series.get(r.key).set(b, r.articles);
    totals.set(r.key, (totals.get(r.key) || 0) + r.articles);
  }
  const present = [...new Set(rows.map((r) => r[per]))].sort();
  let buckets = present;
  const t0 = bucketTime(present[0]);
  const t1 = bucketTime(present[present.length - 1]);
  if ((t1 - t0) / STEP[per] < MAX_FILLED) {
    buckets = [];
    for (let ms = t0; ms <= t1; ms += STEP[per]) buckets.push(bucketKey(ms, per));
  }
  const topics = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b));
  const max = Math.max(1, ...rows.map((r) => r.articles));

  const W = Math.max(320, el.clientWidth || 800);
  const H = 240;
  const pad = { l: 40, r: 14, t: 16, b: 28 };
  const span = Math.max(t1 - t0, STEP[per]);
  const x = (ms) => pad.l + ((ms - t0) / span) * (W - pad.l - pad.r);
  const y = (n) => H - pad.b - (n / max) * (H - pad.t - pad.b);
  const total = rows.reduce((acc, r) => acc + r.articles, 0);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", direction: "ltr", "data-total": total,
    "aria-label": `${t("timeline")}: ${topics.map((k) => `${label(k)} ${num(totals.get(k))}`).join("، ")}` });

  for (const a of spikes) {
    if (!a.window_start) continue;
    const a0 = Date.parse(a.window_start);
    const a1 = a.window_end ? Date.parse(a.window_end) : a0 + STEP[per];
    if (a1 < t0 - STEP[per] || a0 > t1 + STEP[per]) continue;
    const left = Math.max(pad.l, x(a0));
    const right = Math.min(W - pad.r, Math.max(x(a1), left + 3));
    svg.append(s("rect", { class: "spike", x: left, y: pad.t, width: right - left, height: H - pad.t - pad.b,
      "data-alert": a.alert_id }, s("title", {}, `${t("spike")}: ${a.title || a.rule_id}`)));
    svg.append(s("text", { class: "spike-label", x: left + 2, y: pad.t - 3 }, "▲"));
  }
  svg.append(s("line", { class: "axis", x1: pad.l, y1: H - pad.b, x2: W - pad.r, y2: H - pad.b }));
  svg.append(s("line", { class: "axis", x1: pad.l, y1: pad.t, x2: pad.l, y2: H - pad.b }));
  for (const n of [0, Math.round(max / 2), max]) {
    svg.append(s("text", { x: pad.l - 6, y: y(n) + 4, "text-anchor": "end" }, num(n)));
  }
  const ticks = [...new Set([present[0], present[Math.floor(present.length / 2)], present[present.length - 1]])];
  ticks.forEach((k, i) => {
    const anchor = ticks.length === 1 ? "middle" : i === 0 ? "start" : i === ticks.length - 1 ? "end" : "middle";
    svg.append(s("text", { x: x(bucketTime(k)), y: H - 8, "text-anchor": anchor }, date(k, per === "hour")));
  });
  for (const topic of topics) {
    const counts = series.get(topic);
    const points = buckets.map((b) => [x(bucketTime(b)), y(counts.get(b) || 0)]);
    const color = colorOf(topic);
    const g = s("g", { "data-topic": topic, "data-total": totals.get(topic) });
    g.append(s("polyline", { points: points.map((p) => p.join(",")).join(" "), fill: "none", stroke: color,
      "stroke-width": 2, "stroke-linejoin": "round" }));
    for (const b of buckets.length <= MAX_POINTS ? buckets : []) {
      if (!counts.get(b)) continue;
      g.append(s("circle", { cx: x(bucketTime(b)), cy: y(counts.get(b)), r: 3, fill: color },
        s("title", {}, `${label(topic)} — ${date(b, per === "hour")}: ${num(counts.get(b))}`)));
    }
    svg.append(g);
  }
  el.append(svg);
  if (legendEl) {
    legendEl.append(...topics.map((k) => h("li", { "data-topic": k },
      h("span", { class: "swatch", style: `background:${colorOf(k)}`, "aria-hidden": "true" }),
      `${label(k)} (${num(totals.get(k))})`)));
  }

  const cols = [{ label: t(per), value: (b) => date(b, per === "hour") },
    ...topics.map((k) => ({ label: label(k), num: true, value: (b) => num(series.get(k).get(b) || 0) }))];
  tableEl.append(table(cols, present, t("no_data")));
}
